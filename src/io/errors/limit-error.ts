import { RomscanError } from './romscan-error.js';

/** A named safety limit (io/limits.ts) was hit: the input asks for more than we are willing to give. */
export class LimitError extends RomscanError {
  constructor(message: string, offset?: number, path?: string, data?: Record<string, unknown>) {
    super('E_LIMIT', message, offset, path, data);
  }
}
