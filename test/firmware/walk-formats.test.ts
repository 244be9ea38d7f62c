// Every supported container, built by the real tools (mke2fs -d, img2simg, mkfs.erofs, brotli, lz4,
// tar, zip) or by the spec-following writers in test/helpers (payload.bin, super.img), must yield
// the same APKs, byte for byte, under the virtual path INTERFACE.md describes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, copyFileSync, writeFileSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { brotliCompressSync } from 'node:zlib';
import AdmZip from 'adm-zip';
import { extractInput } from '../../src/extract/extract-files.js';
import { writeSuper } from '../helpers/write-super.js';
import { fullPayloadFromImage } from '../helpers/write-payload.js';

process.env.ROMSCAN_STRICT = '1';
const has = (tool: string) => { try { execFileSync('sh', ['-c', `command -v ${tool}`]); return true; } catch { return false; } };
const tools = ['mke2fs', 'img2simg', 'mkfs.erofs', 'lz4', 'tar', 'xz'].filter((t) => !has(t));
const skip = tools.length ? `missing ${tools.join(', ')}` : false;

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const apks = { Weather: readFileSync('samples/apk/Weather.apk'), SelfRegister: readFileSync('samples/apk/SelfRegister.apk') };
let dir = '';
let ext4 = '';

before(() => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'romscan-walk-'));
  const tree = join(dir, 'tree');
  for (const [name, bytes] of Object.entries(apks)) {
    const kind = name === 'SelfRegister' ? 'priv-app' : 'app';
    mkdirSync(join(tree, 'system', kind, name), { recursive: true });
    writeFileSync(join(tree, 'system', kind, name, `${name}.apk`), bytes);
  }
  writeFileSync(join(tree, 'system', 'build.prop'), 'ro.product.model=Walk Test\n');
  ext4 = join(dir, 'system.ext4');
  execFileSync('mke2fs', ['-q', '-F', '-t', 'ext4', '-b', '4096', '-d', tree, ext4, '4M'], { env: { ...process.env, E2FSPROGS_FAKE_TIME: '1577836800' } });
  execFileSync('mkfs.erofs', ['-zlz4hc', join(dir, 'system.erofs'), tree], { stdio: 'ignore' });
});
after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

/** Lists the input and checks both APKs come out with their bytes under `prefix`. */
async function expectApks(input: string, prefix: string): Promise<void> {
  const { files, errors } = await extractInput(input, null);
  assert.deepEqual(errors, []);
  const got = new Map(files.map((f) => [f.path, f.sha256]));
  assert.equal(got.get(`${prefix}/system/app/Weather/Weather.apk`), sha(apks.Weather), [...got.keys()].join('\n'));
  assert.equal(got.get(`${prefix}/system/priv-app/SelfRegister/SelfRegister.apk`), sha(apks.SelfRegister));
  assert.ok(got.has(`${prefix}/system/build.prop`));
}

test('raw ext4', { skip }, () => expectApks(ext4, 'system.ext4!'));

test('Android sparse of ext4 adds no path level', { skip }, () => {
  execFileSync('img2simg', [ext4, join(dir, 'system.img')]);
  return expectApks(join(dir, 'system.img'), 'system.img!');
});

test('EROFS lz4hc', { skip }, () => expectApks(join(dir, 'system.erofs'), 'system.erofs!'));

test('factory zip with a nested image zip holding a sparse image', { skip }, () => {
  execFileSync('img2simg', [ext4, join(dir, 'system.img')]);
  const inner = new AdmZip();
  inner.addFile('system.img', readFileSync(join(dir, 'system.img')));
  inner.addFile('android-info.txt', Buffer.from('require board=demo\n'));
  const outer = new AdmZip();
  outer.addFile('demo-factory/image-demo.zip', inner.toBuffer());
  outer.addFile('demo-factory/flash-all.sh', Buffer.from('#!/bin/sh\n'));
  outer.writeZip(join(dir, 'factory.zip'));
  return expectApks(join(dir, 'factory.zip'), 'factory.zip!/demo-factory/image-demo.zip!/system.img!');
});

test('block OTA zip: transfer list v4 + brotli new.dat', { skip }, () => {
  const image = readFileSync(ext4);
  const blocks = image.length / 4096;
  const ota = new AdmZip();
  ota.addFile('system.transfer.list', Buffer.from(`4\n${blocks}\n0\n0\nerase 2,0,${blocks}\nnew 2,0,${blocks}\n`));
  ota.addFile('system.new.dat.br', brotliCompressSync(image));
  ota.addFile('system.patch.dat', Buffer.alloc(0));
  ota.writeZip(join(dir, 'ota.zip'));
  return expectApks(join(dir, 'ota.zip'), 'ota.zip!/system.new.dat.br!');
});

test('A/B OTA zip with payload.bin (REPLACE + REPLACE_XZ ops)', { skip }, () => {
  const payload = fullPayloadFromImage(readFileSync(ext4), 'system', ['replace', 'xz']);
  const ota = new AdmZip();
  ota.addFile('payload.bin', Buffer.from(payload));
  ota.addFile('payload_properties.txt', Buffer.from('FILE_HASH=x\n'));
  ota.writeZip(join(dir, 'ab-ota.zip'));
  return expectApks(join(dir, 'ab-ota.zip'), 'ab-ota.zip!/payload.bin!/system!');
});

test('super.img (liblp) holding system_a, itself sparse', { skip }, () => {
  const { image } = writeSuper({ partitions: [{ name: 'system_a', data: readFileSync(ext4), pieces: 2 }, { name: 'system_b' }] });
  writeFileSync(join(dir, 'super.raw'), image);
  execFileSync('img2simg', [join(dir, 'super.raw'), join(dir, 'super.img')]);
  return expectApks(join(dir, 'super.img'), 'super.img!/system_a!');
});

test('Samsung tar.md5 with an lz4 member', { skip }, () => {
  execFileSync('lz4', ['-q', '-f', ext4, join(dir, 'system.img.lz4')]);
  execFileSync('tar', ['-C', dir, '-cf', join(dir, 'AP_demo.tar'), 'system.img.lz4']);
  const tar = readFileSync(join(dir, 'AP_demo.tar'));
  const md5 = createHash('md5').update(tar).digest('hex');
  writeFileSync(join(dir, 'AP_demo.tar.md5'), Buffer.concat([tar, Buffer.from(`${md5}  AP_demo.tar\n`)]));
  return expectApks(join(dir, 'AP_demo.tar.md5'), 'AP_demo.tar.md5!/system.img.lz4!');
});

test('a directory of images and APKs', { skip }, async () => {
  const d = join(dir, 'romdir');
  mkdirSync(join(d, 'images'), { recursive: true });
  copyFileSync(ext4, join(d, 'images', 'system.img'));
  copyFileSync('samples/apk/Weather.apk', join(d, 'loose.apk'));
  const { files, errors } = await extractInput(d, null);
  assert.deepEqual(errors, []);
  const paths = files.map((f) => f.path);
  assert.ok(paths.includes('romdir/loose.apk'), paths.join('\n'));
  assert.ok(paths.includes('romdir/images/system.img!/system/app/Weather/Weather.apk'), paths.join('\n'));
});

test('one corrupt partition does not hide the others', { skip }, async () => {
  const good = readFileSync(ext4);
  const bad = Buffer.from(good);
  bad.fill(0xff, 1024 + 4 * 1024, 1024 + 64 * 1024); // superblock kept, group descriptors and tables destroyed
  const zip = new AdmZip();
  zip.addFile('image-x/system.img', good);
  zip.addFile('image-x/vendor.img', bad);
  zip.writeZip(join(dir, 'partial.zip'));
  const { files, errors } = await extractInput(join(dir, 'partial.zip'), null);
  assert.ok(files.some((f) => f.path === 'partial.zip!/image-x/system.img!/system/app/Weather/Weather.apk'));
  assert.ok(errors.length > 0 && errors.every((e) => e.path?.startsWith('partial.zip!/image-x/vendor.img')), JSON.stringify(errors));
});
