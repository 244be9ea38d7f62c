// openZip against the real APK corpus and its oracles: Info-ZIP's `unzip` (names, bytes) and
// androguard's per-dex SHA-256 in ../shared/corpus/apk/expected/<apk>.json.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { FileSource } from '../../../src/io/source.js';
import { FormatError, isRomscanError } from '../../../src/io/errors/index.js';
import { openZip } from '../../../src/formats/zip/open-zip.js';

const CORPUS = join(import.meta.dirname, '../../../../shared/corpus/apk');
const apks = existsSync(CORPUS) ? readdirSync(CORPUS).filter((f) => f.endsWith('.apk')).sort() : [];
const expected = (f: string) => JSON.parse(readFileSync(join(CORPUS, 'expected', `${f}.json`), 'utf8'));
const hasUnzip = spawnSync('unzip', ['-v']).status === 0;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Android refuses these archives outright (libziparchive and apksig agree); we throw a FormatError. */
const REFUSED: Record<string, RegExp> = {
  'apksig-v2-only-truncated-cd.apk': /central directory .* overlaps the EOCD/,
};

async function withZip<T>(f: string, fn: (zip: Awaited<ReturnType<typeof openZip>>) => Promise<T>): Promise<T> {
  const src = await FileSource.open(join(CORPUS, f), f);
  try {
    return await fn(await openZip(src));
  } finally {
    await src.close();
  }
}

describe('zip corpus', { skip: apks.length === 0 ? 'corpus not found' : false }, () => {
  test('every APK opens (or is refused with a FormatError where Android refuses it), entry count = oracle', async () => {
    assert.ok(apks.length >= 80, `corpus has ${apks.length} APKs`);
    for (const f of apks) {
      if (REFUSED[f]) {
        await assert.rejects(withZip(f, async () => null), (e: unknown) => e instanceof FormatError && REFUSED[f].test(e.message), f);
        continue;
      }
      const count = await withZip(f, async (zip) => zip.entries.length);
      const oracle = expected(f).zip?.entries;
      if (typeof oracle === 'number') assert.equal(count, oracle, `${f}: entry count`);
    }
  });

  test('entry names equal `unzip -Z1` (central directory order, raw bytes)', { skip: hasUnzip ? false : 'unzip not installed' }, async () => {
    let compared = 0;
    for (const f of apks) {
      if (REFUSED[f]) continue;
      const r = spawnSync('unzip', ['-Z1', join(CORPUS, f)], { maxBuffer: 64 << 20 });
      if (r.status !== 0) continue; // unzip itself refuses (it is stricter than Android for some)
      const names = r.stdout.toString('utf8').split('\n').filter((s) => s !== '');
      // unzip shows control characters caret-escaped ("test.txt^M").
      const ours = await withZip(f, async (zip) => zip.entries.map((e) => e.name.replace(/[\x00-\x1f]/g, (c) => `^${String.fromCharCode(c.charCodeAt(0) + 64)}`)));
      assert.deepEqual(ours, names, f);
      compared++;
    }
    assert.ok(compared >= 80, `compared ${compared} APKs`);
  });

  test('entry bytes equal `unzip -p` (all files, CD order) for a sample', { skip: hasUnzip ? false : 'unzip not installed' }, async () => {
    const sample = [
      'fdroid-urzip.apk', 'apkinspector-eocd_at_offset_1026.apk',
      'apktool-empty_9patch.apk', 'androguard-urzip-unicode-name.apk', 'apksig-v1-only-max-sized-eocd-comment.apk',
      'apksig-v2-only-garbage-between-cd-and-eocd.apk', 'fdroid-janus.apk', 'apktool-issue1594-not_sparse.apk', 'com.teleca.jamendo_35.apk',
    ];
    for (const f of sample) {
      const r = spawnSync('unzip', ['-p', join(CORPUS, f)], { maxBuffer: 256 << 20 });
      assert.ok(r.stdout.length > 0, `${f}: unzip -p produced nothing`);
      const ours = await withZip(f, async (zip) => {
        const parts: Uint8Array[] = [];
        for (const e of zip.entries) if (!e.isDirectory) parts.push(await zip.read(e));
        return Buffer.concat(parts);
      });
      assert.equal(sha256(ours), sha256(r.stdout), `${f}: concatenated entry bytes`);
    }
  });

  test('every dex entry hashes to the oracle (androguard), through read() and open()', async () => {
    let n = 0;
    for (const f of apks) {
      const dex = expected(f).dex;
      if (!Array.isArray(dex) || REFUSED[f]) continue;
      await withZip(f, async (zip) => {
        for (const d of dex) {
          if (!d.sha256) continue;
          const e = zip.find(d.entry);
          assert.ok(e, `${f}: ${d.entry} missing`);
          assert.equal(sha256(await zip.read(e)), d.sha256, `${f}!/${d.entry} read`);
          const s = await zip.open(e);
          assert.equal(s.path, `${f}!/${d.entry}`);
          assert.equal(sha256(await s.read(0, s.size)), d.sha256, `${f}!/${d.entry} open`);
          n++;
        }
      });
    }
    assert.ok(n >= 80, `checked ${n} dex entries`);
  });

  test('evasion samples open with the anomaly that names the trick', async () => {
    const cases: [string, RegExp][] = [
      ['apksig-mismatched-compression-method.apk', /local header says compression method 0, central directory says 8/],
      ['apksig-v2-only-garbage-between-cd-and-eocd.apk', /7 bytes between the central directory and the EOCD/],
      ['fdroid-janus.apk', /does not start with a local file header .*1032 bytes/],
    ];
    for (const [f, re] of cases) {
      const messages = await withZip(f, async (zip) => {
        for (const e of zip.entries) if (!e.isDirectory) await zip.read(e);
        return zip.anomalies.map((a) => a.message);
      });
      assert.ok(messages.some((m) => re.test(m)), `${f}: ${JSON.stringify(messages)}`);
    }
    // Clean archives stay clean.
    for (const f of ['fdroid-urzip.apk', 'apidemos-debug.apk', 'apksig-v1-only-max-sized-eocd-comment.apk', 'apkinspector-eocd_at_offset_1026.apk']) {
      const messages = await withZip(f, async (zip) => {
        for (const e of zip.entries) if (!e.isDirectory) await zip.read(e);
        return zip.anomalies.map((a) => a.message);
      });
      assert.deepEqual(messages, [], f);
    }
  });

  test('a local header method that disagrees with the central directory is ignored, as Android does', async () => {
    // unzip trusts the local header here (stored) and prints raw deflate; Android inflates.
    await withZip('apksig-mismatched-compression-method.apk', async (zip) => {
      const e = zip.find('META-INF/CERT.RSA')!;
      assert.equal(e.method, 8);
      const b = await zip.read(e);
      assert.equal(b.length, 1160);
      assert.equal(b[0], 0x30); // a DER SEQUENCE: the PKCS#7 ContentInfo
    });
  });

  test('CR in an entry name and non-ASCII names are kept byte-exact', async () => {
    const names = await withZip('apksig-v1-only-with-cr-in-entry-name.apk', async (zip) => zip.entries.map((e) => e.name));
    assert.ok(names.includes('test.txt\r'), JSON.stringify(names));
  });

  test('centralDirectoryOffset and eocdOffset match the records', async () => {
    await withZip('apksig-v1-only-max-sized-eocd-comment.apk', async (zip) => {
      assert.equal(zip.eocdOffset, 4604);
      assert.equal(zip.centralDirectoryOffset, 4219);
    });
    await withZip('apkinspector-eocd_at_offset_1026.apk', async (zip) => {
      assert.equal(zip.eocdOffset, 5590);
      assert.equal(zip.centralDirectoryOffset, 5109);
    });
  });

  test('errors are typed', async () => {
    await assert.rejects(withZip('apksig-v2-only-truncated-cd.apk', async () => null), (e: unknown) => isRomscanError(e));
  });
});
