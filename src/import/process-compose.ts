// process-compose: `processes` with shell command lines, dependencies with conditions, probes
// and an availability (restart) policy, which map almost one to one.
import { commandOf, duration, envOf, escapeBraces, mapOf, noteUnknown, serviceId } from './common.ts';
import { setField } from './set-field.ts';
import { Draft, ImportError } from './types.ts';
import type { Conversion } from './types.ts';

const HANDLED = [
  'command', 'working_dir', 'environment', 'depends_on', 'readiness_probe', 'liveness_probe', 'availability', 'disabled', 'namespace',
  'ready_log_line', 'shutdown', 'replicas', 'description',
];
const TOP_LEVEL = ['version', 'processes', 'environment', 'log_location', 'log_level', 'log_configuration', 'is_strict'];
const CONDITIONS: Record<string, string> = {
  process_started: 'started',
  process_healthy: 'ready',
  process_log_ready: 'ready',
  process_completed_successfully: 'completed',
  process_completed: 'completed',
};
const RESTARTS: Record<string, string> = { no: 'never', on_failure: 'on-failure', exit_on_failure: 'on-failure', always: 'always' };
const SIGNALS: Record<number, string> = { 1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 9: 'SIGKILL', 10: 'SIGUSR1', 12: 'SIGUSR2', 15: 'SIGTERM' };

/** Converts a parsed process-compose file. */
export function convertProcessCompose(doc: unknown): Conversion {
  const root = mapOf(doc);
  const processes = mapOf(root?.processes);
  if (root === null || processes === null) throw new ImportError('expected a process-compose file with a `processes` map');
  const draft = new Draft('process-compose');
  for (const key of Object.keys(root)) if (!TOP_LEVEL.includes(key)) draft.note(key, 'no equivalent; not converted');
  if (root.log_location !== undefined) draft.note('log_location', 'nestor keeps one log file per service ({dirs.logs}/<id>.log); not converted');
  const globalEnv = root.environment === undefined ? {} : envOf(draft, root.environment, 'environment');
  const ids = new Map<string, string>();
  for (const name of Object.keys(processes)) ids.set(name, serviceId(draft, name, `processes.${name}`));
  for (const id of ids.values()) draft.services[id] = {};
  const completed = new Set<string>();
  for (const [name, id] of ids) convertProcess(draft, mapOf(processes[name]) ?? {}, `processes.${name}`, id, { ids, completed, globalEnv });
  for (const id of completed) {
    const spec = draft.services[id] as Record<string, unknown>;
    spec.kind = 'oneshot';
    draft.comment(id, ['kind'], 'a dependent waits for it to complete');
  }
  return draft.done();
}

interface Shared {
  ids: Map<string, string>;
  completed: Set<string>;
  globalEnv: Record<string, unknown>;
}

function convertProcess(draft: Draft, p: Record<string, unknown>, at: string, id: string, shared: Shared): void {
  const spec = draft.services[id] as Record<string, unknown>;
  if (typeof p.command !== 'string' || p.command.trim() === '') {
    draft.note(`${at}.command`, 'no command; written as `true`');
  }
  const proc: Record<string, unknown> = commandOf(escapeBraces(typeof p.command === 'string' && p.command.trim() !== '' ? p.command : 'true'));
  spec.process = proc;
  if (typeof p.description === 'string') spec.description = p.description;
  if (typeof p.working_dir === 'string') proc.workingDir = escapeBraces(p.working_dir);
  const env = { ...shared.globalEnv, ...(p.environment === undefined ? {} : envOf(draft, p.environment, `${at}.environment`)) };
  if (Object.keys(env).length > 0) proc.env = env;
  if (Object.keys(shared.globalEnv).length > 0) draft.comment(id, ['process', 'env'], 'with the file-wide environment');

  const deps: Record<string, string>[] = [];
  for (const [name, raw] of Object.entries(mapOf(p.depends_on) ?? {})) {
    const target = shared.ids.get(name);
    const cond = String(mapOf(raw)?.condition ?? 'process_started');
    if (target === undefined) {
      draft.note(`${at}.depends_on.${name}`, `${name} is not a process of this file; dependency dropped`);
      continue;
    }
    const condition = CONDITIONS[cond];
    if (condition === undefined) draft.note(`${at}.depends_on.${name}.condition`, `${JSON.stringify(cond)}: unknown condition; written as "started"`);
    if (cond === 'process_completed') draft.note(`${at}.depends_on.${name}.condition`, 'any exit has no equivalent; written as "completed" (exit 0)');
    if (condition === 'completed') shared.completed.add(target);
    deps.push({ id: target, condition: condition ?? 'started' });
  }
  if (deps.length > 0) spec.dependencies = deps;

  for (const [from, to] of [['readiness_probe', 'health'], ['liveness_probe', 'liveness']] as const) {
    if (p[from] === undefined) continue;
    const probe = probeOf(draft, mapOf(p[from]) ?? {}, `${at}.${from}`);
    if (probe !== null) spec[to] = probe;
  }
  if (typeof p.ready_log_line === 'string') {
    setField(draft, id, { health: { type: 'log', pattern: p.ready_log_line } }, `${at}.ready_log_line`, 'ready once this line is printed');
  }
  availabilityOf(draft, mapOf(p.availability) ?? {}, `${at}.availability`, id, spec, proc);
  if (p.disabled === true) {
    spec.profiles = ['disabled'];
    draft.comment(id, ['profiles'], 'disabled: started only with `nestor up --profile disabled`');
  }
  if (p.namespace !== undefined) draft.note(`${at}.namespace`, 'namespaces group processes in the process-compose UI; not converted (profiles select services at start)');
  const shutdown = mapOf(p.shutdown);
  if (shutdown !== null) {
    const signal = typeof shutdown.signal === 'number' ? SIGNALS[shutdown.signal] : undefined;
    if (signal !== undefined) proc.stopSignal = signal;
    else if (shutdown.signal !== undefined) draft.note(`${at}.shutdown.signal`, `${JSON.stringify(shutdown.signal)}: no equivalent stop signal; not converted`);
    if (typeof shutdown.timeout_seconds === 'number') proc.stopTimeout = duration(shutdown.timeout_seconds * 1000);
    noteUnknown(draft, shutdown, ['signal', 'timeout_seconds'], `${at}.shutdown`);
  }
  if (typeof p.replicas === 'number' && Number.isInteger(p.replicas) && p.replicas >= 1 && p.replicas <= 64) {
    if (p.replicas > 1) spec.replicas = p.replicas;
  } else if (p.replicas !== undefined) draft.note(`${at}.replicas`, 'replicas must be 1–64; not converted');
  if (p.is_daemon === true) draft.note(`${at}.is_daemon`, 'a command that forks into the background cannot be supervised; run it in the foreground');
  noteUnknown(draft, p, [...HANDLED, 'is_daemon'], at);
}

function probeOf(draft: Draft, raw: Record<string, unknown>, at: string): Record<string, unknown> | null {
  let probe: Record<string, unknown>;
  const http = mapOf(raw.http_get);
  const exec = mapOf(raw.exec);
  if (http !== null) {
    const scheme = String(http.scheme ?? 'http');
    const path = String(http.path ?? '/');
    probe = { type: 'http', endpoint: escapeBraces(`${scheme}://${String(http.host ?? '127.0.0.1')}:${String(http.port ?? 80)}${path.startsWith('/') ? path : `/${path}`}`) };
    noteUnknown(draft, http, ['host', 'scheme', 'path', 'port'], `${at}.http_get`);
  } else if (exec !== null && typeof exec.command === 'string') {
    const cmd = commandOf(escapeBraces(exec.command));
    probe = { type: 'exec', command: cmd.shell ? ['sh', '-c', cmd.command] : [cmd.command, ...(cmd.args ?? [])] };
    if (exec.working_dir !== undefined) draft.note(`${at}.exec.working_dir`, 'probes run in the project folder; not converted');
  } else {
    draft.note(at, 'expected http_get or exec with a command; not converted');
    return null;
  }
  for (const [from, to] of [['initial_delay_seconds', 'initialDelay'], ['period_seconds', 'interval'], ['timeout_seconds', 'timeout']] as const) {
    if (typeof raw[from] === 'number') probe[to] = duration((raw[from] as number) * 1000);
  }
  if (typeof raw.failure_threshold === 'number' && raw.failure_threshold >= 1) probe.failureThreshold = raw.failure_threshold;
  if (raw.success_threshold !== undefined && raw.success_threshold !== 1) draft.note(`${at}.success_threshold`, 'one success always counts; not converted');
  noteUnknown(draft, raw, ['http_get', 'exec', 'initial_delay_seconds', 'period_seconds', 'timeout_seconds', 'failure_threshold', 'success_threshold'], at);
  return probe;
}

function availabilityOf(draft: Draft, a: Record<string, unknown>, at: string, id: string, spec: Record<string, unknown>, proc: Record<string, unknown>): void {
  if (a.restart !== undefined) {
    const policy = RESTARTS[String(a.restart)];
    if (policy === undefined) draft.note(`${at}.restart`, `${JSON.stringify(a.restart)}: unknown restart policy; not converted`);
    else proc.restartPolicy = policy;
    if (a.restart === 'exit_on_failure') draft.note(`${at}.restart`, 'stopping the whole project when it fails has no equivalent; written as on-failure');
  }
  if (typeof a.backoff_seconds === 'number') {
    spec.backoff = { immediateFirst: false, initial: duration(a.backoff_seconds * 1000), multiplier: 1, ...(a.backoff_seconds > 10 ? { max: duration(a.backoff_seconds * 1000) } : {}) };
    draft.comment(id, ['backoff'], 'from backoff_seconds: the same delay before every restart');
  }
  if (typeof a.max_restarts === 'number') {
    // process-compose reads 0 as "no limit".
    spec.maxRestarts = a.max_restarts === 0 ? 'unlimited' : a.max_restarts;
  }
  noteUnknown(draft, a, ['restart', 'backoff_seconds', 'max_restarts'], at);
}
