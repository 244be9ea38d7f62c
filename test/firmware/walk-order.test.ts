// The walker hands a container's files to the scan smallest first (src/firmware/walk.ts): the
// analyser's code is JIT-compiled on the small apps, so the big ones run on compiled code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FirmwareWalker } from '../../src/firmware/walk.js';
import { openDirectory } from '../../src/formats/directory/open-directory.js';

test('a directory\'s APKs are visited smallest first, equal sizes in name order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'romscan-order-'));
  try {
    const sizes: Record<string, number> = { 'a.apk': 300, 'b.apk': 100, 'c.apk': 200, 'd.apk': 100, 'sub/e.apk': 50 };
    mkdirSync(join(dir, 'sub'));
    for (const [name, n] of Object.entries(sizes)) writeFileSync(join(dir, name), new Uint8Array(n));
    const seen: string[] = [];
    const walker = new FirmwareWalker({ onFile: async (f) => { seen.push(f.innerPath); } });
    await walker.walkContainer(openDirectory(dir, 'in'), 'in', 0, null);
    assert.deepEqual(seen, ['sub/e.apk', 'b.apk', 'd.apk', 'c.apk', 'a.apk']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
