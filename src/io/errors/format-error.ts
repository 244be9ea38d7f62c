import { RomscanError } from './romscan-error.js';

/** The bytes contradict the format's spec (corrupt input). */
export class FormatError extends RomscanError {
  constructor(message: string, offset?: number, path?: string, data?: Record<string, unknown>) {
    super('E_FORMAT', message, offset, path, data);
  }
}
