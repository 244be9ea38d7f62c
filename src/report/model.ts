// The report model, schemaVersion 1 — see ../shared/INTERFACE.md. Fields beyond the contract
// are extensions (allowed by the contract); nothing listed there is renamed or removed.

export const SCHEMA_VERSION = 1;

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';
export const SEVERITIES: Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

export interface CodeLocation {
  /** Dex entry name ("classes2.dex", or "oat/arm64/Foo.vdex!/classes.dex"), or another file for non-dex strings. */
  dex: string;
  /** Dotted class name, e.g. "com.example.Reg" (nested classes keep '$'). */
  class: string;
  method: string;
}

export interface Endpoint {
  value: string;
  host: string | null;
  scheme: string | null;
  /** Extension: "url" | "host" | "ip" | "sms". */
  kind?: 'url' | 'host' | 'ip' | 'sms';
  locations: CodeLocation[];
}

export interface ApiUse {
  /** Dotted "android.telephony.TelephonyManager.getDeviceId". */
  api: string;
  /** Extension: what the API gives away, from signatures/ (e.g. "imei"). */
  category?: string;
  locations: CodeLocation[];
}

export interface Component {
  type: 'activity' | 'activity-alias' | 'service' | 'receiver' | 'provider';
  name: string;
  exported: boolean;
  actions: string[];
  /** Extensions. */
  permission?: string | null;
  exportedExplicit?: boolean;
  targetActivity?: string;
  authorities?: string;
}

export interface DeclaredPermission { name: string; protectionLevel: string }

export interface Certificate {
  sha256: string;
  subject: string;
  /** Extensions. */
  issuer?: string;
  serial?: string;
  notBefore?: string;
  notAfter?: string;
  /** Which signature schemes carry this certificate: "v1", "v2", "v3", "v3.1". */
  schemes?: string[];
}

export interface Finding {
  rule: string;
  severity: Severity;
  title: string;
  evidence: string[];
  /** Extensions. */
  references?: string[];
  /** Virtual path of the app (firmware-level findings). */
  path?: string;
  package?: string;
}

export interface ReportError {
  stage: string;
  message: string;
  offset?: number;
  /** Virtual path (container-level errors). */
  path?: string;
  code?: string;
}

export interface DexSummary { name: string; strings: number; classes: number; methods: number; version?: string }

export interface AppReport {
  path: string;
  sha256: string;
  bytes: number;
  package: string | null;
  versionCode: number | null;
  versionName: string | null;
  minSdk: number | null;
  targetSdk: number | null;
  label: string | null;
  sharedUserId: string | null;
  privileged: boolean;
  platformSigned: boolean;
  permissions: { requested: string[]; declared: DeclaredPermission[] };
  components: Component[];
  dex: DexSummary[];
  endpoints: Endpoint[];
  apis: ApiUse[];
  certificates: Certificate[];
  findings: Finding[];
  errors: ReportError[];
  /** Extensions. */
  maxSdk?: number | null;
  partition?: string | null;
  flags?: {
    debuggable: boolean; allowBackup: boolean | null; usesCleartextTraffic: boolean | null;
    networkSecurityConfig: string | null; persistent: boolean; testOnly?: boolean;
  };
  signing?: { schemes: string[]; signed: boolean; problems: string[] };
  /** Pre-granted dangerous permissions (default-permissions XML) and privapp grants. */
  grants?: { privapp: string[]; defaultGranted: string[] };
  anomalies?: { stage: string; message: string; offset?: number }[];
}

export interface Report {
  schemaVersion: 1;
  tool: { name: 'romscan'; version: string };
  input: { name: string; kind: 'apk' | 'firmware' | 'directory'; sha256: string | null };
  firmware: {
    containers: { path: string; format: string }[];
    buildProps: Record<string, string>;
    /** Extension: build.prop per partition. */
    partitions?: Record<string, Record<string, string>>;
    /** Extension: endpoints hardcoded in ROM files outside apps (etc/ configs, bin/ daemons), by file. */
    endpoints?: Endpoint[];
  } | null;
  apps: AppReport[];
  findings: Finding[];
  errors: ReportError[];
}
