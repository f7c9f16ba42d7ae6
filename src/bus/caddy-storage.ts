// Caddy's certificates, keys, CA and ACME accounts kept in a JetStream KV bucket, so that every
// node serves the same certificates without a shared filesystem: a node stores what its Caddy
// writes under its data dir, another node restores the bucket into its own data dir before its
// Caddy starts. A KV bucket rather than an object store: @nats-io/obj is not a dependency, and
// these files are a few kilobytes, far below the server's max_payload.
//
// One key per file, the file's path relative to the data dir (`certificates/local/a.test/
// a.test.crt`), escaped into the characters a key allows. The value is a JSON record with the
// content (base64), its sha256 and its mode, so a reader can tell a changed file from a stored
// one without comparing bytes. Only `certificates/`, `pki/` and `acme/` are shared: `locks/` is
// Caddy's own coordination, and `instance.uuid` and `last_clean.json` belong to one instance.
import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { watch } from 'chokidar';
import { StorageType } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { KV } from '@nats-io/kv';
import type { StoreKind } from '../config/index.ts';
import { handlesOf } from './handles.ts';
import type { NatsHandles } from './handles.ts';

/** Name of the KV bucket holding Caddy's storage. */
export const CADDY_BUCKET = 'nestor-caddy';

/** The folders of Caddy's data dir that are shared between nodes. */
export const CADDY_SHARED_DIRS = ['certificates', 'pki', 'acme'] as const;

/** How the bucket is made on first use (as the other buckets: the event stream's store and replicas). */
export interface CaddyBucketOptions {
  store?: StoreKind;
  replicas?: number;
}

/** Options of {@link storeCaddyFiles}. */
export interface StoreCaddyOptions extends CaddyBucketOptions {
  /** The node that stores, recorded with each file. */
  node?: string;
}

/** What a store or restore wrote: file names relative to the data dir; files too big for a message are skipped. */
export interface CaddyFilesResult {
  names: string[];
  skipped: string[];
}

/** One stored file. */
interface CaddyFileRecord {
  path: string;
  mode: number;
  sha256: string;
  data: string;
  node: string;
  storedAt: string;
}

/** Uploads the shared files of `caddyDataDir` that are new or differ from the bucket's copy. */
export async function storeCaddyFiles(bus: object, caddyDataDir: string, opts: StoreCaddyOptions = {}): Promise<CaddyFilesResult> {
  const h = handlesOf(bus);
  const kv = await bucket(h, opts);
  const known = knownHashes(h, caddyDataDir);
  const limit = h.nc.info?.max_payload ?? Number.POSITIVE_INFINITY;
  const names: string[] = [];
  const skipped: string[] = [];
  for (const name of await sharedFiles(caddyDataDir)) {
    let data: Buffer;
    let mode: number;
    try {
      [data, mode] = await Promise.all([readFile(join(caddyDataDir, name)), stat(join(caddyDataDir, name)).then((s) => s.mode & 0o777)]);
    } catch {
      continue; // removed between the listing and the read (Caddy replaces files as it renews)
    }
    const sha256 = sha(data);
    if (known.get(name) === sha256) continue;
    const key = keyOf(name);
    const current = await kv.get(key);
    if (current !== null && current.operation === 'PUT' && recordOf(current.json())?.sha256 === sha256) {
      known.set(name, sha256);
      continue;
    }
    const record: CaddyFileRecord = { path: name, mode, sha256, data: data.toString('base64'), node: opts.node ?? '', storedAt: new Date().toISOString() };
    const bytes = new TextEncoder().encode(JSON.stringify(record));
    if (bytes.length > limit) {
      skipped.push(name);
      continue;
    }
    await kv.put(key, bytes);
    known.set(name, sha256);
    names.push(name);
  }
  return { names, skipped };
}

/**
 * Writes every file of the bucket into `caddyDataDir` whose local copy is missing or differs
 * (keys with mode 0600, folders 0700): call it before Caddy starts, so that it finds the shared
 * CA and certificates instead of making its own.
 */
export async function restoreCaddyFiles(bus: object, caddyDataDir: string, opts: CaddyBucketOptions = {}): Promise<CaddyFilesResult> {
  const h = handlesOf(bus);
  const kv = await bucket(h, opts);
  const known = knownHashes(h, caddyDataDir);
  const keys: string[] = [];
  for await (const key of await kv.keys()) keys.push(key);
  const names: string[] = [];
  const skipped: string[] = [];
  for (const key of keys.sort()) {
    const entry = await kv.get(key);
    if (entry === null || entry.operation !== 'PUT') continue;
    const record = recordOf(entry.json());
    if (record === null || !isSharedPath(record.path)) {
      skipped.push(key);
      continue;
    }
    const data = Buffer.from(record.data, 'base64');
    if (sha(data) !== record.sha256) {
      skipped.push(record.path);
      continue;
    }
    const target = join(caddyDataDir, ...record.path.split('/'));
    const local = await readFile(target).catch(() => null);
    known.set(record.path, record.sha256);
    if (local !== null && sha(local) === record.sha256) continue;
    await mkdir(dirname(target), { recursive: true, mode: 0o700 });
    const mode = record.path.endsWith('.key') ? 0o600 : record.mode & 0o666 || 0o600;
    // Written aside and renamed, so a Caddy starting meanwhile never reads half a key.
    const temp = `${target}.nestor-restore`;
    await writeFile(temp, data, { mode });
    await chmod(temp, mode);
    await rename(temp, target);
    names.push(record.path);
  }
  return { names, skipped };
}

/** Options of {@link watchCaddyData}. */
export interface WatchCaddyOptions extends StoreCaddyOptions {
  /** Quiet time after the last change before the files are stored (Caddy writes a certificate, its key and its metadata one after another). */
  debounceMs?: number;
  /** Told when a store fails; the next change tries again. */
  onError?: (err: unknown) => void;
}

/** A running watch of Caddy's data dir. */
export interface CaddyDataWatch {
  /** Stops watching, after storing what changed since the last store. */
  close(): Promise<void>;
}

/**
 * Stores the shared files of `caddyDataDir` now and again whenever Caddy writes there (a new or
 * renewed certificate, a new ACME account); `onStored` receives the names each store uploaded.
 */
export async function watchCaddyData(bus: object, caddyDataDir: string, onStored: (names: string[]) => void, opts: WatchCaddyOptions = {}): Promise<CaddyDataWatch> {
  await mkdir(caddyDataDir, { recursive: true, mode: 0o700 });
  const debounceMs = opts.debounceMs ?? 250;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  let closed = false;
  const flush = (): Promise<void> => {
    timer = null;
    // One store at a time: a change during a store schedules the next one after it.
    running = running.then(async () => {
      try {
        const { names } = await storeCaddyFiles(bus, caddyDataDir, opts);
        if (names.length > 0) onStored(names);
      } catch (err) {
        opts.onError?.(err);
      }
    });
    return running;
  };
  const schedule = (): void => {
    if (closed) return;
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => void flush(), debounceMs);
  };
  const watcher = watch(caddyDataDir, {
    ignoreInitial: true,
    ignored: (path) => {
      const rel = relative(caddyDataDir, path);
      if (rel === '') return false;
      const top = rel.split(sep)[0] as string;
      return !(CADDY_SHARED_DIRS as readonly string[]).includes(top) || rel.endsWith('.nestor-restore');
    },
  });
  watcher.on('add', schedule).on('change', schedule);
  watcher.on('error', (err) => opts.onError?.(err));
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  await flush();
  return {
    async close() {
      if (closed) return running;
      closed = true;
      await watcher.close();
      if (timer !== null) {
        clearTimeout(timer);
        await flush();
      }
      await running;
    },
  };
}

// The shared files under the data dir, as slash-separated relative paths.
async function sharedFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(join(root, rel), { withFileTypes: true });
    } catch {
      return; // not there (yet)
    }
    for (const e of entries) {
      const child = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) await walk(child);
      else if (e.isFile() && !e.name.endsWith('.nestor-restore')) out.push(child);
    }
  };
  for (const dir of CADDY_SHARED_DIRS) await walk(dir);
  return out.sort();
}

/** Whether a stored path may be written under the data dir: a relative path inside a shared folder. */
export function isSharedPath(path: string): boolean {
  const parts = path.split('/');
  return parts.length >= 2 && (CADDY_SHARED_DIRS as readonly string[]).includes(parts[0] as string) && parts.every((p) => p !== '' && p !== '.' && p !== '..' && !p.includes('\\'));
}

/**
 * The bucket key of a relative path. A key allows letters, digits, `-`, `_`, `/`, `=` and `.`
 * (a `.` separates subject tokens, so none may be empty); everything else, `=` and any `.`
 * that would start, end or double a token is written `=XX` per UTF-8 byte.
 */
export function keyOf(path: string): string {
  let out = '';
  const bytes = new TextEncoder().encode(path);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    const c = String.fromCharCode(b);
    const dotOk = c === '.' && i > 0 && i < bytes.length - 1 && bytes[i - 1] !== 0x2e && bytes[i + 1] !== 0x2e;
    if (/[A-Za-z0-9_/-]/.test(c) || dotOk) out += c;
    else out += `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The relative path a key stands for (the inverse of {@link keyOf}). */
export function pathOfKey(key: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < key.length; i++) {
    if (key[i] === '=' && /^[0-9A-F]{2}$/.test(key.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(key.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(key.charCodeAt(i));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

function recordOf(value: unknown): CaddyFileRecord | null {
  if (typeof value !== 'object' || value === null) return null;
  const r = value as Partial<CaddyFileRecord>;
  if (typeof r.path !== 'string' || typeof r.data !== 'string' || typeof r.sha256 !== 'string') return null;
  return { path: r.path, data: r.data, sha256: r.sha256, mode: typeof r.mode === 'number' ? r.mode : 0o600, node: typeof r.node === 'string' ? r.node : '', storedAt: typeof r.storedAt === 'string' ? r.storedAt : '' };
}

function sha(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

// What this process last stored or restored per data dir, so a watch that fires for a file
// already in the bucket does not read the bucket again.
const hashes = new WeakMap<NatsHandles, Map<string, Map<string, string>>>();

function knownHashes(h: NatsHandles, dir: string): Map<string, string> {
  let byDir = hashes.get(h);
  if (byDir === undefined) hashes.set(h, (byDir = new Map()));
  let known = byDir.get(dir);
  if (known === undefined) byDir.set(dir, (known = new Map()));
  return known;
}

const buckets = new WeakMap<NatsHandles, Promise<KV>>();

// Opening a bucket asks the server about its stream: once per connection is enough.
function bucket(h: NatsHandles, opts: CaddyBucketOptions): Promise<KV> {
  let kv = buckets.get(h);
  if (kv === undefined) {
    kv = new Kvm(h.js).create(CADDY_BUCKET, { storage: opts.store === 'memory' ? StorageType.Memory : StorageType.File, replicas: opts.replicas ?? 1, history: 1 });
    kv.catch(() => buckets.delete(h));
    buckets.set(h, kv);
  }
  return kv;
}
