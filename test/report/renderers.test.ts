import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv04 from 'ajv-draft-04';
import { renderJson } from '../../src/report/render-json.js';
import { renderMd } from '../../src/report/render-md.js';
import { renderSarif, virtualPathToUri } from '../../src/report/render-sarif.js';
import { renderText } from '../../src/report/render-text.js';
import { blankReport } from '../rules/helpers.js';
import { sampleReport } from './sample-report.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'report');

function golden(name: string, actual: string): void {
  const file = join(fixtures, name);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) writeFileSync(file, actual);
  assert.equal(actual, readFileSync(file, 'utf8'));
}

function sarifValidator() {
  const ajv = new Ajv04({ allErrors: true, strict: false });
  // ajv ships no format checkers; these are the three the SARIF schema uses.
  ajv.addFormat('uri', (s: string) => { try { return new URL(s).protocol.length > 1; } catch { return false; } });
  ajv.addFormat('uri-reference', (s: string) => { try { new URL(s, 'file:///base/'); return !/[\s<>"{}|\\^`]/.test(s); } catch { return false; } });
  ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)));
  return ajv.compile(JSON.parse(readFileSync(join(fixtures, 'sarif-schema-2.1.0.json'), 'utf8')));
}

describe('renderers', () => {
  test('JSON is the report itself, round-trippable', () => {
    const r = sampleReport();
    const text = renderJson(r);
    assert.ok(text.endsWith('\n'));
    assert.deepEqual(JSON.parse(text), r);
  });

  test('text golden', () => golden('sample.golden.txt', renderText(sampleReport())));
  test('markdown golden', () => golden('sample.golden.md', renderMd(sampleReport())));

  test('text lists findings worst first, with app and evidence', () => {
    const lines = renderText(sampleReport()).split('\n');
    const heads = lines.filter((l) => l.startsWith('['));
    assert.deepEqual(heads.map((l) => l.split(']')[0]), ['[CRITICAL', '[HIGH', '[MEDIUM', '[INFO']);
    assert.ok(lines.includes('findings: 1 critical, 1 high, 1 medium, 0 low, 1 info'));
  });

  test('markdown escapes table and inline syntax from input', () => {
    const md = renderMd(sampleReport());
    // In table cells '|' is escaped even inside code spans (GFM splits rows first); in text it is not.
    assert.ok(md.includes('| `update.zip!/system.new.dat.br!/system/priv-app/We\\|ird App#1/We\\|ird App#1.apk` |'));
    assert.ok(md.includes('· `update.zip!/system.new.dat.br!/system/priv-app/We|ird App#1/We|ird App#1.apk`\n'));
    assert.ok(md.includes('- service com.odd\\_name.app.Svc$Inner exported without permission \\(actions: a\\|b, \\*star\\*\\)'));
    // Every table row has the same number of unescaped cell separators as its header.
    const rows = md.split('\n').filter((l) => l.startsWith('| `com.'));
    for (const r of rows) assert.equal(r.replace(/\\\|/g, '').split('|').length, 10, r);
  });

  test('SARIF validates against the OASIS 2.1.0 schema', () => {
    const validate = sarifValidator();
    for (const r of [sampleReport(), blankReport({ apps: [], firmware: null, input: { name: 'a b#c?.apk', kind: 'apk', sha256: null } })]) {
      const log = JSON.parse(renderSarif(r));
      assert.ok(validate(log), JSON.stringify(validate.errors, null, 1));
    }
  });

  test('the SARIF schema check can fail', () => {
    const validate = sarifValidator();
    const log = JSON.parse(renderSarif(sampleReport()));
    log.runs[0].results[0].level = 'severe';
    assert.equal(validate(log), false);
    const log2 = JSON.parse(renderSarif(sampleReport()));
    log2.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri = 'a b|c';
    assert.equal(validate(log2), false);
  });

  test('SARIF content: rules, levels, URIs, evidence', () => {
    const log = JSON.parse(renderSarif(sampleReport()));
    const run = log.runs[0];
    assert.equal(log.version, '2.1.0');
    assert.deepEqual(run.tool.driver.rules.map((r: { id: string }) => r.id), ['phone-home', 'build-test-keys', 'exported-unprotected', 'tracker-sdk']);
    assert.deepEqual(run.results.map((r: { level: string }) => r.level), ['error', 'error', 'warning', 'note']);
    assert.equal(run.results[0].locations[0].physicalLocation.artifactLocation.uri, 'update.zip!/system.new.dat.br!/system/app/AutoReg/AutoReg.apk');
    assert.equal(run.results[2].locations[0].physicalLocation.artifactLocation.uri, 'update.zip!/system.new.dat.br!/system/priv-app/We%7Cird%20App%231/We%7Cird%20App%231.apk');
    assert.deepEqual(run.results[0].properties.evidence, sampleReport().apps[0]!.findings[0]!.evidence);
    assert.equal(run.tool.driver.rules[0].properties['security-severity'], '9.5');
    assert.equal(virtualPathToUri('C:/x y'), 'C%3A/x%20y');
  });
});
