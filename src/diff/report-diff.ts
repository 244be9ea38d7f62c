// The diff model: INTERFACE.md `diff --format json` (schemaVersion 1), extended with privilege,
// certificate, component, API and per-finding detail. Pairs are [before, after].
import type { Finding, Severity } from '../report/model.js';

export interface ListChange { added: string[]; removed: string[] }

export interface AppRef {
  package: string | null;
  path: string;
  versionCode: number | null;
  versionName: string | null;
}

export interface AppChanges {
  versionCode?: [number | null, number | null];
  versionName?: [string | null, string | null];
  minSdk?: [number | null, number | null];
  targetSdk?: [number | null, number | null];
  sha256?: [string, string];
  path?: [string, string];
  partition?: [string | null, string | null];
  sharedUserId?: [string | null, string | null];
  privileged?: [boolean, boolean];
  platformSigned?: [boolean, boolean];
  debuggable?: [boolean, boolean];
  permissions?: ListChange;
  declaredPermissions?: ListChange;
  endpoints?: ListChange;
  components?: ListChange & { changed: string[] };
  apis?: ListChange;
  certificates?: ListChange;
  grants?: { privapp?: ListChange; defaultGranted?: ListChange };
}

export interface AppChange {
  package: string | null;
  path: string;
  changes: AppChanges;
}

export type DiffFinding = Finding & { package?: string; path?: string };

export interface ReportDiff {
  schemaVersion: 1;
  /** Extension: what was compared. */
  a: { name: string; sha256: string | null };
  b: { name: string; sha256: string | null };
  apps: { added: AppRef[]; removed: AppRef[]; changed: AppChange[] };
  findings: { added: DiffFinding[]; removed: DiffFinding[] };
  buildProps: {
    /** Every key whose value differs; null where a side lacks the key. */
    changed: Record<string, [string | null, string | null]>;
    /** Extension: per-partition build.prop changes, when both reports carry them. */
    partitions?: Record<string, Record<string, [string | null, string | null]>>;
  };
  /** Extension: counts for a quick summary. */
  summary: { appsAdded: number; appsRemoved: number; appsChanged: number; findingsAdded: number; findingsRemoved: number; buildPropsChanged: number; worstAdded: Severity | null };
}
