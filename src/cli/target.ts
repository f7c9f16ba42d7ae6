// Where the verbs find a running instance, without connecting to it: `nestor up` writes
// `<dataDir>/runtime.json`; NESTOR_URL (a NATS URL of the running instance) overrides it. Kept
// apart from connect.ts so that a verb answered by the node's HTTP API (status, list) never
// loads the NATS client.
import { findProjectFile, loadConfig, readRuntimeInfo } from '../config/index.ts';
import type { NestorConfig, RuntimeInfo } from '../config/index.ts';
import { isProcessAlive } from '../process/index.ts';
import type { CliContext } from './context.ts';
import { NotRunningError } from './errors.ts';

/** A running instance as the CLI found it; `info --json` prints its first five fields. */
export interface InstanceInfo {
  node: string;
  /** Process id of its `nestor up` (on the host named by `hostname`, when known). */
  pid: number;
  nats: string;
  api: string | null;
  dataDir: string;
  startedAt: string | null;
  hostname: string | null;
  version: string | null;
  /** How it was found. */
  via: 'runtime-info' | 'NESTOR_URL';
  /** URLs of the node's Caddy (from the runtime file) when one runs. */
  caddy?: { http: string; https: string; admin: string };
}

/** Where the verbs look for an instance: NESTOR_URL, or the runtime info of a project. */
export type Target =
  | { kind: 'url'; urls: string[]; config: NestorConfig }
  | { kind: 'runtime-info'; info: InstanceInfo; config: NestorConfig };

/**
 * The settings of the project in `ctx.cwd` (or `file`), as `nestor up` would load them. The
 * node id is fixed so that a verb never writes one into the data dir.
 */
export async function loadCliConfig(ctx: CliContext, file?: string): Promise<NestorConfig> {
  return loadConfig({ cwd: ctx.cwd, env: ctx.env, projectFile: file, flags: { node: 'cli' } });
}

/** True when `ctx.cwd` (or `file`) names a project, so its data dir is known. */
export function hasProject(ctx: CliContext, file?: string): boolean {
  return file !== undefined || findProjectFile(ctx.cwd) !== null || (ctx.env.NESTOR_DATA_DIR ?? '') !== '';
}

/** Finds the instance to talk to without connecting (NESTOR_URL is only parsed). */
export async function findTarget(ctx: CliContext, file?: string): Promise<Target> {
  const url = ctx.env.NESTOR_URL?.trim();
  if (!url && !hasProject(ctx, file)) throw new NotRunningError(ctx.cwd, ' (there is no nestor.yaml, nestor.yml or nestor.json here)');
  const config = await loadCliConfig(ctx, file);
  if (url) return { kind: 'url', urls: url.split(',').map((u) => u.trim()).filter(Boolean), config };
  const info = await readRuntimeInfo(config.dataDir);
  if (info === null) throw new NotRunningError(config.projectDir);
  if (!(await isProcessAlive(info.pid))) {
    throw new NotRunningError(config.projectDir, ` (pid ${info.pid} in ${info.dataDir}/runtime.json has exited without cleaning up)`);
  }
  return { kind: 'runtime-info', config, info: fromRuntimeInfo(info) };
}

/** The instance a runtime info file describes. */
export function fromRuntimeInfo(info: RuntimeInfo): InstanceInfo {
  const { node, pid, nats, api, dataDir, startedAt, caddy } = info;
  return { node, pid, nats, api, dataDir, startedAt, hostname: null, version: null, via: 'runtime-info', ...(caddy === undefined ? {} : { caddy }) };
}
