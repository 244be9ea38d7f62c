// Reads `dexdump -d` output into per-method facts, the oracle of the walker's differential tests.
// Methods are keyed by the code_item offset dexdump prints as "|[0f7164] pkg.Cls.name:(…)V".

export interface DumpedMethod {
  /** "pkg.Cls.name:(…)V" as dexdump prints it. */
  label: string;
  /** pc (code units) of every instruction and payload. */
  starts: number[];
  strings: number[];
  invokes: number[];
  fieldReads: number[];
  callSites: number[];
}

// 's' flag: strings may hold U+2028/U+2029, which '.' would not match otherwise.
const HEADER = /^([0-9a-f]{6}):\s+\|\[([0-9a-f]{6})\] (.*)$/s;
const INSN = /^[0-9a-f]{6}: [^|]*\|([0-9a-f]{4,8}): (\S+)(.*)$/s;

export function parseDexdump(text: string): Map<number, DumpedMethod> {
  const out = new Map<number, DumpedMethod>();
  let cur: DumpedMethod | null = null;
  // dexdump prints strings raw, so a string with a newline continues on the next lines and
  // its "// string@…" trailer comes later: such a reference stays pending until found.
  let pending: { kind: string; list: number[] } | null = null;
  for (const line of text.split('\n')) {
    const h = HEADER.exec(line);
    const m = h ? null : INSN.exec(line);
    if (pending && !h && !m) {
      const r = new RegExp(`// ${pending.kind}@([0-9a-f]+)$`, 's').exec(line);
      if (r) { pending.list.push(parseInt(r[1], 16)); pending = null; }
      continue;
    }
    if (pending) throw new Error(`unterminated ${pending.kind} reference before: ${line}`);
    if (h) {
      cur = { label: h[3], starts: [], strings: [], invokes: [], fieldReads: [], callSites: [] };
      out.set(parseInt(h[2], 16), cur);
      continue;
    }
    if (!cur || !m) continue;
    cur.starts.push(parseInt(m[1], 16));
    const op = m[2], rest = m[3];
    const ref = (kind: string, list: number[]) => {
      const r = new RegExp(`${kind}@([0-9a-f]+)`).exec(rest);
      if (r) list.push(parseInt(r[1], 16));
      else pending = { kind, list };
    };
    if (op.includes('-quick')) continue; // quickened (vdex): vtable slots and field offsets, no refs
    if (op.startsWith('const-string')) ref('string', cur.strings);
    else if (op.startsWith('invoke-custom')) ref('call_site', cur.callSites);
    else if (op.startsWith('invoke-')) ref('method', cur.invokes);
    else if (/^[si]get/.test(op)) ref('field', cur.fieldReads);
  }
  return out;
}
