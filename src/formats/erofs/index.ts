// EROFS (Linux fs/erofs/erofs_fs.h): public entry points of this folder.
export { detectErofs, openErofs, ErofsImage } from './erofs.js';
