// The diff as the TUI reads it: the `diff --format json` shape of INTERFACE.md, with every list
// present. Unknown extra keys in an app's `changes` are kept and shown generically, so the TUI
// keeps working when the diff module learns new kinds of change.

export interface DiffAppRef { package: string | null; path: string | null }
export interface DiffChangedApp extends DiffAppRef { changes: Record<string, unknown> }
export interface DiffPropChange { name: string; before: string | null; after: string | null }

export interface TuiDiff {
  apps: { added: DiffAppRef[]; removed: DiffAppRef[]; changed: DiffChangedApp[] };
  findings: { added: unknown[]; removed: unknown[] };
  buildProps: DiffPropChange[];
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : v === null || v === undefined ? null : JSON.stringify(v));

function ref(v: unknown): DiffAppRef {
  if (typeof v === 'string') return { package: v, path: null };
  const o = isObj(v) ? v : {};
  return { package: typeof o.package === 'string' ? o.package : null, path: typeof o.path === 'string' ? o.path : null };
}

export function normalizeDiff(raw: unknown): TuiDiff {
  const d = isObj(raw) ? raw : {};
  const apps = isObj(d.apps) ? d.apps : {};
  const findings = isObj(d.findings) ? d.findings : {};
  const bp = isObj(d.buildProps) ? d.buildProps : {};
  const props: DiffPropChange[] = [];
  // `changed` maps name → [before, after]; `added`/`removed` (extensions) map name → value or list names.
  if (isObj(bp.changed)) {
    for (const [name, v] of Object.entries(bp.changed)) {
      const pair = Array.isArray(v) ? v : [null, v];
      props.push({ name, before: str(pair[0]), after: str(pair[1]) });
    }
  }
  for (const [key, side] of [['added', 'after'], ['removed', 'before']] as const) {
    const v = bp[key];
    const entries: [string, unknown][] = isObj(v) ? Object.entries(v) : arr(v).filter((x): x is string => typeof x === 'string').map((n) => [n, '']);
    for (const [name, value] of entries) {
      if (props.some((p) => p.name === name)) continue;
      props.push(side === 'after' ? { name, before: null, after: str(value) } : { name, before: str(value), after: null });
    }
  }
  props.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    apps: {
      added: arr(apps.added).map(ref),
      removed: arr(apps.removed).map(ref),
      changed: arr(apps.changed).map((c) => ({ ...ref(c), changes: isObj(c) && isObj(c.changes) ? c.changes : {} })),
    },
    findings: { added: arr(findings.added), removed: arr(findings.removed) },
    buildProps: props,
  };
}
