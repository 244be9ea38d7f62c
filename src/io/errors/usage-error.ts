import { RomscanError } from './romscan-error.js';

/** Bad command line or unreadable top-level input: the CLI prints one line and exits 2. */
export class UsageError extends RomscanError {
  constructor(message: string) {
    super('E_USAGE', message);
  }
}
