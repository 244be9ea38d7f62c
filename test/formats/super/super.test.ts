// super.img (liblp) images written by test/helpers/write-super.ts from the AOSP layout; ext4
// partitions inside are built by mke2fs and read back through super (and sparse super).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BufferSource, FileSource } from '../../../src/io/source.js';
import { RomscanError } from '../../../src/io/errors/index.js';
import { detectSuper, openSuper, SuperImage } from '../../../src/formats/super/index.js';
import { openSparse, detectSparse } from '../../../src/formats/sparse/index.js';
import { openExt4 } from '../../../src/formats/ext4/index.js';
import type { Container, Entry } from '../../../src/formats/container.js';
import { buildExt4, findTool, makeTempDir, makeTree, pseudoRandom, removeDir } from '../../helpers/build-ext4.js';
import { writeSuper, fixMetadataChecksums, SECTOR } from '../../helpers/write-super.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

async function entriesOf(c: Container): Promise<Entry[]> {
  const out: Entry[] = [];
  for await (const e of c.entries()) out.push(e);
  return out;
}

function sampleSpec(minor: 0 | 1 | 2) {
  const vendor = pseudoRandom(40_000, 11);
  const product = pseudoRandom(9_000, 12);
  return {
    vendor, product,
    spec: {
      minorVersion: minor, slotCount: 3,
      groups: [{ name: 'default', maximumSize: 0 }, { name: 'main_a', maximumSize: 1 << 30 }, { name: 'main_b', maximumSize: 1 << 30 }],
      partitions: [
        { name: 'system_a', data: pseudoRandom(20_000, 10), groupIndex: 1, attributes: 3 },
        { name: 'system_b', groupIndex: 2, attributes: 3 },
        { name: 'vendor_a', data: vendor, pieces: 3, zeroSectors: 16, groupIndex: 1 },
        { name: 'product', data: product, groupIndex: 0, attributes: 0 },
      ],
    },
  };
}

describe('super.img (liblp) reader', () => {
  for (const minor of [0, 1, 2] as const) {
    test(`metadata v10.${minor}: partitions, multi-extent LINEAR + ZERO, empty slot skipped`, async () => {
      const { spec, vendor, product } = sampleSpec(minor);
      const { image } = writeSuper(spec);
      assert.equal(detectSuper(image.subarray(0, 65536)), true);
      const c = await openSuper(new BufferSource(image, 'super.img'));
      assert.equal(c.format, 'super');
      const es = await entriesOf(c);
      assert.deepEqual(es.map((e) => e.name), ['system_a', 'vendor_a', 'product']);
      const v = es[1];
      const expectedVendorSize = Math.ceil(vendor.length / 4096) * 4096 + 16 * SECTOR;
      assert.equal(v.size, expectedVendorSize);
      const vs = await v.open();
      assert.equal(vs.path, 'super.img!/vendor_a');
      const bytes = await vs.read(0, vs.size);
      assert.deepEqual(bytes.subarray(0, vendor.length), vendor);
      assert.ok(bytes.subarray(vendor.length).every((b) => b === 0));
      const ps = await es[2].open();
      assert.deepEqual((await ps.read(0, ps.size)).subarray(0, product.length), product);
      assert.deepEqual(c.anomalies, []);
      const img = c as SuperImage;
      assert.equal(img.metadata.header.minorVersion, minor);
      assert.equal(img.metadata.header.headerSize, minor === 2 ? 256 : 128);
    });
  }

  test('an image file without reserved bytes (super_empty.img layout) lists its table', async () => {
    const { spec } = sampleSpec(1);
    const { image, metadataOffsets } = writeSuper(spec);
    // liblp WriteToImageFile: geometry (4096 bytes) then one metadata copy, no partition data.
    const empty = new Uint8Array(4096 + 65536);
    empty.set(image.subarray(4096, 8192), 0);
    empty.set(image.subarray(metadataOffsets[0], metadataOffsets[0] + 65536), 4096);
    assert.equal(detectSuper(empty), true);
    assert.equal(detectSuper(new Uint8Array(8192)), false);
    const c = (await openSuper(new BufferSource(empty, 'super_empty.img'))) as SuperImage;
    assert.deepEqual(c.metadata.partitions.map((p) => p.name), ['system_a', 'system_b', 'vendor_a', 'product']);
    // The partitions' bytes are not in the file: listed as anomalies, not entries.
    assert.deepEqual((await entriesOf(c)).map((e) => e.name), []);
    assert.equal(c.anomalies.length, 3);
  });

  test('falls back to the backup geometry and backup metadata, with anomalies', async () => {
    const { spec, vendor } = sampleSpec(2);
    const { image, metadataOffsets } = writeSuper(spec);
    image[4096 + 20] ^= 0xff; // primary geometry checksum breaks
    image[metadataOffsets[0] + 300] ^= 0xff; // primary slot-0 tables checksum breaks
    const c = await openSuper(new BufferSource(image, 'super.img'));
    const es = await entriesOf(c);
    assert.equal(es.length, 3);
    const vs = await es[1].open();
    assert.deepEqual((await vs.read(0, vendor.length)), vendor);
    assert.equal(c.anomalies?.length, 2);
  });

  test('typed errors: both copies bad, unknown version, bad tables', async () => {
    const { spec } = sampleSpec(1);
    const a = writeSuper(spec).image;
    a[4096 + 20] ^= 1; a[8192 + 20] ^= 1;
    await assert.rejects(openSuper(new BufferSource(a, 's')), { code: 'E_FORMAT' });
    const b = writeSuper(spec);
    for (const off of [b.metadataOffsets[0], 12288 + 3 * 65536]) {
      new DataView(b.image.buffer).setUint16(off + 6, 9, true); // minor 9
      fixMetadataChecksums(b.image, off);
    }
    await assert.rejects(openSuper(new BufferSource(b.image, 's')), { code: 'E_UNSUPPORTED' });
    await assert.rejects(openSuper(new BufferSource(a.subarray(0, 5000), 's')), (e: unknown) => e instanceof RomscanError);
  });

  test('partitions on another block device or with an unknown target type become anomalies', async () => {
    const { image } = writeSuper({
      partitions: [
        { name: 'odm_a', rawExtents: [{ sectors: 8, type: 0, data: 0, source: 1 }] },
        { name: 'weird_a', rawExtents: [{ sectors: 8, type: 7, data: 0, source: 0 }] },
        { name: 'zero_a', rawExtents: [{ sectors: 8, type: 1, data: 0, source: 0 }] },
      ],
    });
    // target_source 1 with one block device is refused by liblp's parser itself.
    await assert.rejects(openSuper(new BufferSource(image, 's')), { code: 'E_FORMAT' });
    const ok = writeSuper({
      partitions: [
        { name: 'weird_a', rawExtents: [{ sectors: 8, type: 7, data: 0, source: 0 }] },
        { name: 'zero_a', rawExtents: [{ sectors: 8, type: 1, data: 0, source: 0 }] },
      ],
    }).image;
    const c = await openSuper(new BufferSource(ok, 's'));
    const es = await entriesOf(c);
    assert.deepEqual(es.map((e) => e.name), ['zero_a']);
    assert.deepEqual(await (await es[0].open()).read(0, 4096), new Uint8Array(4096));
    assert.equal(c.anomalies?.length, 1);
    assert.match(c.anomalies![0].message, /target_type 7/);
  });

  test('a partition whose extent runs past the image is an anomaly, the others still list', async () => {
    const { spec } = sampleSpec(2);
    const { image } = writeSuper(spec);
    const cut = image.subarray(0, image.length - 8192);
    const c = await openSuper(new BufferSource(cut, 'super.img'));
    const es = await entriesOf(c);
    assert.ok(es.length >= 1 && es.length < 3);
    assert.ok((c.anomalies?.length ?? 0) >= 1);
  });

  test('does not hang on truncations and bit flips (checksums fixed up so validation is reached)', async () => {
    const { spec } = sampleSpec(2);
    const { image, metadataOffsets } = writeSuper({ ...spec, slotCount: 1, metadataMaxSize: 4096 });
    const started = Date.now();
    let ok = 0, failed = 0;
    const tryOne = async (bytes: Uint8Array): Promise<void> => {
      try {
        const c = await openSuper(new BufferSource(bytes, 'fuzz'));
        for (const e of await entriesOf(c)) {
          const s = await e.open();
          await s.read(0, Math.min(s.size, 4096));
        }
        ok++;
      } catch (e) {
        if (!(e instanceof RomscanError)) throw e;
        failed++;
      }
    };
    for (let n = 0; n < image.length; n += 997) await tryOne(image.subarray(0, n));
    const meta = metadataOffsets[0];
    let x = 7;
    for (let i = 0; i < 3000; i++) {
      const b = image.slice();
      x = (x * 1103515245 + 12345) >>> 0;
      const pos = meta + (x % 700);
      b[pos] ^= 1 << ((x >>> 16) & 7);
      // Make the backup identical so the fallback cannot hide the flip.
      b.copyWithin(meta + 4096, meta, meta + 4096);
      if (i % 4 !== 0) { fixMetadataChecksums(b, meta); fixMetadataChecksums(b, meta + 4096); }
      await tryOne(b);
    }
    assert.ok(ok > 0 && failed > 0, `ok ${ok} failed ${failed}`);
    assert.ok(Date.now() - started < 15_000);
  });
});

const skipTools = findTool('mke2fs') && findTool('img2simg') && findTool('simg2img') ? false : 'mke2fs/img2simg not installed';

describe('super.img end to end with ext4 partitions', { skip: skipTools }, () => {
  let dir = '';
  before(() => { dir = makeTempDir('super'); });
  after(() => { if (dir) removeDir(dir); });

  test('sparse super.img → super → system_a ext4 → files', async () => {
    const tree = join(dir, 'tree');
    makeTree(tree);
    const sysImg = join(dir, 'system.img');
    buildExt4(tree, sysImg, { mkfsArgs: ['-t', 'ext4'], sizeKiB: 8192 });
    const sys = new Uint8Array(readFileSync(sysImg));
    const { image } = writeSuper({
      minorVersion: 2, slotCount: 2, alignment: 1 << 20, headerFlags: 1,
      partitions: [{ name: 'system_a', data: sys, pieces: 2 }, { name: 'system_b' }, { name: 'vendor_a', data: pseudoRandom(5000, 3) }],
      tailBytes: 2 << 20,
    });
    const raw = join(dir, 'super.raw');
    writeFileSync(raw, image);
    const simg = join(dir, 'super.img');
    execFileSync(findTool('img2simg')!, [raw, simg]);
    const src = await FileSource.open(simg, 'super.img');
    try {
      assert.equal(detectSparse(await src.read(0, 64)), true);
      const expanded = await openSparse(src);
      assert.equal(sha(await expanded.read(0, expanded.size)), sha(image));
      assert.equal(detectSuper(await expanded.read(0, 65536)), true);
      const c = await openSuper(expanded);
      const es = await entriesOf(c);
      assert.deepEqual(es.map((e) => e.name), ['system_a', 'vendor_a']);
      const part = await es[0].open();
      assert.equal(part.path, 'super.img!/system_a');
      assert.equal(sha(await part.read(0, sys.length)), sha(sys));
      const fs = await openExt4(part);
      let apk: Uint8Array | null = null;
      for await (const e of fs.entries()) if (e.name === 'system/app/Foo/Foo.apk') apk = await (await e.open()).read(0, e.size);
      assert.ok(apk);
      assert.equal(sha(apk), sha(readFileSync(join(tree, 'system/app/Foo/Foo.apk'))));
    } finally {
      await src.close();
    }
  });
});
