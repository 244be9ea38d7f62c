// extract --out against hostile names and a hostile output folder: zip-slip ("../", absolute
// names, drive letters, NUL, backslashes), symlinks (planted in the output folder, or in the input),
// hard links, duplicate names, case and Unicode-normalisation clashes, pre-existing files with and
// without --force. The property every test checks: nothing is created or changed outside the
// output folder, and nothing that existed is overwritten without --force.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractInput } from '../../src/extract/extract-files.js';
import { clashKey, destinationFor, safeComponents, UnsafePathError } from '../../src/extract/safe-path.js';
import { RomscanError } from '../../src/io/errors/index.js';
import { buildZip, type MemberSpec } from '../fuzz/lib/zip-model.js';

const enc = new TextEncoder();
const body = (s: string) => enc.encode(`not really an apk: ${s}\n`);

function sandbox(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'romscan-extract-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Every path under `dir` (relative), with what it is. */
function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n), r = rel ? `${rel}/${n}` : n;
      const st = lstatSync(p);
      out.push(`${r}${st.isSymbolicLink() ? ' -> link' : st.isDirectory() ? '/' : ''}`);
      if (st.isDirectory() && !st.isSymbolicLink()) walk(p, r);
    }
  };
  walk(dir, '');
  return out;
}

function writeZip(dir: string, name: string, members: MemberSpec[]): string {
  const file = join(dir, name);
  writeFileSync(file, buildZip(members));
  return file;
}

/** Errors other than the zip reader's anomalies (duplicate names, NUL in names are also anomalies there). */
const codes = (r: { errors: { code?: string; path?: string }[] }) => r.errors.filter((e) => e.code !== 'E_ANOMALY').map((e) => `${e.code} ${e.path}`).sort();

describe('extract --out: zip-slip names', () => {
  const evil = [
    '../../evil-dotdot.apk',
    'app/../../../evil-inner.apk',
    '/tmp/evil-absolute.apk',
    '\\evil-backslash-absolute.apk',
    'app\\..\\..\\evil-backslash.apk',
    'C:\\evil-drive.apk',
    'C:/evil-drive2.apk',
    'D:evil-drive-relative.apk',
    'app/evil\0.apk',
    '.. /evil-dot-space.apk',
    'app/.../evil-dots.apk',
  ];

  for (const name of evil) {
    test(`refuses ${JSON.stringify(name)} and writes nothing outside`, async (t) => {
      const dir = sandbox(t);
      const input = writeZip(dir, 'rom.zip', [{ name, data: body(name) }, { name: 'app/Good.apk', data: body('good') }]);
      const out = join(dir, 'out');
      const r = await extractInput(input, out, true);
      assert.deepEqual(codes(r), [`E_UNSAFE_PATH rom.zip!/${name}`]);
      assert.deepEqual(r.files.map((f) => f.path), ['rom.zip!/app/Good.apk']);
      assert.deepEqual(readdirSync(dir).sort(), ['out', 'rom.zip']);
      assert.deepEqual(listTree(out), ['rom.zip/', 'rom.zip/app/', 'rom.zip/app/Good.apk']);
      assert.equal(existsSync('/tmp/evil-absolute.apk'), false);
    });
  }

  test('a name that only looks odd stays inside and is written', async (t) => {
    const dir = sandbox(t);
    const input = writeZip(dir, 'rom.zip', [{ name: './app//Odd..name.apk', data: body('odd') }, { name: 'app/a!/b.apk', data: body('bang') }]);
    const out = join(dir, 'out');
    const r = await extractInput(input, out);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(listTree(out), ['rom.zip/', 'rom.zip/app/', 'rom.zip/app/Odd..name.apk', 'rom.zip/app/a/', 'rom.zip/app/a/b.apk']);
  });
});

describe('extract --out: symlinks and hard links', () => {
  test('a symlinked folder planted in the output folder is not followed', async (t) => {
    const dir = sandbox(t);
    const input = writeZip(dir, 'rom.zip', [{ name: 'app/X.apk', data: body('x') }]);
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    const out = join(dir, 'out');
    mkdirSync(out);
    symlinkSync(elsewhere, join(out, 'rom.zip'));
    for (const force of [false, true]) {
      const r = await extractInput(input, out, force);
      assert.equal(r.errors.length, 1);
      assert.match(r.errors[0].message, /is a symlink/);
      assert.deepEqual(readdirSync(elsewhere), []);
    }
  });

  test('a symlink planted at the file itself is not written through, even with --force', async (t) => {
    const dir = sandbox(t);
    const input = writeZip(dir, 'rom.zip', [{ name: 'app/X.apk', data: body('new') }]);
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'precious');
    const out = join(dir, 'out');
    mkdirSync(join(out, 'rom.zip/app'), { recursive: true });
    symlinkSync(victim, join(out, 'rom.zip/app/X.apk'));
    symlinkSync(join(dir, 'dangling-target'), join(out, 'rom.zip/app/Y.apk'));
    for (const force of [false, true]) {
      const r = await extractInput(input, out, force);
      assert.equal(r.errors.length, 1, JSON.stringify(r.errors));
      assert.equal(r.errors[0].code, 'E_UNSAFE_PATH');
      assert.equal(readFileSync(victim, 'utf8'), 'precious');
    }
    assert.equal(existsSync(join(dir, 'dangling-target')), false);
  });

  test('a hard link planted at the file is replaced, not written through, with --force', async (t) => {
    const dir = sandbox(t);
    const input = writeZip(dir, 'rom.zip', [{ name: 'app/X.apk', data: body('new') }]);
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'precious');
    const out = join(dir, 'out');
    mkdirSync(join(out, 'rom.zip/app'), { recursive: true });
    linkSync(victim, join(out, 'rom.zip/app/X.apk'));
    const without = await extractInput(input, out, false);
    assert.match(without.errors[0]?.message ?? '', /file exists/);
    const withForce = await extractInput(input, out, true);
    assert.deepEqual(withForce.errors, []);
    assert.equal(readFileSync(victim, 'utf8'), 'precious');
    assert.equal(readFileSync(join(out, 'rom.zip/app/X.apk'), 'utf8'), 'not really an apk: new\n');
    assert.equal(statSync(join(out, 'rom.zip/app/X.apk')).nlink, 1);
  });

  test('symlinks inside an input folder are neither followed nor recreated', async (t) => {
    const dir = sandbox(t);
    const secret = join(dir, 'secret.apk');
    writeFileSync(secret, 'host file');
    const rom = join(dir, 'rom');
    mkdirSync(join(rom, 'system/app/A'), { recursive: true });
    writeFileSync(join(rom, 'system/app/A/A.apk'), body('a'));
    symlinkSync(secret, join(rom, 'system/app/A/Evil.apk'));
    symlinkSync(dir, join(rom, 'system/app/up'));
    const out = join(dir, 'out');
    const r = await extractInput(rom, out);
    assert.deepEqual(r.files.map((f) => f.path), ['rom/system/app/A/A.apk']);
    assert.deepEqual(listTree(out), ['rom/', 'rom/system/', 'rom/system/app/', 'rom/system/app/A/', 'rom/system/app/A/A.apk']);
  });

  test('a symlink entry in a zip (unix mode 0120000) is not written', async (t) => {
    const dir = sandbox(t);
    const zip = buildZip([{ name: 'app/Link.apk', data: enc.encode('/etc/passwd') }, { name: 'app/Real.apk', data: body('real') }]);
    // Mark the first central record as a symlink made on Unix (version made by 3 << 8).
    const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    const cd = view.getUint32(zip.length - 22 + 16, true);
    view.setUint16(cd + 4, 0x031e, true);
    view.setUint32(cd + 38, (0o120777 << 16) >>> 0, true);
    const input = join(dir, 'rom.zip');
    writeFileSync(input, zip);
    const out = join(dir, 'out');
    const r = await extractInput(input, out);
    assert.deepEqual(r.files.map((f) => f.path), ['rom.zip!/app/Real.apk']);
    assert.deepEqual(listTree(out), ['rom.zip/', 'rom.zip/app/', 'rom.zip/app/Real.apk']);
  });

  test('hard-linked files in a tar become separate plain files', { skip: !hasTool('tar') && 'GNU tar not installed' }, async (t) => {
    const dir = sandbox(t);
    const tree = join(dir, 'tree');
    mkdirSync(join(tree, 'system/app/A'), { recursive: true });
    mkdirSync(join(tree, 'system/app/B'), { recursive: true });
    writeFileSync(join(tree, 'system/app/A/A.apk'), body('shared'));
    linkSync(join(tree, 'system/app/A/A.apk'), join(tree, 'system/app/B/B.apk'));
    const input = join(dir, 'rom.tar');
    execFileSync('tar', ['--format=gnu', '-cf', input, '-C', tree, 'system']);
    const out = join(dir, 'out');
    const r = await extractInput(input, out);
    for (const f of listTree(out).filter((p) => p.endsWith('.apk'))) {
      const st = lstatSync(join(out, f));
      assert.ok(st.isFile() && st.nlink === 1, f);
    }
    assert.ok(r.files.some((f) => f.path === 'rom.tar!/system/app/A/A.apk'));
  });
});

describe('extract --out: duplicates, case clashes, existing files', () => {
  test('duplicate entry names: the first is written, the second is an error (also with --force)', async (t) => {
    const dir = sandbox(t);
    const input = writeZip(dir, 'rom.zip', [{ name: 'app/X.apk', data: body('first') }, { name: 'app/X.apk', data: body('second') }]);
    for (const force of [false, true]) {
      const out = join(dir, `out-${force}`);
      const r = await extractInput(input, out, force);
      assert.deepEqual(codes(r), ['E_UNSAFE_PATH rom.zip!/app/X.apk']);
      assert.match(r.errors.find((e) => e.code === 'E_UNSAFE_PATH')!.message, /duplicate name/);
      assert.equal(readFileSync(join(out, 'rom.zip/app/X.apk'), 'utf8'), 'not really an apk: first\n');
    }
  });

  test('names equal up to letter case or Unicode normalisation are written once', async (t) => {
    const dir = sandbox(t);
    const nfc = 'app/Caf\u00e9.apk', nfd = 'app/Cafe\u0301.apk';
    const input = writeZip(dir, 'rom.zip', [
      { name: 'app/Foo.apk', data: body('Foo') }, { name: 'app/foo.apk', data: body('foo') },
      { name: nfc, data: body('nfc') }, { name: nfd, data: body('nfd') },
      { name: 'System/a.apk', data: body('S') }, { name: 'system/b.apk', data: body('s') },
      { name: 'x.apk', data: body('file') }, { name: 'X.apk/inner.apk', data: body('under a file') },
    ]);
    const out = join(dir, 'out');
    const r = await extractInput(input, out, true);
    assert.deepEqual(codes(r), [`E_UNSAFE_PATH rom.zip!/${nfd}`, 'E_UNSAFE_PATH rom.zip!/X.apk/inner.apk', 'E_UNSAFE_PATH rom.zip!/app/foo.apk', 'E_UNSAFE_PATH rom.zip!/system/b.apk'].sort());
    assert.deepEqual(listTree(out), ['rom.zip/', 'rom.zip/System/', 'rom.zip/System/a.apk', 'rom.zip/app/', `rom.zip/app/Caf\u00e9.apk`, 'rom.zip/app/Foo.apk', 'rom.zip/x.apk']);
  });

  test('an existing file is kept without --force and replaced with it', async (t) => {
    const dir = sandbox(t);
    const input = writeZip(dir, 'rom.zip', [{ name: 'app/X.apk', data: body('new') }]);
    const out = join(dir, 'out');
    mkdirSync(join(out, 'rom.zip/app'), { recursive: true });
    writeFileSync(join(out, 'rom.zip/app/X.apk'), 'old');
    const kept = await extractInput(input, out, false);
    assert.deepEqual(codes(kept), ['E_UNSAFE_PATH rom.zip!/app/X.apk']);
    assert.equal(readFileSync(join(out, 'rom.zip/app/X.apk'), 'utf8'), 'old');
    const replaced = await extractInput(input, out, true);
    assert.deepEqual(replaced.errors, []);
    assert.equal(readFileSync(join(out, 'rom.zip/app/X.apk'), 'utf8'), 'not really an apk: new\n');
  });

  test('an existing folder where a file goes is left alone, even with --force', async (t) => {
    const dir = sandbox(t);
    const input = writeZip(dir, 'rom.zip', [{ name: 'app/X.apk', data: body('x') }]);
    const out = join(dir, 'out');
    mkdirSync(join(out, 'rom.zip/app/X.apk/keep'), { recursive: true });
    const r = await extractInput(input, out, true);
    assert.match(r.errors[0]?.message ?? '', /not a regular file/);
    assert.ok(statSync(join(out, 'rom.zip/app/X.apk/keep')).isDirectory());
  });

  test('a file cut short by damaged input is not left behind', async (t) => {
    const dir = sandbox(t);
    const zip = buildZip([{ name: 'app/X.apk', data: new Uint8Array(5000).fill(7), deflate: true }]);
    // Corrupt the deflate stream so decoding fails after the output file was created.
    const dataStart = 30 + 'app/X.apk'.length;
    zip.fill(0xff, dataStart, dataStart + 8);
    const input = join(dir, 'rom.zip');
    writeFileSync(input, zip);
    const out = join(dir, 'out');
    const r = await extractInput(input, out);
    assert.equal(r.errors.length, 1);
    assert.ok(r.errors[0].code === 'E_FORMAT' || r.errors[0].code === 'E_LIMIT', JSON.stringify(r.errors));
    assert.equal(existsSync(join(out, 'rom.zip/app/X.apk')), false);
  });

  test('an output folder inside (or around) the input folder is refused', async (t) => {
    const dir = sandbox(t);
    const rom = join(dir, 'rom');
    mkdirSync(join(rom, 'app'), { recursive: true });
    writeFileSync(join(rom, 'app/A.apk'), body('a'));
    await assert.rejects(extractInput(rom, join(rom, 'out')), (e: RomscanError) => e.code === 'E_USAGE');
    await assert.rejects(extractInput(rom, dir), (e: RomscanError) => e.code === 'E_USAGE');
    await assert.rejects(extractInput(rom, rom), (e: RomscanError) => e.code === 'E_USAGE');
  });
});

describe('extract --out: size bombs', { skip: !hasTool('mke2fs') && 'mke2fs not installed' }, () => {
  /** An 8 MiB ext4 image holding files of `size` bytes that are all hole. */
  function holeImage(dir: string, files: Record<string, number>): string {
    const tree = join(dir, 'tree');
    for (const [name, size] of Object.entries(files)) {
      mkdirSync(join(tree, name, '..'), { recursive: true });
      writeFileSync(join(tree, name), '');
      execFileSync('truncate', ['-s', String(size), join(tree, name)]);
    }
    const image = join(dir, 'holes.img');
    execFileSync('mke2fs', ['-q', '-F', '-t', 'ext4', '-b', '4096', '-O', '^has_journal', '-d', tree, image, '8M'], { stdio: 'ignore' });
    return image;
  }

  test('a file larger than the analyzer reads is refused (MAX_APK_BYTES), not written or hashed', async (t) => {
    const dir = sandbox(t);
    const image = holeImage(dir, { 'system/app/Big/Big.apk': 3 * 2 ** 30, 'system/build.prop': 17 * 2 ** 20 });
    const out = join(dir, 'out');
    const started = Date.now();
    const r = await extractInput(image, out);
    assert.deepEqual(r.errors.map((e) => `${e.code} ${e.path} ${/over (MAX_\w+)/.exec(e.message)?.[1]}`).sort(), [
      'E_LIMIT holes.img!/system/app/Big/Big.apk MAX_APK_BYTES', 'E_LIMIT holes.img!/system/build.prop MAX_METADATA_BYTES',
    ]);
    assert.equal(existsSync(join(out, 'holes.img/system/app/Big/Big.apk')), false);
    assert.ok(Date.now() - started < 5000);
  });

  test('holes stay holes: a sparse 256 MiB file is written sparse, at its full size', async (t) => {
    const dir = sandbox(t);
    const image = holeImage(dir, { 'system/app/Sparse/Sparse.apk': 2 ** 28 });
    const out = join(dir, 'out');
    const r = await extractInput(image, out);
    assert.deepEqual(r.errors, []);
    const st = statSync(join(out, 'holes.img/system/app/Sparse/Sparse.apk'));
    assert.equal(st.size, 2 ** 28);
    assert.ok(st.blocks * 512 < 1024 * 1024, `${st.blocks} blocks allocated`);
  });
});

describe('safe-path', () => {
  test('components and refusals', () => {
    assert.deepEqual(safeComponents('rom.zip!/system.img!/system/app/X.apk'), ['rom.zip', 'system.img', 'system', 'app', 'X.apk']);
    for (const bad of ['a!//etc/x', 'a!/\\x', '/a', 'a!/b/../c', 'a\0b', 'a!/C:x', 'a!/...', 'a!/ ', '']) {
      assert.throws(() => safeComponents(bad), UnsafePathError, JSON.stringify(bad));
    }
  });

  test('Windows device names and trailing dots are refused when writing on Windows only', () => {
    for (const bad of ['a!/CON', 'a!/nul.txt', 'a!/app/COM1.apk', 'a!/x.apk.', 'a!/x.apk ', 'a!/what?.apk', 'a!/a<b.apk']) {
      assert.throws(() => safeComponents(bad, 'win32'), UnsafePathError, bad);
      assert.doesNotThrow(() => safeComponents(bad, 'linux'), bad);
    }
  });

  test('destinations stay under the folder', () => {
    assert.equal(destinationFor('/out', 'a.zip!/b/c.apk', 'linux'), '/out/a.zip/b/c.apk');
    assert.equal(clashKey('App/Cafe\u0301.APK'), clashKey('app/caf\u00e9.apk'));
  });
});

function hasTool(name: string): boolean {
  try {
    execFileSync('which', [name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
