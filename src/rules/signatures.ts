// Signature data (signatures/*.json): what the rules know about APIs, permissions, hosts, packages,
// tracker SDKs and public test certificates. Each file names its `kind` and is validated against
// signatures/schema/<kind>.schema.json (compiled ahead of time by ajv: signature-validators.generated.ts),
// then cross-checked (duplicate ids, unknown categories). Problems name the file and the JSON pointer.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorObject } from 'ajv';
import * as validators from './signature-validators.generated.js';
import { UsageError } from '../io/errors/index.js';
import { LIMITS } from '../io/limits.js';
import type { Severity } from '../report/model.js';

export type CategoryGroup = 'identifier' | 'personal' | 'content' | 'transport' | 'exec';

export interface ApiCategory {
  id: string;
  group: CategoryGroup;
  label: string;
  reference: string;
  /** A weak category (Settings.Secure.getString, ContentResolver.query) may or may not read personal data. */
  weak?: boolean;
}
export interface ApiSignature { api: string; category: string; reference: string }
/** A string constant whose presence in code reveals an access (an inlined provider URI or settings key). */
export interface StringSignature { string: string; match: 'exact' | 'prefix'; category: string; reference: string }
export interface PermissionSignature { name: string; protectionLevel: string; category: string; reference: string }
export type ComponentKind = 'activation' | 'fota' | 'vendor-analytics' | 'tracker' | 'malware' | 'other';
export interface HostSignature {
  id: string; host: string; match: 'exact' | 'suffix'; kind: ComponentKind; severity: Severity;
  name: string; note?: string; references: string[];
}
export interface PackageSignature {
  id: string; package: string; kind: ComponentKind; severity: Severity; name: string; note?: string; references: string[];
}
export interface TrackerSignature {
  id: string; name: string; kind: string; classPrefixes: string[]; hosts: string[]; references: string[];
}
export interface CertSignature { sha256: string; name: string; key: string; reference: string }
export interface TriggerSignature { action: string; reference: string }
export interface NamespaceSignature { host: string; reference: string }

export interface Signatures {
  apis: ApiSignature[];
  /** In match order: the first matching entry decides a string's category. */
  strings: StringSignature[];
  categories: ApiCategory[];
  permissions: PermissionSignature[];
  hosts: HostSignature[];
  packages: PackageSignature[];
  trackers: TrackerSignature[];
  certificates: CertSignature[];
  triggers: TriggerSignature[];
  namespaces: NamespaceSignature[];
  /** The files read, relative to the directory. */
  files: string[];
}

export const SIGNATURE_KINDS = [
  'apis', 'permissions', 'hosts', 'packages', 'trackers', 'certificates', 'triggers', 'namespaces',
] as const;
type Kind = (typeof SIGNATURE_KINDS)[number];
/** An ajv validate function: true, or false with its `errors`. */
type SchemaValidator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/** A signature directory is a handful of small files; more than this is a wrong --signatures path. */
const MAX_SIGNATURE_FILES = 1000;

const here = fileURLToPath(new URL('.', import.meta.url));
/** signatures/ of the romscan install: two levels above src/rules/ and dist/rules/ alike. */
export function defaultSignaturesDir(): string {
  return resolve(here, '..', '..', 'signatures');
}

/** The schema validators, compiled ahead of time (signature-validators.generated.ts). */
const VALIDATORS: Record<Kind, SchemaValidator> = validators;

interface Parsed { file: string; kind: Kind; data: Record<string, unknown> }

function readDir(dir: string, problems: string[]): Parsed[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
  } catch (e) {
    problems.push(`${dir}: cannot read signature directory (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    return [];
  }
  if (names.length > MAX_SIGNATURE_FILES) {
    problems.push(`${dir}: ${names.length} files, more than ${MAX_SIGNATURE_FILES}`);
    return [];
  }
  const out: Parsed[] = [];
  for (const file of names) {
    const full = join(dir, file);
    let text: string;
    try {
      const st = statSync(full);
      if (!st.isFile()) continue;
      if (st.size > LIMITS.MAX_METADATA_BYTES) {
        problems.push(`${file}: ${st.size} bytes, over MAX_METADATA_BYTES (${LIMITS.MAX_METADATA_BYTES})`);
        continue;
      }
      text = readFileSync(full, 'utf8');
    } catch (e) {
      problems.push(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
      continue;
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      problems.push(`${file}: not JSON: ${(e as Error).message}`);
      continue;
    }
    const kind = (data as { kind?: unknown } | null)?.kind;
    if (typeof kind !== 'string' || !(SIGNATURE_KINDS as readonly string[]).includes(kind)) {
      problems.push(`${file}/kind: must be one of ${SIGNATURE_KINDS.join(', ')} (got ${JSON.stringify(kind)})`);
      continue;
    }
    const validate = VALIDATORS[kind as Kind];
    if (!validate(data)) {
      for (const err of validate.errors ?? []) {
        const extra = err.keyword === 'enum' ? ` (${(err.params as { allowedValues: unknown[] }).allowedValues.join(', ')})`
          : err.keyword === 'additionalProperties' ? ` (${(err.params as { additionalProperty: string }).additionalProperty})`
          : '';
        problems.push(`${file}${err.instancePath || '/'}: ${err.message ?? err.keyword}${extra}`);
      }
      continue;
    }
    out.push({ file, kind: kind as Kind, data: data as Record<string, unknown> });
  }
  return out;
}

function build(dir: string): { sigs: Signatures; problems: string[] } {
  const problems: string[] = [];
  const parsed = readDir(dir, problems);
  const sigs: Signatures = {
    apis: [], strings: [], categories: [], permissions: [], hosts: [], packages: [], trackers: [], certificates: [],
    triggers: [], namespaces: [], files: parsed.map((p) => p.file),
  };
  const seenKinds = new Set<Kind>();
  // The pointer of each entry, for cross-file duplicate messages.
  const where = new Map<string, string>();
  const unique = (key: string, at: string): void => {
    const prev = where.get(key);
    if (prev) problems.push(`${at}: duplicate of ${prev}`);
    else where.set(key, at);
  };
  const apiEntries: { file: string; i: number; api: string; category: string; reference?: string }[] = [];
  const stringEntries: { file: string; i: number; sig: StringSignature }[] = [];
  for (const { file, kind, data } of parsed) {
    seenKinds.add(kind);
    switch (kind) {
      case 'apis': {
        const cats = (data.categories ?? []) as ApiCategory[];
        cats.forEach((c, i) => { unique(`category:${c.id}`, `${file}/categories/${i}`); sigs.categories.push(c); });
        (data.apis as { api: string; category: string; reference?: string }[]).forEach((a, i) => {
          unique(`api:${a.api}`, `${file}/apis/${i}`);
          apiEntries.push({ file, i, ...a });
        });
        ((data.strings ?? []) as StringSignature[]).forEach((x, i) => {
          unique(`string:${x.match}:${x.string}`, `${file}/strings/${i}`);
          stringEntries.push({ file, i, sig: x });
        });
        break;
      }
      case 'permissions':
        (data.permissions as PermissionSignature[]).forEach((p, i) => { unique(`perm:${p.name}`, `${file}/permissions/${i}`); sigs.permissions.push(p); });
        break;
      case 'hosts':
        (data.hosts as HostSignature[]).forEach((h, i) => {
          unique(`host-id:${h.id}`, `${file}/hosts/${i}`);
          unique(`host:${h.host}`, `${file}/hosts/${i}/host`);
          sigs.hosts.push(h);
        });
        break;
      case 'packages':
        (data.packages as PackageSignature[]).forEach((p, i) => {
          unique(`pkg-id:${p.id}`, `${file}/packages/${i}`);
          unique(`pkg:${p.package}`, `${file}/packages/${i}/package`);
          sigs.packages.push(p);
        });
        break;
      case 'trackers':
        (data.trackers as TrackerSignature[]).forEach((t, i) => {
          unique(`tracker:${t.id}`, `${file}/trackers/${i}`);
          if (t.classPrefixes.length === 0 && t.hosts.length === 0) problems.push(`${file}/trackers/${i}: needs classPrefixes or hosts`);
          sigs.trackers.push(t);
        });
        break;
      case 'certificates':
        (data.certificates as CertSignature[]).forEach((c, i) => { unique(`cert:${c.sha256}`, `${file}/certificates/${i}`); sigs.certificates.push(c); });
        break;
      case 'triggers':
        (data.triggers as TriggerSignature[]).forEach((t, i) => { unique(`trigger:${t.action}`, `${file}/triggers/${i}`); sigs.triggers.push(t); });
        break;
      case 'namespaces':
        (data.namespaces as NamespaceSignature[]).forEach((n, i) => { unique(`ns:${n.host}`, `${file}/namespaces/${i}`); sigs.namespaces.push(n); });
        break;
    }
  }
  const cats = new Map(sigs.categories.map((c) => [c.id, c]));
  for (const a of apiEntries) {
    const cat = cats.get(a.category);
    if (!cat) {
      problems.push(`${a.file}/apis/${a.i}/category: unknown category ${JSON.stringify(a.category)}`);
      continue;
    }
    sigs.apis.push({ api: a.api, category: a.category, reference: a.reference ?? cat.reference });
  }
  for (const x of stringEntries) {
    if (!cats.has(x.sig.category)) problems.push(`${x.file}/strings/${x.i}/category: unknown category ${JSON.stringify(x.sig.category)}`);
    else sigs.strings.push(x.sig);
  }
  for (const kind of SIGNATURE_KINDS) {
    if (!seenKinds.has(kind) && parsed.length > 0) problems.push(`${dir}: no file of kind "${kind}"`);
  }
  if (parsed.length === 0 && problems.length === 0) problems.push(`${dir}: no signature files (*.json)`);
  return { sigs, problems };
}

/** Loads and validates every signature file in `dir`; any problem is a UsageError listing them all. */
export function loadSignatures(dir: string = defaultSignaturesDir()): Signatures {
  const { sigs, problems } = build(dir);
  if (problems.length) {
    throw new UsageError(`invalid signatures in ${dir}: ${problems.join('; ')}`);
  }
  return sigs;
}

export function validateSignatures(dir: string = defaultSignaturesDir()): { ok: boolean; problems: string[] } {
  const { problems } = build(dir);
  return { ok: problems.length === 0, problems };
}

/**
 * Dotted API or field name → data category, for the analysis layer to record call sites of; then
 * "string:<value>" (exact) and "string:<prefix>*" keys for string constants, in match order.
 */
export function apiWatchList(sigs: Signatures): Map<string, string> {
  const out = new Map(sigs.apis.map((a) => [a.api, a.category]));
  for (const s of sigs.strings) out.set(`string:${s.string}${s.match === 'prefix' ? '*' : ''}`, s.category);
  return out;
}

/** The category of a string constant, or undefined (first matching signature wins). */
export function stringCategory(sigs: Signatures, value: string): string | undefined {
  for (const s of sigs.strings) if (s.match === 'exact' ? value === s.string : value.startsWith(s.string)) return s.category;
  return undefined;
}
