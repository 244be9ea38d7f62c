// Block OTA: transfer list + new.dat[.br] → a virtual block device (see open-sdat.ts).
export { openSdat, layoutSdat, SDAT_BLOCK_SIZE, type SdatSource, type SdatLayout } from './open-sdat.js';
export { detectTransferList, parseTransferList, type TransferList, type TransferCommand } from './transfer-list.js';
export { parseRangeSet, type BlockRange } from './range-set.js';
export { pairBlockOtaEntries, type BlockOtaPair } from './pair-entries.js';
