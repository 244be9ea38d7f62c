// Protection level of a requested permission. The report lists only names for requested
// permissions; the levels come from permissions declared in the same ROM (framework-res.apk
// declares all android.permission.*), then from the signatures data, then from this fallback list
// of AOSP runtime ("dangerous") permissions, which is stable across releases.
import type { Report } from '../../report/model.js';

const P = 'android.permission.';
const DANGEROUS = [
  'READ_CALENDAR', 'WRITE_CALENDAR', 'CAMERA', 'READ_CONTACTS', 'WRITE_CONTACTS', 'GET_ACCOUNTS',
  'ACCESS_FINE_LOCATION', 'ACCESS_COARSE_LOCATION', 'ACCESS_BACKGROUND_LOCATION', 'ACCESS_MEDIA_LOCATION',
  'RECORD_AUDIO', 'READ_PHONE_STATE', 'READ_PHONE_NUMBERS', 'CALL_PHONE', 'ANSWER_PHONE_CALLS',
  'READ_CALL_LOG', 'WRITE_CALL_LOG', 'USE_SIP', 'PROCESS_OUTGOING_CALLS', 'BODY_SENSORS', 'BODY_SENSORS_BACKGROUND',
  'SEND_SMS', 'RECEIVE_SMS', 'READ_SMS', 'RECEIVE_WAP_PUSH', 'RECEIVE_MMS', 'READ_CELL_BROADCASTS',
  'READ_EXTERNAL_STORAGE', 'WRITE_EXTERNAL_STORAGE', 'ACTIVITY_RECOGNITION', 'ACCEPT_HANDOVER', 'UWB_RANGING',
  'BLUETOOTH_SCAN', 'BLUETOOTH_CONNECT', 'BLUETOOTH_ADVERTISE', 'NEARBY_WIFI_DEVICES', 'POST_NOTIFICATIONS',
  'READ_MEDIA_IMAGES', 'READ_MEDIA_VIDEO', 'READ_MEDIA_AUDIO', 'READ_MEDIA_VISUAL_USER_SELECTED',
].map((n) => P + n).concat(['com.android.voicemail.permission.ADD_VOICEMAIL']);

/** Install-time permissions nearly every app asks for, so a lone APK's list is not all "unknown". */
const NORMAL = [
  'INTERNET', 'ACCESS_NETWORK_STATE', 'ACCESS_WIFI_STATE', 'CHANGE_WIFI_STATE', 'CHANGE_NETWORK_STATE', 'WAKE_LOCK',
  'RECEIVE_BOOT_COMPLETED', 'VIBRATE', 'FOREGROUND_SERVICE', 'BLUETOOTH', 'BLUETOOTH_ADMIN', 'NFC', 'SET_WALLPAPER',
  'EXPAND_STATUS_BAR', 'GET_PACKAGE_SIZE', 'KILL_BACKGROUND_PROCESSES', 'MODIFY_AUDIO_SETTINGS', 'READ_SYNC_SETTINGS',
  'WRITE_SYNC_SETTINGS', 'USE_FINGERPRINT', 'USE_BIOMETRIC', 'REORDER_TASKS', 'TRANSMIT_IR', 'QUERY_ALL_PACKAGES',
].map((n) => P + n);

export type PermissionGroup = 'dangerous' | 'privileged' | 'signature' | 'special' | 'normal' | 'unknown';

export const PERMISSION_GROUPS: PermissionGroup[] = ['dangerous', 'privileged', 'signature', 'special', 'normal', 'unknown'];

/** Coarse group of a protection level string ("signature|privileged", "dangerous", "normal|appop"). */
export function permissionGroup(level: string | undefined): PermissionGroup {
  if (!level) return 'unknown';
  const parts = level.split('|');
  if (parts.includes('dangerous')) return 'dangerous';
  if (parts.includes('privileged') || parts.includes('signatureOrSystem')) return 'privileged';
  if (parts.includes('signature')) return 'signature';
  if (parts.includes('appop') || parts.includes('development') || parts.includes('internal')) return 'special';
  if (parts.includes('normal')) return 'normal';
  return 'unknown';
}

export function buildPermissionLevels(reports: readonly Report[], extra: Record<string, string> = {}): Map<string, string> {
  const m = new Map<string, string>();
  for (const n of NORMAL) m.set(n, 'normal');
  for (const n of DANGEROUS) m.set(n, 'dangerous');
  for (const [n, l] of Object.entries(extra)) m.set(n, l);
  for (const r of reports) {
    for (const a of r.apps) for (const d of a.permissions.declared) if (d.protectionLevel) m.set(d.name, d.protectionLevel);
  }
  return m;
}
