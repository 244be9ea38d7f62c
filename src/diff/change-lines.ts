// One readable line per changed field of an app, shared by the text and Markdown diff renderers.
import type { AppChanges, ListChange } from './report-diff.js';

function list(name: string, c: ListChange | undefined): string[] {
  if (!c) return [];
  return [...c.added.map((x) => `${name} + ${x}`), ...c.removed.map((x) => `${name} - ${x}`)];
}

function pairLine(name: string, p: [unknown, unknown] | undefined): string[] {
  return p ? [`${name}: ${String(p[0] ?? 'none')} → ${String(p[1] ?? 'none')}`] : [];
}

export function changeLines(c: AppChanges): string[] {
  return [
    ...pairLine('versionCode', c.versionCode),
    ...pairLine('versionName', c.versionName),
    ...pairLine('minSdk', c.minSdk),
    ...pairLine('targetSdk', c.targetSdk),
    ...pairLine('partition', c.partition),
    ...pairLine('path', c.path),
    ...pairLine('sharedUserId', c.sharedUserId),
    ...pairLine('privileged', c.privileged),
    ...pairLine('platformSigned', c.platformSigned),
    ...pairLine('debuggable', c.debuggable),
    ...list('certificate', c.certificates),
    ...list('permission', c.permissions),
    ...list('declared permission', c.declaredPermissions),
    ...list('privapp grant', c.grants?.privapp),
    ...list('default grant', c.grants?.defaultGranted),
    ...list('component', c.components),
    ...(c.components?.changed ?? []).map((x) => `component ~ ${x}`),
    ...list('endpoint', c.endpoints),
    ...list('api', c.apis),
    ...pairLine('sha256', c.sha256),
  ];
}
