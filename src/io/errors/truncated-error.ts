import { RomscanError } from './romscan-error.js';

/** A read or a structure runs past the end of its Source. */
export class TruncatedError extends RomscanError {
  constructor(message: string, offset?: number, path?: string, data?: Record<string, unknown>) {
    super('E_TRUNCATED', message, offset, path, data);
  }
}
