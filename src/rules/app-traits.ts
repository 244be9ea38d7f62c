// Facts about an app that rules read and that need no signatures, so the analysis (worker
// threads included, which never load rules) can use them too.
import type { AppReport } from '../report/model.js';

/** Shared user ids that only platform-signed system code can join. */
export const SYSTEM_UIDS = new Set([
  'android.uid.system', 'android.uid.phone', 'android.uid.nfc', 'android.uid.bluetooth', 'android.uid.shell',
  'android.uid.log', 'android.uid.networkstack', 'android.uid.se', 'android.uid.systemui',
]);

export function isSystemUid(app: AppReport): boolean {
  return app.sharedUserId !== null && SYSTEM_UIDS.has(app.sharedUserId);
}

/**
 * Whether the phone-home rule could find anything: the app can transmit (INTERNET, SEND_SMS or a
 * system uid), holds an endpoint, and uses an API that is not network I/O (a possible data read).
 * The analysis uses it to skip naming call graphs no rule will search (scan/apk-task.ts); the
 * rule starts with it (rules/evaluate-app.ts), so the two cannot disagree.
 */
export function mayLinkDataToNetwork(app: AppReport): boolean {
  const requested = app.permissions.requested;
  const canSend = isSystemUid(app) || requested.includes('android.permission.INTERNET') || requested.includes('android.permission.SEND_SMS');
  return canSend && app.endpoints.length > 0 && app.apis.some((a) => a.category !== 'network');
}
