// resources.arsc: lazy resource table with default-config resolution.
export { parseArsc, type ResourceTable } from './parse-arsc.js';
