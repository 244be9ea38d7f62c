// build.prop / default.prop / prop.default: "key=value" lines, as read by init's property loader
// (AOSP system/core/init/property_service.cpp, LoadProperties). Comments start with '#'; key and
// value are trimmed; "import" lines pull in other files (not followed here); a key defined twice
// keeps the later value, as init does when it loads the files into its map.
import type { Anomaly } from '../../io/anomaly.js';
import { checkLimit } from '../../io/limits.js';

/** init rejects property names longer than this (PROP_NAME_MAX was 32 before Android O; now only values are capped). */
const MAX_KEY_LENGTH = 4096;

export function parseBuildProp(text: string, anomalies?: Anomaly[], path?: string): Record<string, string> {
  checkLimit('MAX_METADATA_BYTES', text.length, 'build.prop length', undefined, path);
  const props = new Map<string, string>();
  let offset = 0;
  for (const raw of text.split('\n')) {
    const lineOffset = offset;
    offset += raw.length + 1;
    const line = raw.replace(/\r$/, '').trim();
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    if (/^import\s/.test(line)) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) {
      anomalies?.push({ stage: 'build.prop', message: `line without key=value: ${JSON.stringify(line.slice(0, 80))}`, offset: lineOffset });
      continue;
    }
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (!key || key.length > MAX_KEY_LENGTH || /\s/.test(key)) {
      anomalies?.push({ stage: 'build.prop', message: `bad property name ${JSON.stringify(key.slice(0, 80))}`, offset: lineOffset });
      continue;
    }
    const prev = props.get(key);
    if (prev !== undefined && prev !== value) {
      anomalies?.push({ stage: 'build.prop', message: `${key} redefined: ${JSON.stringify(prev)} → ${JSON.stringify(value)}`, offset: lineOffset });
    }
    props.set(key, value);
  }
  // Object.fromEntries defines own properties, so a "__proto__" key stays data.
  return Object.fromEntries(props);
}
