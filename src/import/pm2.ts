// PM2 ecosystem files: `apps` (or a bare list / a single app). Each app becomes a service; what
// only the PM2 daemon does (cluster mode sharing one port, cron restarts) is reported.
import { duration, envOf, escapeBraces, mapOf, noteUnknown, serviceId, splitWords } from './common.ts';
import { setField } from './set-field.ts';
import { Draft, ImportError } from './types.ts';
import type { Conversion } from './types.ts';

const HANDLED = [
  'name', 'script', 'args', 'interpreter', 'interpreter_args', 'node_args', 'env', 'cwd', 'instances', 'exec_mode', 'max_memory_restart',
  'cron_restart', 'autorestart', 'watch', 'ignore_watch', 'max_restarts', 'restart_delay', 'exp_backoff_restart_delay', 'kill_timeout',
];
// The interpreter PM2 picks from the script's extension when none is given.
const BY_EXTENSION: Record<string, string> = { js: 'node', cjs: 'node', mjs: 'node', ts: 'node', py: 'python', sh: 'bash', rb: 'ruby', php: 'php', pl: 'perl' };
const LOGS = ['out_file', 'error_file', 'log_file', 'output', 'error', 'log', 'merge_logs', 'combine_logs', 'log_date_format', 'time'];

/** Converts a loaded ecosystem file (its `module.exports` / JSON / YAML value). */
export function convertPm2(doc: unknown): Conversion {
  const root = mapOf(doc);
  const apps: unknown[] | null = Array.isArray(doc) ? doc : Array.isArray(root?.apps) ? (root?.apps as unknown[]) : root?.script !== undefined ? [root] : null;
  if (apps === null) throw new ImportError('expected a PM2 ecosystem file with an `apps` list');
  const draft = new Draft('pm2');
  const prefix = Array.isArray(doc) || root?.apps === undefined ? '' : 'apps';
  for (const key of Object.keys(root ?? {})) if (key !== 'apps' && prefix !== '') draft.note(key, key === 'deploy' ? 'pm2 deploy has no equivalent; not converted' : 'no equivalent; not converted');
  apps.forEach((raw, i) => convertApp(draft, mapOf(raw) ?? {}, `${prefix}[${i}]`));
  if (Object.keys(draft.services).length === 0) throw new ImportError('no app with a `script` found');
  return draft.done();
}

function convertApp(draft: Draft, app: Record<string, unknown>, at: string): void {
  if (typeof app.script !== 'string' || app.script.trim() === '') return draft.note(at, 'no script; skipped');
  const script = app.script;
  const name = typeof app.name === 'string' && app.name !== '' ? app.name : (script.split('/').pop() ?? 'app').replace(/\.[^.]*$/, '');
  const id = serviceId(draft, name, `${at}.name`);
  const words = (v: unknown, where: string): string[] => {
    if (v === undefined) return [];
    if (Array.isArray(v)) return v.map((w) => escapeBraces(String(w)));
    const split = splitWords(String(v));
    if (split === null) draft.note(where, 'unbalanced quotes; passed as one argument');
    return (split ?? [String(v)]).map(escapeBraces);
  };
  const ext = /\.([a-z]+)$/.exec(script)?.[1] ?? '';
  const interpreter = typeof app.interpreter === 'string' && app.interpreter !== '' ? app.interpreter : BY_EXTENSION[ext];
  const interpreterArgs = words(app.interpreter_args ?? app.node_args, `${at}.interpreter_args`);
  const args = words(app.args, `${at}.args`);
  const proc: Record<string, unknown> =
    interpreter === undefined || interpreter === 'none'
      ? { command: escapeBraces(script), args }
      : { command: interpreter, args: [...interpreterArgs, escapeBraces(script), ...args] };
  if (ext === 'ts' && app.interpreter === undefined) draft.comment(id, ['process', 'command'], 'pm2 runs .ts through its own loader; node ≥ 22.6 needs --experimental-strip-types');
  const spec: Record<string, unknown> = { process: proc };
  draft.services[id] = spec;
  if (app.env !== undefined) {
    const env = envOf(draft, app.env, `${at}.env`);
    if (Object.keys(env).length > 0) proc.env = env;
  }
  for (const key of Object.keys(app).filter((k) => k.startsWith('env_'))) {
    draft.note(`${at}.${key}`, `used only with pm2 --env ${key.slice(4)}; not converted (put the values you need in process.env)`);
  }
  if (typeof app.cwd === 'string') proc.workingDir = escapeBraces(app.cwd);
  instancesOf(draft, app, at, id, spec);
  if (app.max_memory_restart !== undefined) {
    setField(draft, id, { limits: { memory: pm2Size(app.max_memory_restart) } }, `${at}.max_memory_restart`, 'from max_memory_restart');
  }
  if (app.cron_restart !== undefined) {
    draft.note(`${at}.cron_restart`, `restarting a running app at ${JSON.stringify(app.cron_restart)} has no equivalent (a cron schedule starts a job; it does not restart a daemon); not converted`);
  }
  if (app.autorestart === false) proc.restartPolicy = 'never';
  else {
    proc.restartPolicy = 'always';
    draft.comment(id, ['process', 'restartPolicy'], 'pm2 restarts on every exit, a clean one too');
  }
  if (app.watch !== undefined && app.watch !== false) {
    const paths = app.watch === true ? [typeof app.cwd === 'string' ? app.cwd : '.'] : (Array.isArray(app.watch) ? app.watch : [app.watch]).map(String);
    setField(draft, id, { watch: { paths } }, `${at}.watch`, 'from watch: restart when these change');
    if (app.ignore_watch !== undefined) draft.note(`${at}.ignore_watch`, 'not converted (needs watch ignore patterns)');
  }
  if (typeof app.max_restarts === 'number' && Number.isInteger(app.max_restarts) && app.max_restarts >= 0) spec.maxRestarts = app.max_restarts;
  else if (app.max_restarts !== undefined) draft.note(`${at}.max_restarts`, 'expected an integer ≥ 0; not converted');
  backoffOf(draft, app, at, id, spec);
  if (typeof app.kill_timeout === 'number') proc.stopTimeout = duration(app.kill_timeout);
  for (const key of LOGS) if (app[key] !== undefined) draft.note(`${at}.${key}`, 'nestor keeps one log file per service ({dirs.logs}/<id>.log); not converted');
  noteUnknown(draft, app, [...HANDLED, ...LOGS, ...Object.keys(app).filter((k) => k.startsWith('env_'))], at);
}

function instancesOf(draft: Draft, app: Record<string, unknown>, at: string, id: string, spec: Record<string, unknown>): void {
  const n = app.instances;
  const cluster = app.exec_mode === 'cluster' || app.exec_mode === 'cluster_mode';
  if (typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 64) {
    if (n > 1) spec.replicas = n;
  } else if (n !== undefined) {
    draft.note(`${at}.instances`, `${JSON.stringify(n)}: one instance per CPU has no equivalent; give replicas a number (1–64)`);
  }
  if (cluster) {
    draft.note(
      `${at}.exec_mode`,
      'cluster mode has no equivalent; the instances run as replicas, separate processes that cannot share one listening port (give each its own: portStrategy random and {ports.primary})',
    );
  } else if (app.exec_mode !== undefined && app.exec_mode !== 'fork' && app.exec_mode !== 'fork_mode') {
    draft.note(`${at}.exec_mode`, `${JSON.stringify(app.exec_mode)}: unknown mode; not converted`);
  }
  if (spec.replicas !== undefined) draft.comment(id, ['replicas'], `from instances${cluster ? ' (cluster mode)' : ''}`);
}

function backoffOf(draft: Draft, app: Record<string, unknown>, at: string, id: string, spec: Record<string, unknown>): void {
  const fixed = app.restart_delay;
  const growing = app.exp_backoff_restart_delay;
  if (typeof fixed === 'number' && fixed >= 0) {
    spec.backoff = { immediateFirst: false, initial: duration(fixed), multiplier: 1, ...(fixed > 10_000 ? { max: duration(fixed) } : {}) };
    draft.comment(id, ['backoff'], 'from restart_delay: the same delay before every restart');
  } else if (typeof growing === 'number' && growing >= 0) {
    spec.backoff = { immediateFirst: false, initial: duration(growing), multiplier: 1.5, max: '15s' };
    draft.comment(id, ['backoff'], "from exp_backoff_restart_delay: pm2's growth (×1.5, at most 15s)");
  }
  if (fixed !== undefined && typeof fixed !== 'number') draft.note(`${at}.restart_delay`, 'expected milliseconds; not converted');
  if (growing !== undefined && typeof growing !== 'number') draft.note(`${at}.exp_backoff_restart_delay`, 'expected milliseconds; not converted');
}

// PM2 sizes are "300M", "1G", "512K" or bytes.
function pm2Size(v: unknown): string | number {
  if (typeof v === 'number') return v;
  const m = /^(\d+(?:\.\d+)?)\s*([KMG])B?$/i.exec(String(v).trim());
  return m === null ? String(v) : `${m[1]}${(m[2] as string).toUpperCase()}B`;
}
