// Markdown escaping shared by the report and diff renderers.

/** Escapes Markdown inline syntax; table cells also need '|' and newlines neutralised. */
export function mdEscape(s: string): string {
  return s.replace(/[\\`*_{}[\]<>()#+!|~]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

/**
 * A code span for a table cell, or escaped text when the value holds a backtick (a span cannot
 * hold its fence). GFM splits table rows on '|' even inside code spans, so those are escaped.
 */
export function mdCode(s: string): string {
  return s.includes('`') ? mdEscape(s) : `\`${s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')}\``;
}

/** A code span in running text, where a backslash before '|' would show. */
export function mdCodeInline(s: string): string {
  return s.includes('`') ? mdEscape(s) : `\`${s.replace(/\r?\n/g, ' ')}\``;
}
