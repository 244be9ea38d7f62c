export { detectExt4, openExt4, Ext4Image, EXT4_ROOT_INO, type Ext4Anomaly } from './ext4.js';
export { parseSuperblock, type Ext4Superblock } from './superblock.js';
