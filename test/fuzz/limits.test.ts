// Every named limit in src/io/limits.ts, hit on purpose: the check fires with a LimitError (E_LIMIT)
// naming the limit, at the right virtual path, and the rest of the input is still reported.
// Where a real-sized trigger is cheap (a crafted header that claims 300 000 zip entries or a
// 600 MiB entry) it is used as is; otherwise the limit is lowered for the duration of one test
// (checkLimit reads LIMITS at call time) and a small real input crosses it, which exercises the
// same check at the same place. src/io/LIMITS.md lists each limit with the test below that covers it.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LIMITS, type LimitName } from '../../src/io/limits.js';
import { BufferSource } from '../../src/io/source.js';
import { LimitError } from '../../src/io/errors/index.js';
import { openZip } from '../../src/formats/zip/open-zip.js';
import { parseAxml } from '../../src/android/axml/parse-axml.js';
import { parseDex } from '../../src/android/dex/dex-file.js';
import { scanInput } from '../../src/scan/scan-input.js';
import { extractInput } from '../../src/extract/extract-files.js';
import type { Report } from '../../src/report/model.js';
import { CORPUS, ensureImageCache, missingTools, PROJECT_ROOT } from './lib/seeds.js';
import { buildZip, parseZipModel, put16, put32, serializeZip } from './lib/zip-model.js';

const TC = join(CORPUS, 'apk/TC-debug.apk');
const haveApk = existsSync(TC);
const haveTools = missingTools().length === 0 && haveApk;
const SIGNATURES = join(PROJECT_ROOT, 'signatures');

async function withLimit<T>(name: LimitName, value: number, fn: () => Promise<T> | T): Promise<T> {
  const limits = LIMITS as Record<LimitName, number>;
  const old = limits[name];
  limits[name] = value;
  try {
    return await fn();
  } finally {
    limits[name] = old;
  }
}

function tmp(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'romscan-limits-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const scan = (file: string): Promise<Report> => scanInput(file, { signaturesDir: SIGNATURES, jobs: 1 });

/** Every error of a report (container-level and per app), as "code path: message". */
const allErrors = (r: Report) => [...r.errors, ...r.apps.flatMap((a) => a.errors.map((e) => ({ ...e, path: e.path ?? a.path })))];
/**
 * Errors naming the limit: E_LIMIT, or E_ANOMALY where a filesystem reader turned the LimitError
 * for one folder or file into "skipped" and went on with the rest.
 */
const limitHits = (r: Report, name: LimitName) => allErrors(r).filter((e) => (e.code === 'E_LIMIT' || e.code === 'E_ANOMALY') && e.message.includes(name));

const isLimit = (name: LimitName) => (e: unknown) => e instanceof LimitError && (e.data as { limit?: string }).limit === name;

function image(name: string): string {
  return join(ensureImageCache(), name);
}

describe('limits on APKs and their parts', { skip: !haveApk && 'corpus absent' }, () => {
  test('MAX_ZIP_ENTRIES: a zip64 directory claiming 300 000 entries is refused before anything is read', async () => {
    // [zip64 EOCD][zip64 locator][EOCD with 0xffff counts]: nothing else.
    const z64 = new Uint8Array(56), loc = new Uint8Array(20), eocd = new Uint8Array(22);
    put32(z64, 0, 0x06064b50); put32(z64, 4, 44); put32(z64, 24, 300_000); put32(z64, 32, 300_000);
    put32(loc, 0, 0x07064b50); put32(loc, 8, 0); put32(loc, 16, 1);
    put32(eocd, 0, 0x06054b50); put16(eocd, 8, 0xffff); put16(eocd, 10, 0xffff); put32(eocd, 12, 0xffffffff); put32(eocd, 16, 0xffffffff);
    const bytes = new Uint8Array([...z64, ...loc, ...eocd]);
    await assert.rejects(openZip(new BufferSource(bytes, 'claims.zip')), isLimit('MAX_ZIP_ENTRIES'));
  });

  test('MAX_ZIP_ENTRIES (lowered to 5): the APK report keeps its hash and the zip error', async (t) => {
    const r = await withLimit('MAX_ZIP_ENTRIES', 5, () => scan(TC));
    assert.equal(r.apps.length, 1);
    assert.equal(r.apps[0].sha256.length, 64);
    assert.deepEqual(limitHits(r, 'MAX_ZIP_ENTRIES').map((e) => e.stage), ['zip']);
    void t;
  });

  test('MAX_INFLATED_ENTRY_BYTES: an entry declaring 600 MiB is refused without inflating', async () => {
    const m = parseZipModel(new Uint8Array(readFileSync(TC)));
    const r = m.central.find((c) => new TextDecoder().decode(c.name) === 'res/layout/main.xml')!;
    put32(r.fixed, 24, 600 * 1024 * 1024);
    const zip = await openZip(new BufferSource(serializeZip(m), 'big-entry.apk'));
    const entry = zip.find('res/layout/main.xml')!;
    await assert.rejects(zip.read(entry), isLimit('MAX_INFLATED_ENTRY_BYTES'));
  });

  test('MAX_INFLATE_RATIO (lowered to 1): classes.dex (ratio 2.5) is refused as a bomb', async () => {
    const zip = await openZip(new BufferSource(readFileSync(TC), 'TC.apk'));
    await withLimit('MAX_INFLATE_RATIO', 1, () => assert.rejects(zip.read(zip.find('classes.dex')!), isLimit('MAX_INFLATE_RATIO')));
  });

  for (const [name, stage, still] of [
    ['MAX_DEX_BYTES', 'dex', (r: Report) => assert.equal(r.apps[0].package, 'org.t0t0.androguard.TC')],
    ['MAX_AXML_BYTES', 'manifest', (r: Report) => assert.equal(r.apps[0].dex.length, 1)],
    ['MAX_ARSC_BYTES', 'resources', (r: Report) => assert.equal(r.apps[0].package, 'org.t0t0.androguard.TC')],
  ] as const) {
    test(`${name} (lowered to 100 bytes): the ${stage} stage fails, the rest of the app is reported`, async () => {
      const r = await withLimit(name, 100, () => scan(TC));
      assert.deepEqual(limitHits(r, name).map((e) => e.stage), [stage]);
      still(r);
    });
  }

  test('MAX_STRING_POOL_ENTRIES (lowered to 10): AXML and dex string tables are refused', async () => {
    const zip = await openZip(new BufferSource(readFileSync(TC), 'TC.apk'));
    const manifest = await zip.read(zip.find('AndroidManifest.xml')!);
    const dex = await zip.read(zip.find('classes.dex')!);
    await withLimit('MAX_STRING_POOL_ENTRIES', 10, () => {
      assert.throws(() => parseAxml(manifest, 'AndroidManifest.xml'), isLimit('MAX_STRING_POOL_ENTRIES'));
      assert.throws(() => parseDex(dex, 'classes.dex', 'TC.apk!/classes.dex'), isLimit('MAX_STRING_POOL_ENTRIES'));
    });
  });

  test('MAX_XML_DEPTH (lowered to 2): a 4-deep manifest is refused', async () => {
    const zip = await openZip(new BufferSource(readFileSync(TC), 'TC.apk'));
    const manifest = await zip.read(zip.find('AndroidManifest.xml')!);
    await withLimit('MAX_XML_DEPTH', 2, () => assert.throws(() => parseAxml(manifest, 'x'), isLimit('MAX_XML_DEPTH')));
  });

  test('MAX_CODE_UNITS (lowered to 1): long methods are skipped with an anomaly, the dex is still summarised', async () => {
    const r = await withLimit('MAX_CODE_UNITS', 1, () => scan(TC));
    assert.ok(r.apps[0].anomalies?.some((a) => /over MAX_CODE_UNITS; method skipped/.test(a.message)));
    assert.equal(r.apps[0].dex.length, 1);
    assert.ok(r.apps[0].dex[0].methods > 0);
  });

  test('MAX_NESTING_DEPTH: zips nested 11 deep stop at depth 8 with an error, the outer APKs are reported', async (t) => {
    const apk = new Uint8Array(readFileSync(TC));
    let inner = buildZip([{ name: 'app/L10.apk', data: apk }]);
    for (let level = 9; level >= 0; level--) inner = buildZip([{ name: `app/L${level}.apk`, data: apk }, { name: `level${level + 1}.zip`, data: inner }]);
    const file = join(tmp(t), 'nested.zip');
    writeFileSync(file, inner);
    const r = await scan(file);
    const hit = r.errors.filter((e) => e.code === 'E_LIMIT' && /MAX_NESTING_DEPTH/.test(e.message));
    assert.equal(hit.length, 1);
    assert.equal(hit[0].path, `nested.zip${Array.from({ length: 9 }, (_, i) => `!/level${i + 1}.zip`).join('')}`);
    assert.deepEqual(r.apps.map((a) => a.path.split('!/').pop()), Array.from({ length: 9 }, (_, i) => `app/L${i}.apk`));
  });
});

describe('limits on firmware images', { skip: !haveTools && 'image tools or corpus absent' }, () => {
  test('MAX_APK_BYTES (lowered to 10 000): the APK is an error at its path; build.prop is still read', async () => {
    const r = await withLimit('MAX_APK_BYTES', 10_000, () => scan(image('ext4-1k.img')));
    assert.deepEqual(limitHits(r, 'MAX_APK_BYTES').map((e) => e.path), ['ext4-1k.img!/system/app/Foo/Foo.apk']);
    assert.equal(r.firmware?.buildProps['ro.build.id'], 'FUZZ');
  });

  test('MAX_APK_BYTES: a 3 GiB APK made of holes is refused, not read', async (t) => {
    const dir = tmp(t);
    mkdirSync(join(dir, 'tree/system/app/Big'), { recursive: true });
    writeFileSync(join(dir, 'tree/system/build.prop'), 'ro.build.id=HOLES\n');
    execFileSync('truncate', ['-s', String(3 * 2 ** 30), join(dir, 'tree/system/app/Big/Big.apk')]);
    execFileSync('mke2fs', ['-q', '-F', '-t', 'ext4', '-b', '4096', '-O', '^has_journal', '-d', join(dir, 'tree'), join(dir, 'holes.img'), '8M'], { stdio: 'ignore' });
    const r = await scan(join(dir, 'holes.img'));
    assert.deepEqual(limitHits(r, 'MAX_APK_BYTES').map((e) => e.path), ['holes.img!/system/app/Big/Big.apk']);
    assert.equal(r.firmware?.buildProps['ro.build.id'], 'HOLES');
  });

  test('MAX_METADATA_BYTES (lowered to 70): build.prop and the privapp XML are errors, the APK is still listed', async () => {
    // Through extract --list: a scan would first refuse its own signature files, which are metadata
    // too; 70 still admits the image's 64-byte group descriptor table.
    const r = await withLimit('MAX_METADATA_BYTES', 70, () => extractInput(image('ext4-1k.img'), null));
    const refused = r.errors.filter((e) => e.code === 'E_LIMIT').map((e) => e.path!);
    for (const p of ['ext4-1k.img!/system/build.prop', 'ext4-1k.img!/system/etc/permissions/privapp-permissions-fuzz.xml']) assert.ok(refused.includes(p), p);
    assert.ok(refused.every((p) => /\.(prop|xml)$/.test(p)), refused.join());
    assert.ok(r.files.some((f) => f.path === 'ext4-1k.img!/system/app/Foo/Foo.apk'));
  });

  for (const img of ['ext4-1k.img', 'erofs-plain.img']) {
    test(`MAX_DIR_ENTRIES (lowered to 10): ${img}'s 40-entry folder is an error, the rest is walked`, async () => {
      const r = await withLimit('MAX_DIR_ENTRIES', 10, () => scan(image(img)));
      assert.ok(limitHits(r, 'MAX_DIR_ENTRIES').length >= 1, JSON.stringify(r.errors));
      assert.equal(r.apps.length, 1);
    });
  }

  for (const [img, value] of [['ext4-1k.img', 5], ['erofs-plain.img', 5], ['AP.tar', 1]] as const) {
    test(`MAX_FS_FILES (lowered to ${value}): ${img} stops with an error`, async () => {
      const r = await withLimit('MAX_FS_FILES', value, () => scan(image(img)));
      assert.ok(limitHits(r, 'MAX_FS_FILES').length >= 1, JSON.stringify(r.errors));
    });
  }

  for (const img of ['ext4-4k.simg', 'payload.bin', 'ext4-4k.lz4', 'sdat.zip', 'erofs-lz4hc.img']) {
    test(`MAX_EXTENTS (lowered to 0): ${img} is refused with the limit named`, async () => {
      const r = await withLimit('MAX_EXTENTS', 0, () => scan(image(img)));
      assert.ok(limitHits(r, 'MAX_EXTENTS').length >= 1, JSON.stringify(allErrors(r)));
    });
  }

  test('MAX_FILE_EXTENTS (lowered to 0): reading a file with data is refused', async () => {
    const r = await withLimit('MAX_FILE_EXTENTS', 0, () => scan(image('ext4-1k.img')));
    assert.ok(limitHits(r, 'MAX_FILE_EXTENTS').length >= 1, JSON.stringify(allErrors(r)));
    assert.equal(r.apps.length, 0);
  });

  test('MAX_FS_DEPTH (lowered to 1): the walk does not descend and says so', async () => {
    const r = await withLimit('MAX_FS_DEPTH', 1, () => scan(image('ext4-1k.img')));
    assert.ok(r.errors.some((e) => /MAX_FS_DEPTH/.test(e.message)), JSON.stringify(r.errors));
    assert.equal(r.apps.length, 0);
  });

  test('MAX_EXTENT_DEPTH (lowered to 0): a file with a two-level extent tree is refused', async (t) => {
    const dir = tmp(t);
    mkdirSync(join(dir, 'tree/app'), { recursive: true });
    // Six data islands between holes: more extents than the inode holds, so the tree gets a level.
    const file = join(dir, 'tree/app/Frag.apk');
    writeFileSync(file, '');
    for (let i = 0; i < 6; i++) execFileSync('dd', ['if=/dev/urandom', `of=${file}`, 'bs=4096', 'count=1', `seek=${i * 4}`, 'conv=notrunc'], { stdio: 'ignore' });
    execFileSync('mke2fs', ['-q', '-F', '-t', 'ext4', '-b', '4096', '-O', '^has_journal', '-d', join(dir, 'tree'), join(dir, 'frag.img'), '4M'], { stdio: 'ignore' });
    const plain = await scan(join(dir, 'frag.img'));
    assert.deepEqual(limitHits(plain, 'MAX_EXTENT_DEPTH'), []);
    const r = await withLimit('MAX_EXTENT_DEPTH', 0, () => scan(join(dir, 'frag.img')));
    assert.deepEqual(limitHits(r, 'MAX_EXTENT_DEPTH').map((e) => e.path), ['frag.img!/app/Frag.apk']);
  });

  test('MAX_EXPANDED_BYTES (lowered to 64 KiB): super partitions and sparse images are refused', async () => {
    for (const img of ['super.img', 'ext4-4k.simg']) {
      const r = await withLimit('MAX_EXPANDED_BYTES', 64 * 1024, () => scan(image(img)));
      assert.ok(limitHits(r, 'MAX_EXPANDED_BYTES').length >= 1, `${img}: ${JSON.stringify(allErrors(r))}`);
    }
  });

  test('MAX_DECODED_BYTES (lowered to 1 KiB): compressed payload operations are refused', async () => {
    const r = await withLimit('MAX_DECODED_BYTES', 1024, () => scan(image('payload.bin')));
    assert.ok(limitHits(r, 'MAX_DECODED_BYTES').length >= 1, JSON.stringify(allErrors(r)));
  });
});

describe('parser-local limits', () => {
  test('directory inputs: the walk stops 64 folders down (open-directory)', async (t) => {
    const dir = tmp(t);
    const deep = join(dir, 'rom', ...Array.from({ length: 70 }, (_, i) => `d${i}`));
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(deep, 'Deep.apk'), 'x');
    writeFileSync(join(dir, 'rom', 'd0', 'd1', 'Shallow.apk'), 'x');
    const r = await extractInput(join(dir, 'rom'), null);
    assert.deepEqual(r.files.map((f) => f.path.split('/').pop()), ['Shallow.apk']);
  });

  test('zip symlink entries longer than MAX_LINK_TARGET_BYTES (4096) are not links', async () => {
    const { openZipContainer } = await import('../../src/formats/zip/zip-container.js');
    const zip = buildZip([{ name: 'short', data: new TextEncoder().encode('target') }, { name: 'long', data: new Uint8Array(5000).fill(0x61) }]);
    const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    let cd = view.getUint32(zip.length - 22 + 16, true);
    for (let i = 0; i < 2; i++) {
      view.setUint16(cd + 4, 0x031e, true);
      view.setUint32(cd + 38, (0o120777 << 16) >>> 0, true);
      cd += 46 + view.getUint16(cd + 28, true);
    }
    const c = await openZipContainer(new BufferSource(zip, 'links.zip'));
    const types: string[] = [];
    for await (const e of c.entries()) types.push(`${e.name}:${e.type}`);
    assert.deepEqual(types, ['short:link', 'long:file']);
  });

  test('DER nesting deeper than MAX_DER_DEPTH (32) is a FormatError, not a stack overflow', async () => {
    const { DerReader } = await import('../../src/android/apk/signing-der.js');
    const n = 5000;
    const der = new Uint8Array(4 * n);
    for (let i = 0; i < n; i++) { der[2 * i] = 0x30; der[2 * i + 1] = 0x80; }
    assert.throws(() => new DerReader(der, 'x.RSA').tlv(0), (e: unknown) => e instanceof Error && 'code' in e && e.code === 'E_FORMAT' && /nesting too deep/.test(e.message));
  });

  test('permission XML deeper than MAX_DEPTH (32) is a FormatError', async () => {
    const { parsePrivappPermissions } = await import('../../src/firmware/rom-config/index.js');
    const xml = `${'<a>'.repeat(40)}${'</a>'.repeat(40)}`;
    assert.throws(() => parsePrivappPermissions(xml, 'p.xml'), (e: unknown) => e instanceof Error && 'code' in e && e.code === 'E_FORMAT' && /nesting deeper than 32/.test(e.message));
  });

  test('build.prop keys longer than MAX_KEY_LENGTH (4096) are skipped', async () => {
    const { parseBuildProp } = await import('../../src/firmware/rom-config/index.js');
    const props = parseBuildProp(`${'k'.repeat(5000)}=v\nro.ok=1\n`);
    assert.deepEqual(Object.keys(props), ['ro.ok']);
  });

  test('string pool complaints are capped at MAX_STRING_ANOMALIES (16): the fixture has 33 unterminated strings', () => {
    const doc = parseAxml(readFileSync(join(PROJECT_ROOT, 'test/fixtures/axml/androguard/AndroidManifest_StringNotTerminated.xml')), 'x');
    const complaints = doc.anomalies.filter((a) => /^string pool: string #\d+ is not 0-terminated/.test(a.message));
    assert.equal(complaints.length, 16);
  });

  test('dex anomalies are capped at MAX_ANOMALIES (200) plus a count', { skip: !haveApk && 'corpus absent' }, async () => {
    const { collectCodeFacts } = await import('../../src/analysis/code-facts.js');
    // 890 strings, every one made unreadable.
    const zip = await openZip(new BufferSource(readFileSync(join(CORPUS, 'apk/fdroid-souch.smsbypass_9.apk')), 'sms.apk'));
    const dex = new Uint8Array(await zip.read(zip.find('classes.dex')!));
    const view = new DataView(dex.buffer, dex.byteOffset, dex.byteLength);
    const count = view.getUint32(0x38, true), off = view.getUint32(0x3c, true);
    for (let i = 0; i < count; i++) view.setUint32(off + 4 * i, 0x7fffffff, true); // every string_data_off past the end
    const d = parseDex(dex, 'classes.dex', 'TC.apk!/classes.dex');
    collectCodeFacts([d], new Map());
    for (let i = 0; i < count; i++) d.string(i);
    assert.ok(count > 200);
    assert.equal(d.anomalies.length, 200);
    assert.match(d.anomalies[199].message, /\d+ more anomalies not listed$/);
  });
});

test('every named limit is covered by a test in this file or listed in src/io/LIMITS.md', () => {
  const doc = readFileSync(join(PROJECT_ROOT, 'src/io/LIMITS.md'), 'utf8');
  const self = readFileSync(new URL(import.meta.url), 'utf8');
  for (const name of Object.keys(LIMITS)) {
    assert.ok(doc.includes(`\`${name}\``), `${name} missing from src/io/LIMITS.md`);
    assert.ok(self.includes(name) || new RegExp(`\\\`${name}\\\`[^\\n]*test/`).test(doc), `${name} has no test`);
  }
});


