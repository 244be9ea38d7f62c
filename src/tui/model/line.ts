// The unit every scrolling pane shows: a line of styled segments, optionally pointing at something
// Enter opens. Builders produce logical lines; `wrapLines` cuts them to the pane width so the
// reducer and the view agree on how many rows a pane has.
import { sanitize, sliceToWidth, textWidth } from '../text.js';

/** Semantic colours; the theme maps them to terminal colours, or to nothing under NO_COLOR. */
export type Tone =
  | 'critical' | 'high' | 'medium' | 'low' | 'info'
  | 'accent' | 'muted' | 'good' | 'bad' | 'warn' | 'added' | 'removed' | 'heading';

export interface Seg { text: string; tone?: Tone; bold?: boolean }

/** What Enter on a line opens: an app of the report (or of the diff's base report). */
export interface Target { source: 'report' | 'base'; index: number; section?: number }

export interface Line {
  segs: Seg[];
  target?: Target;
  /** Indent of continuation rows when the line wraps (default: its own indent + 2), e.g. to align under a value column. */
  hang?: number;
}

export function seg(text: string, tone?: Tone, bold?: boolean): Seg {
  // Reports are untrusted JSON: a number where a string belongs must not crash the screen.
  const s: Seg = { text: sanitize(typeof text === 'string' ? text : String(text)) };
  if (tone) s.tone = tone;
  if (bold) s.bold = true;
  return s;
}

export function line(...segs: (Seg | string)[]): Line {
  return { segs: segs.map((s) => (typeof s === 'string' ? seg(s) : s)) };
}

export function lineText(l: Line): string {
  return l.segs.map((s) => s.text).join('');
}

export function segsWidth(segs: readonly Seg[]): number {
  let w = 0;
  for (const s of segs) w += textWidth(s.text);
  return w;
}

/** Segments cut to `width` columns (an ellipsis marks the cut). */
export function fitSegs(segs: readonly Seg[], width: number): Seg[] {
  if (segsWidth(segs) <= width) return segs as Seg[];
  const out: Seg[] = [];
  let left = Math.max(0, width - 1);
  for (const s of segs) {
    if (left <= 0) break;
    const cut = sliceToWidth(s.text, left);
    if (cut.text) out.push({ ...s, text: cut.text });
    left -= cut.width;
  }
  if (width > 0) out.push({ text: '…', tone: 'muted' });
  return out;
}

/**
 * Hard-wraps each line to `width` columns. Continuation rows keep the line's leading indent plus two
 * spaces, and keep its target, so Enter works on any row of a wrapped entry. Long URLs and evidence
 * are the usual reason to wrap; breaking at characters keeps them copyable in order.
 */
export function wrapLines(lines: readonly Line[], width: number): Line[] {
  if (width <= 4) return lines.map((l) => ({ ...l, segs: fitSegs(l.segs, Math.max(0, width)) }));
  const out: Line[] = [];
  for (const l of lines) {
    if (segsWidth(l.segs) <= width) { out.push(l); continue; }
    const first = l.segs[0]?.text ?? '';
    const indentLen = Math.min(first.length - first.trimStart().length, Math.floor(width / 2));
    const contIndent = ' '.repeat(Math.min(l.hang ?? indentLen + 2, Math.floor(width / 2)));
    let row: Seg[] = [];
    let rowLeft = width;
    const flush = () => {
      out.push(l.target ? { segs: row, target: l.target } : { segs: row });
      row = contIndent ? [{ text: contIndent }] : [];
      rowLeft = width - contIndent.length;
    };
    for (const s of l.segs) {
      let text = s.text;
      while (text) {
        if (rowLeft <= 0) flush();
        let cut = sliceToWidth(text, rowLeft);
        if (!cut.text) { // a wide character that does not fit in the last column
          flush();
          continue;
        }
        if (cut.text.length < text.length && text[cut.text.length] !== ' ') {
          // Words break at the last space that fits; URLs and hashes have none and break anywhere.
          const space = cut.text.lastIndexOf(' ');
          if (space >= 0) cut = sliceToWidth(text, textWidth(text.slice(0, space + 1)));
        }
        row.push({ ...s, text: cut.text });
        rowLeft -= cut.width;
        text = text.slice(cut.text.length);
        if (text) {
          flush();
          text = text.replace(/^ +/, ''); // the space a row broke at is not carried to the next row
        }
      }
    }
    if (row.length && !(row.length === 1 && row[0]!.text === contIndent && contIndent)) {
      out.push(l.target ? { segs: row, target: l.target } : { segs: row });
    }
  }
  return out;
}
