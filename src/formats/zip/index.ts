// Zip (PKWARE APPNOTE.TXT) read the way Android's libziparchive reads APKs. See open-zip.ts.
export { openZip, type ZipArchive, type ZipEntryInfo } from './open-zip.js';
export { detectZip, hasZipEocd } from './detect-zip.js';
export { openZipContainer } from './zip-container.js';
