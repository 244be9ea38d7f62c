// Facts about an app that rules read and that need no signatures, so the analysis can use them
// before any rule runs.
import type { AppReport } from '../report/model.js';

/** Shared user ids that only platform-signed system code can join. */
const SYSTEM_UIDS = new Set([
  'android.uid.system', 'android.uid.phone', 'android.uid.nfc', 'android.uid.bluetooth', 'android.uid.shell',
  'android.uid.log', 'android.uid.networkstack', 'android.uid.se', 'android.uid.systemui',
]);

export function isSystemUid(app: Pick<AppReport, 'sharedUserId'>): boolean {
  return app.sharedUserId !== null && SYSTEM_UIDS.has(app.sharedUserId);
}

/** Whether the app may send data off the device: INTERNET, SEND_SMS, or a system uid (which holds every permission). */
export function canTransmit(app: Pick<AppReport, 'permissions' | 'sharedUserId'>): boolean {
  const requested = app.permissions.requested;
  return isSystemUid(app) || requested.includes('android.permission.INTERNET') || requested.includes('android.permission.SEND_SMS');
}

/**
 * Whether the phone-home rule could find anything: the app can transmit, holds an endpoint, and
 * uses an API that is not network I/O (a possible data read). The analysis uses it to skip
 * building (canTransmit, known from the manifest before the dex walk) and naming (this, after
 * it) call graphs no rule will search (scan/analyze-apk.ts, rules/evaluate-app.ts findCodeLinks);
 * the rule starts with it too, so they cannot disagree.
 */
export function mayLinkDataToNetwork(app: AppReport): boolean {
  return canTransmit(app) && app.endpoints.length > 0 && app.apis.some((a) => a.category !== 'network');
}
