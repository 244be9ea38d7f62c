import { RomscanError } from './romscan-error.js';

/** Valid input that romscan does not implement (e.g. an EROFS compressor, a delta OTA operation). */
export class UnsupportedError extends RomscanError {
  constructor(message: string, offset?: number, path?: string, data?: Record<string, unknown>) {
    super('E_UNSUPPORTED', message, offset, path, data);
  }
}
