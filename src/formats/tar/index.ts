// Tar (POSIX ustar / pax, GNU extensions; Samsung .tar.md5): public entry points of this folder.
export { detectTar, openTar } from './tar.js';
