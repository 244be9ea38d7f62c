// Hostile input: truncated and bit-flipped real odex files (ELF32 OAT 045 and 088 with
// quickening tables, ELF64 OAT 131) give a result or a RomscanError, never a crash or hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOat } from '../../../src/android/oat/parse-oat.js';
import { mutate } from '../vdex/mutate.js';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'oat');
const parse = (b: Uint8Array) => parseOat(b, 'hostile.odex').dexes;

for (const file of ['lollipop_android5.1_qcrilmsgtunnel.odex', 'sparrow_android7.1_ClockworkFrameworkPackageStubs.odex', 'qrd8953_android8.1_AutoRegistration.odex']) {
  test(`does not crash or hang on truncations and bit flips of ${file}`, () => {
    const good = new Uint8Array(readFileSync(join(DIR, file)));
    // Hot bytes: the ELF header, program headers and the OAT header/OatDexFile at 0x1000 are
    // hit through the whole-file flips; the first 0x1200 bytes hold all of them.
    const out = mutate(file, good, parse, { flips: 1500, hotBytes: 0x1200, budgetMs: 15000 });
    assert.ok((out.get('ok') ?? 0) > 300, JSON.stringify([...out]));
  });
}
