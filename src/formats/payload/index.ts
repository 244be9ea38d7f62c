// payload.bin (A/B OTA) → a Container of partitions (see open-payload.ts).
export { detectPayload, openPayload, parsePayloadHeader, type PayloadContainer, type PayloadHeader, type PayloadOptions } from './open-payload.js';
export { parseManifest, OP, OP_NAMES, FULL_OPS, type DeltaArchiveManifest, type PartitionUpdate, type InstallOperation, type PayloadExtent } from './manifest.js';
export { ProtoReader } from './protobuf.js';
