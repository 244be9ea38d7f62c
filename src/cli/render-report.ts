import type { Report } from '../report/model.js';
import { renderJson } from '../report/render-json.js';
import { renderText } from '../report/render-text.js';
import { renderMd } from '../report/render-md.js';
import { renderSarif } from '../report/render-sarif.js';

export type ReportFormat = 'json' | 'sarif' | 'md' | 'text';

export function renderReport(report: Report, format: ReportFormat): string {
  switch (format) {
    case 'json': return renderJson(report);
    case 'sarif': return renderSarif(report);
    case 'md': return renderMd(report);
    case 'text': return renderText(report);
  }
}
