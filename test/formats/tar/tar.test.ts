// Differential tests: members we list and read must equal what GNU tar itself extracts, for the
// gnu (long names via 'L'), pax ('x' headers with path=) and ustar (prefix field) formats, and for
// a Samsung-style AP_*.tar.md5 holding an lz4-compressed EROFS image.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { BufferSource, FileSource } from '../../../src/io/source.js';
import { detectTar, openTar } from '../../../src/formats/tar/index.js';
import { detectLz4Frame, openLz4Frame } from '../../../src/formats/lz4/index.js';
import { detectErofs, openErofs } from '../../../src/formats/erofs/index.js';
import { parseTarHeader, tarChecksumOk } from '../../../src/formats/tar/header.js';
import { ByteReader } from '../../../src/io/byte-reader.js';
import { isRomscanError } from '../../../src/io/errors/index.js';
import type { Container } from '../../../src/formats/container.js';
import {
  assertSameTree, findTool, fsckExtract, listContainer, makeErofsTree, makeTempDir, mkfsErofs, prng, removeDir, textish, walkDisk, type TreeItem,
} from '../erofs/helpers.js';

const skip = findTool('tar') ? false : 'GNU tar not installed';

function run(cmd: string, args: string[], cwd?: string): void {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
}


function makeTarTree(root: string): void {
  const w = (p: string, data: Uint8Array | string) => {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), data);
  };
  w('empty', '');
  w('one-block.bin', prng(1, 512));
  w('odd.bin', prng(2, 1000));
  w('text/build.prop', textish(3, 50_000));
  w(`${'long-directory-name-'.repeat(6)}/${'x'.repeat(120)}.apk`, prng(4, 3000));
  w(`${'p'.repeat(90)}/${'q'.repeat(90)}/short.txt`, 'prefix field\n'); // > 100 chars, fits ustar prefix
  w('unicode/añb-文件.txt', 'utf-8\n');
  mkdirSync(join(root, 'empty-dir'));
  symlinkSync('text/build.prop', join(root, 'link'));
  symlinkSync(`${'t'.repeat(150)}/target`, join(root, 'long-link'));
  run('ln', [join(root, 'odd.bin'), join(root, 'hardlink.bin')]);
}

describe('tar: differential against GNU tar', { skip }, () => {
  let dir = '';
  before(() => {
    dir = makeTempDir('romscan-tar-');
    makeTarTree(join(dir, 'src'));
  });
  after(() => removeDir(dir));

  for (const format of ['gnu', 'pax', 'ustar']) {
    test(`--format=${format}`, async () => {
      const file = join(dir, `${format}.tar`);
      const members = format === 'ustar'
        // ustar cannot hold names over 255 bytes or long link targets.
        ? ['empty', 'one-block.bin', 'odd.bin', 'text', 'unicode', 'empty-dir', 'link', 'hardlink.bin', `${'p'.repeat(90)}`]
        : ['.'];
      run('tar', ['-c', `--format=${format}`, '-f', file, '-C', join(dir, 'src'), ...members]);
      const out = join(dir, `out-${format}`);
      mkdirSync(out);
      run('tar', ['-x', '-f', file, '-C', out]);
      const theirs = walkDisk(out);
      const source = await FileSource.open(file);
      try {
        assert.ok(detectTar(await source.read(0, 512)));
        const c = await openTar(source);
        assert.equal(c.format, 'tar');
        assertSameTree(await listContainer(c, 333), theirs);
        assert.deepEqual(c.anomalies, []);
      } finally {
        await source.close();
      }
    });
  }

  test('Samsung AP .tar.md5: lz4 member holding an EROFS image, read in place through every layer', async (t) => {
    if (!findTool('lz4') || !findTool('mkfs.erofs') || !findTool('fsck.erofs')) { t.skip('lz4 or erofs-utils missing'); return; }
    const work = join(dir, 'samsung');
    mkdirSync(join(work, 'fs'), { recursive: true });
    makeErofsTree(join(work, 'fs'));
    mkfsErofs(join(work, 'system.img'), join(work, 'fs'), ['-zlz4hc', '-C65536']);
    const theirs = fsckExtract(join(work, 'system.img'), join(work, 'fsck'));
    // Samsung's build: lz4 -B6 --content-size, GNU tar, then md5sum appended.
    run('lz4', ['-q', '-B6', '--content-size', join(work, 'system.img'), join(work, 'system.img.lz4')]);
    writeFileSync(join(work, 'boot.img'), prng(5, 70_000));
    run('tar', ['-c', '--format=gnu', '-f', join(work, 'AP.tar'), '-C', work, 'boot.img', 'system.img.lz4']);
    const md5 = createHash('md5').update(readFileSync(join(work, 'AP.tar'))).digest('hex');
    appendFileSync(join(work, 'AP.tar'), `${md5}  AP.tar\n`);

    const source = await FileSource.open(join(work, 'AP.tar'));
    try {
      const tar = await openTar(source);
      const names: string[] = [];
      let erofs: Container | null = null;
      for await (const e of tar.entries()) {
        names.push(e.name);
        if (e.name !== 'system.img.lz4') continue;
        const member = await e.open();
        assert.ok(detectLz4Frame(await member.read(0, 64)));
        const image = await openLz4Frame(member);
        assert.equal(image.path, `${source.path}!/system.img.lz4`);
        assert.ok(detectErofs(await image.read(0, Math.min(65536, image.size))));
        erofs = await openErofs(image);
      }
      assert.deepEqual(names, ['boot.img', 'system.img.lz4']);
      assert.deepEqual(tar.anomalies, []);
      assertSameTree(await listContainer(erofs!), theirs);
    } finally {
      await source.close();
    }
  });
});

describe('tar: headers', () => {
  function header(fields: { name: string; size?: Uint8Array; type?: string }): Uint8Array {
    const b = new Uint8Array(512);
    b.set(new TextEncoder().encode(fields.name), 0);
    b.set(new TextEncoder().encode('0000644\0'), 100);
    b.set(fields.size ?? new TextEncoder().encode('00000000012\0'), 124);
    b[156] = (fields.type ?? '0').charCodeAt(0);
    b.set(new TextEncoder().encode('ustar  \0'), 257);
    b.fill(0x20, 148, 156);
    let sum = 0;
    for (const v of b) sum += v;
    b.set(new TextEncoder().encode(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
    return b;
  }

  test('GNU base-256 size (members of 8 GiB and more, e.g. super.img)', () => {
    const size = new Uint8Array(12);
    size[0] = 0x80;
    const v = 9 * 1024 ** 3; // 9 GiB
    let x = v;
    for (let i = 11; i > 0; i--) { size[i] = x % 256; x = Math.floor(x / 256); }
    const h = header({ name: 'super.img', size });
    assert.ok(tarChecksumOk(h));
    assert.equal(parseTarHeader(new ByteReader(h)).size, v);
  });

  test('a member running past the end stops the listing with an anomaly', async () => {
    const h = header({ name: 'cut.bin', size: new TextEncoder().encode('00000001000\0') });
    const c = await openTar(new BufferSource(Uint8Array.from([...h, ...new Uint8Array(100)]), 'cut.tar'));
    const entries = [];
    for await (const e of c.entries()) entries.push(e);
    assert.equal(entries.length, 0);
    assert.equal(c.anomalies!.length, 1);
  });

  test('names with .. are skipped, leading / and ./ stripped', async () => {
    const parts = [header({ name: '../evil' }), new Uint8Array(512), header({ name: '/abs/ok' }), new Uint8Array(512), header({ name: './rel' }), new Uint8Array(512), new Uint8Array(1024)];
    const c = await openTar(new BufferSource(Uint8Array.from(parts.flatMap((p) => [...p])), 'n.tar'));
    const names = [];
    for await (const e of c.entries()) names.push(e.name);
    assert.deepEqual(names, ['abs/ok', 'rel']);
    assert.equal(c.anomalies!.length, 1);
  });

  test('not a tar', async () => {
    assert.equal(detectTar(new Uint8Array(512)), false);
    await assert.rejects(openTar(new BufferSource(new Uint8Array(1024).fill(7), 'x')), { code: 'E_FORMAT' });
  });
});

describe('tar: hostile input', { skip }, () => {
  test('does not hang or crash on truncations and bit flips', async () => {
    const work = makeTempDir('romscan-tarfuzz-');
    try {
      const src = join(work, 'src');
      mkdirSync(src);
      writeFileSync(join(src, 'a.txt'), textish(1, 3000));
      writeFileSync(join(src, `${'n'.repeat(150)}.bin`), prng(2, 700));
      symlinkSync('a.txt', join(src, 'l'));
      const results: Uint8Array[] = [];
      for (const format of ['gnu', 'pax']) {
        run('tar', ['-c', `--format=${format}`, '-f', join(work, 't.tar'), '-C', src, '.']);
        results.push(readFileSync(join(work, 't.tar')));
      }
      let x = 7;
      const started = Date.now();
      for (const good of results) {
        const variants: Uint8Array[] = [];
        for (let cut = 0; cut < good.length; cut += 97) variants.push(good.subarray(0, cut));
        for (let k = 0; k < 400; k++) {
          x = (Math.imul(x, 1103515245) + 12345) >>> 0;
          const m = Uint8Array.from(good);
          m[x % Math.min(m.length, 4096)] ^= 1 << ((x >>> 16) & 7);
          variants.push(m);
        }
        for (const v of variants) {
          try {
            const c = await openTar(new BufferSource(v, 'fuzz.tar'));
            for await (const e of c.entries()) if (e.type === 'file') { const s = await e.open(); await s.read(0, s.size); }
          } catch (e) {
            if (!isRomscanError(e)) throw e;
          }
        }
      }
      assert.ok(Date.now() - started < 10_000);
    } finally {
      removeDir(work);
    }
  });
});
