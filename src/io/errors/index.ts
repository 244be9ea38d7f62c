export { RomscanError, isRomscanError } from './romscan-error.js';
export { FormatError } from './format-error.js';
export { TruncatedError } from './truncated-error.js';
export { LimitError } from './limit-error.js';
export { UnsupportedError } from './unsupported-error.js';
export { UsageError } from './usage-error.js';
