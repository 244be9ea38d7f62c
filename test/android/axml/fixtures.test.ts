// Differential test against Android's own binary XML reader: every fixture in test/fixtures/axml
// (androguard's real-world evasion samples and our crafted tricks) must read exactly as
// `aapt dump xmltree` (libandroidfw ResXMLTree) reads it, recorded in <fixture>.aapt.txt.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAxml } from '../../../src/android/axml/index.js';
import { normaliseAaptXmlTree, renderXmlTree } from './render-xmltree.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/axml');

describe('AXML fixtures read as aapt (ResXMLTree) reads them', () => {
  for (const dir of ['androguard', 'crafted']) {
    for (const f of readdirSync(join(FIXTURES, dir)).filter((n) => !n.endsWith('.aapt.txt')).sort()) {
      const aapt = readFileSync(join(FIXTURES, dir, `${f}.aapt.txt`), 'utf8');
      const bytes = new Uint8Array(readFileSync(join(FIXTURES, dir, f)));
      if (aapt.startsWith('ERROR')) {
        // aapt refuses (or crashes on) these; we must still read them, with the oddity recorded.
        test(`${dir}/${f}: aapt fails (${aapt.split('\n')[1]}); we read it and record an anomaly`, () => {
          const d = parseAxml(bytes, f);
          assert.equal(d.root?.name, 'manifest');
          assert.ok(d.anomalies.length > 0);
        });
        continue;
      }
      test(`${dir}/${f}`, () => {
        const d = parseAxml(bytes, f);
        assert.deepEqual(renderXmlTree(d.root), normaliseAaptXmlTree(aapt));
      });
    }
  }
});
