// Markdown escaping shared by the report and diff renderers.

/** Escapes Markdown inline syntax; table cells also need '|' and newlines neutralised. */
export function mdEscape(s: string): string {
  return s.replace(/[\\`*_{}[\]<>()#+!|~]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

/** A code span, or escaped text when the value holds a backtick (a span cannot hold its fence). */
export function mdCode(s: string): string {
  return s.includes('`') ? mdEscape(s) : `\`${s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')}\``;
}
