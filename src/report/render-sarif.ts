// SARIF 2.1.0 (OASIS, errata 01): one run, one rule per finding rule id, one result per finding.
// Virtual paths become relative URI references (each '/'-segment percent-encoded; '!' is legal),
// and evidence goes into the message and the result's property bag.
import { collectFindings } from './collect-findings.js';
import { SEVERITIES, type Report, type Severity } from './model.js';

export const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

type Level = 'error' | 'warning' | 'note';
const LEVEL: Record<Severity, Level> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };
/** GitHub code scanning reads `security-severity` (0–10) from rule properties. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0' };

export function virtualPathToUri(path: string): string {
  return path.split('/').map((seg) => encodeURIComponent(seg)).join('/');
}

export function renderSarif(report: Report): string {
  const all = collectFindings(report);
  const rules: { id: string; worst: Severity; title: string; help?: string }[] = [];
  const index = new Map<string, number>();
  for (const { finding } of all) {
    const i = index.get(finding.rule);
    if (i === undefined) {
      index.set(finding.rule, rules.length);
      rules.push({ id: finding.rule, worst: finding.severity, title: finding.title, help: finding.references?.[0] });
    } else if (SEVERITIES.indexOf(finding.severity) > SEVERITIES.indexOf(rules[i]!.worst)) {
      rules[i]!.worst = finding.severity;
    }
  }
  const results = all.map(({ finding, path, package: pkg }) => {
    const uri = virtualPathToUri(path ?? report.input.name);
    const result: Record<string, unknown> = {
      ruleId: finding.rule,
      ruleIndex: index.get(finding.rule)!,
      level: LEVEL[finding.severity],
      message: { text: [finding.title, ...finding.evidence.map((e) => `- ${e}`)].join('\n') },
      locations: [{
        physicalLocation: { artifactLocation: { uri } },
        ...(pkg ? { logicalLocations: [{ name: pkg, fullyQualifiedName: pkg, kind: 'module' }] } : {}),
      }],
      partialFingerprints: { 'romscan/v1': `${finding.rule}|${pkg ?? path ?? ''}|${finding.title}` },
      properties: {
        severity: finding.severity,
        evidence: finding.evidence,
        ...(finding.references?.length ? { references: finding.references } : {}),
        ...(pkg ? { package: pkg } : {}),
      },
    };
    return result;
  });
  const log = {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'romscan',
          version: report.tool.version,
          informationUri: 'https://www.npmjs.com/package/romscan',
          rules: rules.map((r) => ({
            id: r.id,
            name: r.id.replace(/(^|-)([a-z])/g, (_, _d: string, c: string) => c.toUpperCase()),
            shortDescription: { text: r.title },
            ...(r.help ? { helpUri: r.help } : {}),
            defaultConfiguration: { level: LEVEL[r.worst] },
            properties: { 'security-severity': SECURITY_SEVERITY[r.worst], tags: ['security', 'android'] },
          })),
        },
      },
      artifacts: [...new Set(all.map((x) => x.path ?? report.input.name))].map((p) => ({ location: { uri: virtualPathToUri(p) } })),
      results,
      properties: { input: report.input, schemaVersion: report.schemaVersion },
    }],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
