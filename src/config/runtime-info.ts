// The runtime info file: a running `nestor up` writes how to reach it into its data dir, so the
// other CLI verbs, run from the same project folder, find its bus and API.
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { ConfigError } from './errors.ts';

/** How to reach a running Nestor instance; also the shape of `nestor info --json`. */
export interface RuntimeInfo {
  node: string;
  pid: number;
  /** NATS URL clients connect to. */
  nats: string;
  /** Base URL of the HTTP API, or null when it is not serving. */
  api: string | null;
  dataDir: string;
  /** RFC 3339 time the instance started. */
  startedAt: string;
  /** URLs of the node's Caddy when one runs (docs/caddy.md). */
  caddy?: { http: string; https: string; admin: string };
}

const runtimeInfoSchema = z.looseObject({
  node: z.string().min(1),
  pid: z.number().int().positive(),
  nats: z.string().min(1),
  api: z.string().min(1).nullable(),
  dataDir: z.string().min(1),
  startedAt: z.string().min(1),
  caddy: z.object({ http: z.string(), https: z.string(), admin: z.string() }).optional(),
});

/** Path of the runtime info file in a data dir. */
export function runtimeInfoPath(dataDir: string): string {
  return join(dataDir, 'runtime.json');
}

/** Writes the runtime info file atomically (readers never see half a file). */
export async function writeRuntimeInfo(dataDir: string, info: RuntimeInfo): Promise<void> {
  const file = runtimeInfoPath(dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(info, null, 2)}\n`);
  await rename(tmp, file);
}

/** Reads the runtime info file; null when there is none. It may describe a dead process: the
 * caller checks `pid` or tries to connect. */
export async function readRuntimeInfo(dataDir: string): Promise<RuntimeInfo | null> {
  const file = runtimeInfoPath(dataDir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError({ source: file, path: null, expected: 'valid JSON', detail: (err as Error).message }, { cause: err });
  }
  const res = runtimeInfoSchema.safeParse(raw);
  if (!res.success) {
    const issue = res.error.issues[0];
    throw new ConfigError({ source: file, path: issue?.path.join('.') ?? null, expected: 'runtime info written by nestor up', detail: issue?.message ?? '' });
  }
  const { node, pid, nats, api, dataDir: dir, startedAt, caddy } = res.data;
  return { node, pid, nats, api, dataDir: dir, startedAt, ...(caddy === undefined ? {} : { caddy }) };
}

/** Removes the runtime info file if it still belongs to `pid` (a newer instance may own it). */
export async function removeRuntimeInfo(dataDir: string, pid: number): Promise<void> {
  const current = await readRuntimeInfo(dataDir).catch(() => null);
  if (current !== null && current.pid !== pid) return;
  await rm(runtimeInfoPath(dataDir), { force: true });
}
