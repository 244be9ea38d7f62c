// ROM configuration files read beside the apps: build.prop and the permission XMLs.
export { parseBuildProp } from './build-prop.js';
export { parsePrivappPermissions } from './privapp-permissions.js';
export { parseDefaultPermissions } from './default-permissions.js';
