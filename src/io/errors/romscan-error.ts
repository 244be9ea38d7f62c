// Base of every error a parser may throw. `scan/` maps these to report `errors[]` entries;
// anything that is not a RomscanError is a bug (rethrown in tests, recorded in production).
export class RomscanError extends Error {
  readonly code: string;
  readonly offset?: number;
  readonly path?: string;
  readonly data?: Record<string, unknown>;

  constructor(code: string, message: string, offset?: number, path?: string, data?: Record<string, unknown>) {
    super(path !== undefined || offset !== undefined ? `${message}${offset !== undefined ? ` at 0x${offset.toString(16)}` : ''}${path ? ` in ${path}` : ''}` : message);
    this.name = new.target.name;
    this.code = code;
    this.offset = offset;
    this.path = path;
    this.data = data;
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, offset: this.offset, path: this.path, data: this.data };
  }
}

export function isRomscanError(e: unknown): e is RomscanError {
  return e instanceof RomscanError;
}
