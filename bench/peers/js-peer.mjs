// JS manifest libraries as peers for bench/run.ts: one Node process reads the manifest of every
// APK given, so Node start-up is paid once, as romscan pays it once for a directory.
// usage: node js-peer.mjs adbkit-apkreader|app-info-parser|node-apk [--trace] APK...
// prints one JSON line: {"apks": n, "failed": n, "seconds": s}; --trace names each file on stderr
// before reading it, so a run killed by a timeout tells which file the library never returned on.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const [lib, ...rest] = process.argv.slice(2);
const trace = rest[0] === '--trace';
const apks = trace ? rest.slice(1) : rest;

const readers = {
  'adbkit-apkreader': () => {
    const ApkReader = require('adbkit-apkreader');
    return async (file) => (await ApkReader.open(file)).readManifest();
  },
  // parse() reads the manifest and resolves label/icon through resources.arsc.
  'app-info-parser': () => {
    const AppInfoParser = require('app-info-parser');
    return (file) => new AppInfoParser(file).parse();
  },
  'node-apk': () => {
    const { Apk } = require('node-apk');
    return async (file) => {
      const apk = new Apk(file);
      try {
        return await apk.getManifestInfo();
      } finally {
        apk.close();
      }
    };
  },
};

const make = readers[lib];
if (!make) {
  process.stderr.write(`unknown library ${lib}\n`);
  process.exit(2);
}
const read = make();
const t0 = process.hrtime.bigint();
let failed = 0;
for (const f of apks) {
  if (trace) process.stderr.write(`start ${f}\n`);
  try {
    await read(f);
  } catch {
    failed++; // hostile corpus APKs: a library's refusal is a result, not a bench error
  }
}
console.log(JSON.stringify({ apks: apks.length, failed, seconds: Number(process.hrtime.bigint() - t0) / 1e9 }));
