import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/** From package.json, so the report's tool.version is never out of step with the package. */
export const TOOL_VERSION: string = (require('../../package.json') as { version: string }).version;
