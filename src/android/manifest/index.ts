// The typed manifest model (package, SDKs, permissions, components, flags) read like Android's package parser.
export { readManifest, buildClassName, type Manifest, type ManifestFlags } from './read-manifest.js';
export { protectionLevelToString } from './protection-level.js';
