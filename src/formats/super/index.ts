export { detectSuper, openSuper, SuperImage, type SuperAnomaly } from './super.js';
export * from './metadata.js';
