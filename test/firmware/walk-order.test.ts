// With smallestFirst (what scan asks for) the walker hands a directory's files over smallest
// first (src/firmware/walk.ts); without it, in listing order (what extract relies on).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FirmwareWalker } from '../../src/firmware/walk.js';
import { openDirectory } from '../../src/formats/directory/open-directory.js';

test('a directory\'s APKs: smallest first (equal sizes in name order) when asked, else in name order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'romscan-order-'));
  try {
    const sizes: Record<string, number> = { 'a.apk': 300, 'b.apk': 100, 'c.apk': 200, 'd.apk': 100, 'sub/e.apk': 50 };
    mkdirSync(join(dir, 'sub'));
    for (const [name, n] of Object.entries(sizes)) writeFileSync(join(dir, name), new Uint8Array(n));
    const walk = async (smallestFirst: boolean) => {
      const seen: string[] = [];
      const walker = new FirmwareWalker({ onFile: async (f) => { seen.push(f.innerPath); } }, { smallestFirst });
      await walker.walkContainer(openDirectory(dir, 'in'), 'in', 0, null);
      return seen;
    };
    assert.deepEqual(await walk(true), ['sub/e.apk', 'b.apk', 'd.apk', 'c.apk', 'a.apk']);
    assert.deepEqual(await walk(false), ['a.apk', 'b.apk', 'c.apk', 'd.apk', 'sub/e.apk']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
