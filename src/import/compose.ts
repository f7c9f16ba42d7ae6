// docker compose: services with a `command` or `entrypoint` run that command on this machine;
// image-only services (postgres, redis…) have nothing to run here and are listed as skipped.
import { STOP_SIGNALS } from '../spec/schema.ts';
import { ID_PATTERN } from '../events/index.ts';
import { commandOf, duration, envOf, goDuration, mapOf, noteUnknown, serviceId, splitWords } from './common.ts';
import { setField } from './set-field.ts';
import { Draft, ImportError } from './types.ts';
import type { Conversion } from './types.ts';

const HANDLED = [
  'command', 'entrypoint', 'image', 'build', 'environment', 'env_file', 'depends_on', 'healthcheck', 'restart', 'working_dir',
  'ports', 'profiles', 'stop_signal', 'stop_grace_period', 'deploy', 'scale', 'mem_limit', 'container_name',
];
const CONDITIONS: Record<string, string> = { service_started: 'started', service_healthy: 'ready', service_completed_successfully: 'completed' };
const TOP_LEVEL_IGNORED = ['name', 'services', 'version'];

/**
 * Compose's own interpolation: `${VAR}` and `$VAR` come from the environment (here `{env.VAR}`),
 * `$$` is a `$`; other placeholder-shaped braces are escaped. Forms with defaults are kept as
 * written and reported through `odd`.
 */
export function interpolate(text: string, odd: (form: string) => void = () => {}): string {
  return text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)|\$\{[^}]*\}|\{(?=[A-Za-z][A-Za-z0-9._-]*\})/g, (m, braced?: string, bare?: string) => {
    if (m === '$$') return '$';
    if (braced !== undefined || bare !== undefined) return `{env.${braced ?? bare}}`;
    if (m === '{') return '{{';
    odd(m);
    return m;
  });
}

/** Converts a parsed compose file. */
export function convertCompose(doc: unknown): Conversion {
  const root = mapOf(doc);
  const services = mapOf(root?.services);
  if (root === null || services === null) throw new ImportError('expected a compose file with a `services` map');
  const draft = new Draft('compose');
  for (const key of Object.keys(root)) {
    if (!TOP_LEVEL_IGNORED.includes(key) && !key.startsWith('x-')) draft.note(key, 'no equivalent (top-level compose section); not converted');
  }
  const ids = new Map<string, string>();
  for (const [name, raw] of Object.entries(services)) {
    const svc = mapOf(raw) ?? {};
    if (svc.command === undefined && svc.entrypoint === undefined) {
      draft.note(`services.${name}`, svc.image !== undefined ? 'image-only service skipped (no command)' : "no command (the image's Dockerfile decides what runs); skipped");
      continue;
    }
    const id = serviceId(draft, name, `services.${name}`);
    ids.set(name, id);
    draft.services[id] = {};
  }
  const ports = new Map<number, string>();
  const completed = new Set<string>();
  for (const [name, id] of ids) convertService(draft, mapOf(services[name]) ?? {}, name, id, { ids, ports, completed });
  for (const id of completed) {
    const spec = draft.services[id] as Record<string, unknown>;
    spec.kind = 'oneshot';
    draft.comment(id, ['kind'], 'a dependent waits for it to complete (service_completed_successfully)');
  }
  const name = typeof root.name === 'string' ? root.name : undefined;
  return draft.done(name);
}

interface Shared {
  ids: Map<string, string>;
  ports: Map<number, string>;
  completed: Set<string>;
}

function convertService(draft: Draft, svc: Record<string, unknown>, name: string, id: string, shared: Shared): void {
  const at = `services.${name}`;
  const spec = draft.services[id] as Record<string, unknown>;
  const text = (s: string, where: string): string => interpolate(s, (form) => draft.note(where, `${form}: compose interpolation with a default or a check has no equivalent; kept as written`));
  const argv = (v: unknown, where: string): string[] | null => {
    if (v === undefined || v === null) return [];
    if (Array.isArray(v)) return v.map((w) => text(String(w), where));
    return splitWords(text(String(v), where));
  };
  const entry = argv(svc.entrypoint, `${at}.entrypoint`);
  const cmd = argv(svc.command, `${at}.command`);
  const proc: Record<string, unknown> =
    entry === null || cmd === null ? commandOf(text(`${String(svc.entrypoint ?? '')} ${String(svc.command ?? '')}`, `${at}.command`)) : { command: [...entry, ...cmd][0], args: [...entry, ...cmd].slice(1) };
  spec.process = proc;
  if (typeof proc.command !== 'string' || proc.command === '') {
    proc.command = 'true';
    draft.note(`${at}.command`, 'empty command; written as `true`');
  }
  const where = svc.image !== undefined ? `not in the image ${JSON.stringify(svc.image)}` : 'not in a container';
  draft.comment(id, ['process', 'command'], `runs on this machine, ${where}`);

  if (svc.environment !== undefined) {
    const env = envOf(draft, svc.environment, `${at}.environment`, (v) => text(v, `${at}.environment`));
    if (Object.keys(env).length > 0) proc.env = env;
    for (const [key, v] of Object.entries(env)) {
      if (typeof v === 'string' && v.includes('{env.')) draft.comment(id, ['process', 'env', key], "compose's interpolation: read from nestor's environment at start, an error when unset");
    }
  }
  const context = typeof svc.build === 'string' ? svc.build : mapOf(svc.build)?.context;
  if (typeof context === 'string' && context !== '.' && context !== './') {
    proc.workingDir = text(context, `${at}.build`);
    draft.comment(id, ['process', 'workingDir'], 'the build context, where the sources are');
  }
  if (svc.working_dir !== undefined) {
    draft.note(`${at}.working_dir`, `${JSON.stringify(svc.working_dir)} is a path inside the container; not converted (the process runs in ${typeof context === 'string' ? 'its build context' : 'the project folder'})`);
  }
  if (svc.env_file !== undefined) {
    const files = (Array.isArray(svc.env_file) ? svc.env_file : [svc.env_file]).map((f) => String(mapOf(f)?.path ?? f));
    setField(draft, id, { envFile: files }, `${at}.env_file`, 'from env_file');
  }
  restartOf(draft, svc.restart, at, id, spec, proc);
  if (svc.healthcheck !== undefined) healthOf(draft, mapOf(svc.healthcheck) ?? {}, `${at}.healthcheck`, id, spec, text);
  dependenciesOf(draft, svc.depends_on, at, id, spec, shared);
  portsOf(draft, svc.ports, `${at}.ports`, id, spec, shared.ports);
  if (svc.profiles !== undefined) {
    const list = Array.isArray(svc.profiles) ? svc.profiles.map(String) : [];
    const good = list.filter((p) => ID_PATTERN.test(p));
    for (const bad of list.filter((p) => !good.includes(p))) draft.note(`${at}.profiles`, `${JSON.stringify(bad)} is not a valid profile name; left out`);
    if (good.length > 0) spec.profiles = good;
  }
  if (svc.stop_signal !== undefined) {
    if ((STOP_SIGNALS as readonly unknown[]).includes(svc.stop_signal)) proc.stopSignal = svc.stop_signal;
    else draft.note(`${at}.stop_signal`, `${JSON.stringify(svc.stop_signal)} is not one of ${STOP_SIGNALS.join(', ')}; not converted`);
  }
  if (svc.stop_grace_period !== undefined) {
    const ms = goDuration(svc.stop_grace_period);
    if (ms === null) draft.note(`${at}.stop_grace_period`, 'not a duration; not converted');
    else proc.stopTimeout = duration(ms);
  }
  const deploy = mapOf(svc.deploy) ?? {};
  const replicas = deploy.replicas ?? svc.scale;
  if (replicas !== undefined) {
    if (typeof replicas === 'number' && Number.isInteger(replicas) && replicas >= 1 && replicas <= 64) spec.replicas = replicas;
    else draft.note(`${at}.${deploy.replicas !== undefined ? 'deploy.replicas' : 'scale'}`, `${JSON.stringify(replicas)}: replicas must be 1–64; not converted`);
  }
  const memory = mapOf(mapOf(mapOf(deploy.resources)?.limits))?.memory ?? svc.mem_limit;
  if (memory !== undefined) setField(draft, id, { limits: { memory: composeSize(memory) } }, `${at}.${svc.mem_limit !== undefined ? 'mem_limit' : 'deploy.resources.limits.memory'}`, 'from the container memory limit');
  for (const key of Object.keys(deploy)) if (key !== 'replicas' && key !== 'resources') draft.note(`${at}.deploy.${key}`, 'no equivalent; not converted');
  noteUnknown(draft, svc, HANDLED, at);
}

// Compose sizes are "512m", "1g", "300M" or bytes; Nestor's are "512MB".
function composeSize(v: unknown): string {
  const m = /^(\d+(?:\.\d+)?)\s*([bkmg])?b?$/i.exec(String(v));
  if (m === null) return String(v);
  const unit = (m[2] ?? 'b').toLowerCase();
  return `${m[1]}${unit === 'b' ? 'B' : `${unit.toUpperCase()}B`}`;
}

function restartOf(draft: Draft, restart: unknown, at: string, id: string, spec: Record<string, unknown>, proc: Record<string, unknown>): void {
  if (restart === undefined) return;
  const [policy, count] = String(restart).split(':');
  if (policy === 'no') proc.restartPolicy = 'never';
  else if (policy === 'always' || policy === 'unless-stopped' || policy === 'on-failure') {
    proc.restartPolicy = policy === 'on-failure' ? 'on-failure' : 'always';
    spec.maxRestarts = count !== undefined && /^\d+$/.test(count) ? Number(count) : 'unlimited';
    if (policy === 'unless-stopped') draft.comment(id, ['process', 'restartPolicy'], 'from unless-stopped: a service you stop stays stopped');
  } else draft.note(`${at}.restart`, `${JSON.stringify(restart)}: unknown restart policy; not converted`);
}

function healthOf(draft: Draft, hc: Record<string, unknown>, at: string, id: string, spec: Record<string, unknown>, text: (s: string, where: string) => string): void {
  const test = hc.test;
  if (hc.disable === true || (Array.isArray(test) && test[0] === 'NONE')) return;
  let command: string[];
  if (typeof test === 'string') command = ['sh', '-c', text(test, `${at}.test`)];
  else if (Array.isArray(test) && test[0] === 'CMD') command = test.slice(1).map((w) => text(String(w), `${at}.test`));
  else if (Array.isArray(test) && test[0] === 'CMD-SHELL') command = ['sh', '-c', text(test.slice(1).join(' '), `${at}.test`)];
  else {
    draft.note(`${at}.test`, 'expected a string or ["CMD", …] / ["CMD-SHELL", …]; not converted');
    return;
  }
  if (command.length === 0) return draft.note(`${at}.test`, 'empty command; not converted');
  const probe: Record<string, unknown> = { type: 'exec', command };
  for (const [from, to] of [['interval', 'interval'], ['timeout', 'timeout'], ['start_period', 'initialDelay']] as const) {
    if (hc[from] === undefined) continue;
    const ms = goDuration(hc[from]);
    if (ms === null) draft.note(`${at}.${from}`, 'not a duration; not converted');
    else probe[to] = duration(ms);
  }
  if (typeof hc.retries === 'number' && hc.retries >= 1) probe.failureThreshold = hc.retries;
  spec.health = probe;
  draft.comment(id, ['health'], 'readiness from the healthcheck (a dependent with service_healthy waits for it)');
  if (hc.start_period !== undefined) draft.comment(id, ['health', 'initialDelay'], 'approximates start_period: no probe before it, instead of failures not counting');
  noteUnknown(draft, hc, ['test', 'disable', 'interval', 'timeout', 'retries', 'start_period'], at);
}

function dependenciesOf(draft: Draft, raw: unknown, at: string, id: string, spec: Record<string, unknown>, shared: Shared): void {
  if (raw === undefined) return;
  const entries: [string, Record<string, unknown>][] = Array.isArray(raw) ? raw.map((n) => [String(n), {}]) : Object.entries(mapOf(raw) ?? {}).map(([n, v]) => [n, mapOf(v) ?? {}]);
  const deps: Record<string, string>[] = [];
  for (const [name, long] of entries) {
    const where = `${at}.depends_on.${name}`;
    const target = shared.ids.get(name);
    if (target === undefined) {
      draft.note(where, `${name} is not converted (no command); dependency dropped`);
      continue;
    }
    const condition = long.condition === undefined ? 'started' : CONDITIONS[String(long.condition)];
    if (condition === undefined) {
      draft.note(`${where}.condition`, `${JSON.stringify(long.condition)}: unknown condition; written as "started"`);
    }
    if (condition === 'completed') shared.completed.add(target);
    deps.push({ id: target, condition: condition ?? 'started' });
    if (long.restart !== undefined) draft.note(`${where}.restart`, 'restarting dependents with their dependency has no equivalent; not converted');
    if (long.required === false) draft.note(`${where}.required`, 'optional dependencies have no equivalent; written as required');
  }
  if (deps.length > 0) spec.dependencies = deps;
}

function portsOf(draft: Draft, raw: unknown, at: string, id: string, spec: Record<string, unknown>, used: Map<number, string>): void {
  if (raw === undefined) return;
  const list = Array.isArray(raw) ? raw : [raw];
  const declared: Record<string, unknown>[] = [];
  list.forEach((entry, i) => {
    const where = `${at}[${i}]`;
    const long = mapOf(entry);
    const [mapping, proto = 'tcp'] = long !== null ? [`${String(long.published ?? '')}:${String(long.target)}`, String(long.protocol ?? 'tcp')] : String(entry).split('/');
    const parts = (mapping as string).split(':');
    const target = parts[parts.length - 1] as string;
    const published = parts.length > 1 ? parts[parts.length - 2] : undefined;
    if (!/^\d+$/.test(target) || Number(target) < 1 || Number(target) > 65535) {
      return draft.note(where, `${JSON.stringify(entry)}: port ranges and forms other than [host:]port have no equivalent; not converted`);
    }
    const port = Number(target);
    const owner = used.get(port);
    if (owner !== undefined) return draft.note(where, `container port ${port} is also ${owner}'s; on one machine only one process can listen on it; not converted`);
    used.set(port, id);
    declared.push({ port, protocol: proto === 'udp' ? 'udp' : 'tcp' });
    if (published !== undefined && published !== '' && published !== target) {
      draft.note(where, `published as ${published} on the host: the process listens on ${port} itself, there is no port mapping; host port not converted`);
    }
  });
  if (declared.length === 0) return;
  const [primary, ...rest] = declared;
  spec.ports = { primary, ...(rest.length > 0 ? { additional: rest.map((p) => ({ name: `port-${String(p.port)}`, ...p })) } : {}) };
  draft.comment(id, ['ports'], 'the container ports: the process listens on them on this machine');
}
