// Test helpers: build a deterministic source tree, turn it into EROFS images with mkfs.erofs, and
// read back what fsck.erofs --extract (the erofs-utils reference reader) makes of them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, linkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Container } from '../../../src/formats/container.js';
import { findTool, makeTempDir, removeDir } from '../../helpers/tools.js';
export { findTool, makeTempDir, removeDir };

export interface TreeItem {
  type: 'file' | 'dir' | 'link';
  size: number;
  sha256?: string;
  linkTarget?: string;
}

/** Deterministic pseudo-random bytes (xorshift32), so fixtures are identical on every run. */
export function prng(seed: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** Text that compresses the way code and resources do (repetition at many distances). */
export function textish(seed: number, n: number): Uint8Array {
  const words = ['android', 'system', 'framework', 'package', 'activity', 'service', 'receiver', 'intent', 'permission', 'http://example.com/', '0123456789', 'ro.build.', '\n'];
  const r = prng(seed, n);
  const parts: string[] = [];
  let len = 0;
  for (let i = 0; len < n; i++) {
    const w = words[r[i % n] % words.length] + (r[(i * 7) % n] & 1 ? ' ' : '=');
    parts.push(w);
    len += w.length;
  }
  return new TextEncoder().encode(parts.join('')).subarray(0, n);
}

/** Writes `data` at `p` under `root`, creating the folders on the way. */
function fileWriter(root: string): (p: string, data: Uint8Array | string) => void {
  return (p, data) => {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), data);
  };
}

/**
 * A tree exercising every layout mkfs.erofs picks: empty, inline-tail, exactly one block,
 * multi-block, incompressible, compressible, long runs of zeros, a 4 KiB-aligned size,
 * many dirents (several directory blocks), long names, symlinks and a hard link.
 */
export function makeErofsTree(root: string, scale = 1): void {
  const w = fileWriter(root);
  mkdirSync(join(root, 'empty-dir'), { recursive: true });
  w('empty.txt', '');
  w('small.txt', 'hello erofs\n');
  w('block.bin', prng(1, 4096));
  w('block-plus-one.bin', prng(2, 4097));
  w('system/build.prop', Array.from({ length: 2000 }, (_, i) => `ro.prop.${i}=value${i * 7}\n`).join(''));
  w('system/app/Foo/Foo.apk', concat(prng(3, 300_000 * scale), new Uint8Array(100_000).fill(0x41), prng(4, 5000)));
  w('system/priv-app/Bar/Bar.apk', textish(5, 900_000 * scale));
  w('system/framework/zeros.bin', new Uint8Array(3 * 1024 * 1024 + 17));
  w('system/framework/aligned.bin', textish(6, 64 * 1024));
  for (let i = 0; i < 300; i++) w(`many/file_with_a_long_name_number_${String(i).padStart(4, '0')}.txt`, `${i}\n`.repeat(i));
  const deep = `${'d'.repeat(100)}/${'e'.repeat(100)}`;
  w(`${deep}/${'f'.repeat(254)}`, 'deep\n');
  w('unicode/añb-文件.txt', 'utf-8 name\n');
  symlinkSync('system/build.prop', join(root, 'link-to-prop'));
  symlinkSync(`/dev/null/${'x'.repeat(200)}`, join(root, 'long-link'));
  linkSync(join(root, 'small.txt'), join(root, 'hardlink.txt'));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** Android-style file contexts: every inode gets a security.selinux xattr, as on a real system image. */
export function writeFileContexts(path: string): void {
  writeFileSync(path, '/.* u:object_r:system_file:s0\n/system/build\\.prop u:object_r:system_prop_file:s0\n/many(/.*)? u:object_r:many_file_with_a_long_context_name:s0\n');
}

export function mkfsErofs(image: string, srcDir: string, options: string[]): void {
  const r = spawnSync('mkfs.erofs', ['--quiet', '-T0', ...options, image, srcDir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mkfs.erofs ${options.join(' ')} failed: ${r.stderr}${r.stdout}`);
}

/** Everything fsck.erofs --extract writes, by '/'-separated relative name. */
export function fsckExtract(image: string, outDir: string): Map<string, TreeItem> {
  const r = spawnSync('fsck.erofs', [`--extract=${outDir}`, '--no-preserve', image], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`fsck.erofs failed: ${r.stderr}${r.stdout}`);
  return walkDisk(outDir);
}

export function walkDisk(dir: string): Map<string, TreeItem> {
  const out = new Map<string, TreeItem>();
  const visit = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const p = join(dir, r);
      const st = lstatSync(p);
      if (st.isSymbolicLink()) out.set(r, { type: 'link', size: st.size, linkTarget: readlinkSync(p) });
      else if (st.isDirectory()) { out.set(r, { type: 'dir', size: 0 }); visit(r); }
      else out.set(r, { type: 'file', size: st.size, sha256: createHash('sha256').update(readFileSync(p)).digest('hex') });
    }
  };
  visit('');
  return out;
}

/** Lists a container and hashes every file, reading in uneven pieces to cross extent boundaries. */
export async function listContainer(c: Container, piece = 77_777): Promise<Map<string, TreeItem>> {
  const map = new Map<string, TreeItem>();
  for await (const e of c.entries()) {
    if (map.has(e.name)) throw new Error(`duplicate entry ${e.name}`);
    if (e.name.startsWith('/') || e.name.endsWith('/') || e.name === '') throw new Error(`bad name ${JSON.stringify(e.name)}`);
    if (e.type === 'file') {
      const src = await e.open();
      if (src.size !== e.size) throw new Error(`${e.name}: source size ${src.size} != entry size ${e.size}`);
      const hash = createHash('sha256');
      for (let off = 0; off < src.size; off += piece) hash.update(await src.read(off, Math.min(piece, src.size - off)));
      map.set(e.name, { type: 'file', size: e.size, sha256: hash.digest('hex') });
    } else if (e.type === 'link') {
      map.set(e.name, { type: 'link', size: e.size, linkTarget: e.linkTarget });
    } else {
      map.set(e.name, { type: 'dir', size: 0 });
    }
  }
  return map;
}

/** A small tree (~60 KB) for committed fixtures and hostile-input tests: every layout, little data. */
export function makeSmallErofsTree(root: string): void {
  const w = fileWriter(root);
  mkdirSync(join(root, 'empty-dir'), { recursive: true });
  w('empty.txt', '');
  w('small.txt', 'hello erofs\n');
  w('block.bin', prng(1, 4096));
  w('system/build.prop', Array.from({ length: 300 }, (_, i) => `ro.prop.${i}=value${i * 7}\n`).join(''));
  w('system/app/Foo/Foo.apk', concat(prng(3, 9000), new Uint8Array(20_000).fill(0x41), textish(4, 20_000)));
  w('system/framework/zeros.bin', new Uint8Array(70_000));
  for (let i = 0; i < 40; i++) w(`many/file_${String(i).padStart(3, '0')}_${'n'.repeat(60)}.txt`, `${i}\n`.repeat(i * 3));
  symlinkSync('system/build.prop', join(root, 'link-to-prop'));
  linkSync(join(root, 'small.txt'), join(root, 'hardlink.txt'));
}

/** Our listing equals the reference tool's: names, types, sizes, contents and link targets. */
export function assertSameTree(ours: Map<string, TreeItem>, theirs: Map<string, TreeItem>): void {
  assert.deepEqual([...ours.keys()].sort(), [...theirs.keys()].sort());
  for (const [name, t] of theirs) {
    const o = ours.get(name)!;
    assert.equal(o.type, t.type, `${name}: type`);
    if (t.type === 'file') {
      assert.equal(o.size, t.size, `${name}: size`);
      assert.equal(o.sha256, t.sha256, `${name}: contents`);
    }
    if (t.type === 'link') assert.equal(o.linkTarget, t.linkTarget, `${name}: link target`);
  }
}
