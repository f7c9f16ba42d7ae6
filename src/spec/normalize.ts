// Parsed input → normalized ServiceSpec: durations to milliseconds, sizes to bytes, dependency
// shorthands to { id, condition }, defaults that depend on other fields (restart policy by
// kind, probe endpoints on the primary port). Checks that need the input form (which field
// was written, omitted ports) are made here; checks across services live in checks.ts.
import { parseDuration, parseSize } from './duration.ts';
import { formatPath, summarize } from './issues.ts';
import { parseMemory } from './limits-schema.ts';
import type { PathSegment, SpecIssue } from './issues.ts';
import { normalizeSchedule } from './schedule.ts';
import { PORT_EXPECTED } from './schema.ts';
import type { ParsedProbe, ParsedService } from './schema.ts';
import type { PortSpec, ProbeSpec, RestartTuning, ServiceSpec } from './types.ts';
import { normalizeWatch } from './watch-schema.ts';
import { normalizeCaddy } from './caddy-schema.ts';

/** Defaults applied by normalization (schema defaults are in schema.ts and the JSON Schema). */
export const SPEC_DEFAULTS = {
  backoffImmediateFirst: true,
  backoffInitialMs: 500,
  backoffMultiplier: 2,
  backoffMaxMs: 10_000,
  backoffJitter: 0,
  resetAfterMs: 30_000,
  maxRestarts: 5,
} as const;

const ms = (v: string | number): number => parseDuration(v) ?? 0;
const str = (v: string | number | boolean): string => String(v);

/** A normalized spec plus the problems only visible in the input form. */
export interface Normalized {
  spec: ServiceSpec;
  issues: SpecIssue[];
}

/** Normalizes one schema-valid service; `prefix` is its path (e.g. ['services', 'api']). */
export function normalizeService(id: string, p: ParsedService, prefix: readonly PathSegment[]): Normalized {
  const issues: SpecIssue[] = [];
  const at = (...rest: PathSegment[]): string => formatPath([...prefix, ...rest]);

  if (p.id !== undefined && p.id !== id) {
    issues.push({ path: at('id'), expected: `"${id}" (the key of this service) or nothing`, got: summarize(p.id) });
  }
  const restartPolicy = p.process.restartPolicy ?? (p.kind === 'oneshot' ? 'never' : 'on-failure');
  if (p.kind === 'oneshot' && restartPolicy === 'always') {
    issues.push({
      path: at('process', 'restartPolicy'),
      expected: '"never" or "on-failure" for a oneshot service (it would rerun forever)',
      got: '"always"',
    });
  }

  const ports = normalizePorts(p, at, issues);
  const hasPrimary = ports.primary !== undefined;
  const spec: ServiceSpec = {
    id,
    // An empty name would leave a blank row in every view: the id stands in for it.
    displayName: p.displayName === undefined || p.displayName === '' ? id : p.displayName,
    description: p.description ?? '',
    ...(p.icon !== undefined ? { icon: p.icon } : {}),
    required: p.required,
    kind: p.kind,
    ...(p.dep ? { dep: p.dep } : {}),
    process: {
      command: p.process.command,
      args: p.process.args.map(str),
      env: Object.fromEntries(Object.entries(p.process.env).map(([k, v]) => [k, str(v)])),
      ...(p.process.workingDir !== undefined ? { workingDir: p.process.workingDir } : {}),
      shell: p.process.shell,
      restartPolicy,
      ensure: p.process.ensure,
      stopSignal: p.process.stopSignal,
      stopTimeoutMs: ms(p.process.stopTimeout),
    },
    ...(p.envFile !== undefined ? { envFile: typeof p.envFile === 'string' ? [p.envFile] : p.envFile } : {}),
    restart: normalizeRestart(p, at, issues),
    replicas: p.replicas,
    ...(p.placement !== undefined ? { placement: p.placement } : {}),
    portStrategy: p.portStrategy,
    ports,
    logging: {
      ...(p.logging?.provider !== undefined ? { provider: p.logging.provider } : {}),
      ...(p.logging?.stdout !== undefined ? { stdout: p.logging.stdout } : {}),
      ...(p.logging?.stderr !== undefined ? { stderr: p.logging.stderr } : {}),
      ...(p.logging?.format !== undefined ? { format: p.logging.format } : {}),
      ...(p.logging?.retention !== undefined ? { retention: String(p.logging.retention), retentionMs: ms(p.logging.retention) } : {}),
      maxBytes: parseSize(p.logging?.maxSize ?? '10MB') ?? 0,
      keep: p.logging?.keep ?? 5,
      metadataIntervalMs: metadataInterval(p, at, issues),
    },
    ...(p.health ? { health: normalizeProbe(p.health, hasPrimary, at, 'health', issues) } : {}),
    ...(p.liveness ? { liveness: normalizeProbe(p.liveness, hasPrimary, at, 'liveness', issues) } : {}),
    ...(p.limits?.memory !== undefined ? { limits: { memoryBytes: parseMemory(p.limits.memory) ?? 0 } } : {}),
    ...(p.caddy !== undefined ? { caddy: normalizeCaddy(p.caddy) } : {}),
    dependencies: p.dependencies.map((d) => (typeof d === 'string' ? { id: d, condition: 'ready' as const } : d)),
    profiles: p.profiles,
    ...(p.schedule !== undefined ? { schedule: normalizeSchedule(p.schedule, p.kind, at, issues) } : {}),
    ...(p.watch !== undefined ? { watch: normalizeWatch(p.watch) } : {}),
  };
  return { spec, issues };
}

/** Below this, log metadata would come close to one event per write, which the interval exists to prevent. */
const MIN_METADATA_INTERVAL_MS = 100;

function metadataInterval(p: ParsedService, at: (...rest: PathSegment[]) => string, issues: SpecIssue[]): number {
  const value = p.logging?.metadataInterval ?? '10s';
  const intervalMs = ms(value);
  if (intervalMs < MIN_METADATA_INTERVAL_MS) {
    issues.push({ path: at('logging', 'metadataInterval'), expected: `a duration of at least ${MIN_METADATA_INTERVAL_MS}ms`, got: summarize(value) });
  }
  return Math.max(MIN_METADATA_INTERVAL_MS, intervalMs);
}

function normalizePorts(p: ParsedService, at: (...rest: PathSegment[]) => string, issues: SpecIssue[]): ServiceSpec['ports'] {
  const check = (port: number | undefined, path: PathSegment[]): number => {
    if (p.portStrategy === 'fixed' && (port === undefined || port === 0)) {
      issues.push({ path: at(...path), expected: PORT_EXPECTED, got: summarize(port) });
    }
    return port ?? 0;
  };
  const out: ServiceSpec['ports'] = { additional: [] };
  const primary = p.ports?.primary;
  if (primary) {
    out.primary = { name: 'primary', port: check(primary.port, ['ports', 'primary', 'port']), protocol: primary.protocol };
  }
  (p.ports?.additional ?? []).forEach((a, i) => {
    const spec: PortSpec = { name: a.name, port: check(a.port, ['ports', 'additional', i, 'port']), protocol: a.protocol };
    out.additional.push(spec);
  });
  return out;
}

function normalizeRestart(p: ParsedService, at: (...rest: PathSegment[]) => string, issues: SpecIssue[]): RestartTuning {
  const b = p.backoff;
  const obj = b === undefined ? {} : typeof b === 'object' ? b : { initial: b };
  if (p.maxBackoff !== undefined && 'max' in obj && obj.max !== undefined) {
    issues.push({ path: at('maxBackoff'), expected: 'only one of maxBackoff and backoff.max', got: summarize(p.maxBackoff) });
  }
  const tuning: RestartTuning = {
    immediateFirst: ('immediateFirst' in obj ? obj.immediateFirst : undefined) ?? SPEC_DEFAULTS.backoffImmediateFirst,
    initialMs: obj.initial !== undefined ? ms(obj.initial) : SPEC_DEFAULTS.backoffInitialMs,
    multiplier: ('multiplier' in obj ? obj.multiplier : undefined) ?? SPEC_DEFAULTS.backoffMultiplier,
    maxMs: ms(p.maxBackoff ?? ('max' in obj ? obj.max : undefined) ?? SPEC_DEFAULTS.backoffMaxMs),
    jitter: ('jitter' in obj ? obj.jitter : undefined) ?? SPEC_DEFAULTS.backoffJitter,
    resetAfterMs: ms(('resetAfter' in obj ? obj.resetAfter : undefined) ?? SPEC_DEFAULTS.resetAfterMs),
    maxRestarts: p.maxRestarts === 'unlimited' ? null : p.maxRestarts,
  };
  // With only `backoff` above the default maximum, the maximum follows it rather than capping it.
  const maxWritten = p.maxBackoff !== undefined || ('max' in obj && obj.max !== undefined);
  if (!maxWritten && tuning.maxMs < tuning.initialMs) tuning.maxMs = tuning.initialMs;
  if (maxWritten && tuning.maxMs < tuning.initialMs) {
    issues.push({
      path: at(p.maxBackoff !== undefined ? 'maxBackoff' : 'backoff'),
      expected: `a maximum delay ≥ the initial delay (${tuning.initialMs}ms)`,
      got: `${tuning.maxMs}ms`,
    });
  }
  return tuning;
}

function normalizeProbe(
  probe: ParsedProbe,
  hasPrimary: boolean,
  at: (...rest: PathSegment[]) => string,
  field: 'health' | 'liveness',
  issues: SpecIssue[],
): ProbeSpec {
  if (probe.type === 'log') return normalizeLogProbe(probe, at, field, issues);
  const common = {
    intervalMs: ms(probe.interval),
    timeoutMs: ms(probe.timeout),
    initialDelayMs: ms(probe.initialDelay),
    failureThreshold: probe.failureThreshold,
  };
  // Defaults point at the primary port; without one the issue is reported here, once, rather
  // than again as an unknown {ports.primary} in the filled-in endpoint.
  const needPrimary = (written: string | undefined): boolean => {
    if (!hasPrimary) {
      issues.push({
        path: at(field, 'endpoint'),
        expected: 'a full endpoint (this service has no ports.primary to default to)',
        got: summarize(written),
      });
    }
    return hasPrimary;
  };
  switch (probe.type) {
    case 'http': {
      let endpoint = probe.endpoint;
      if (endpoint === undefined || endpoint.startsWith('/')) {
        if (needPrimary(endpoint)) endpoint = `http://127.0.0.1:{ports.primary}${endpoint ?? '/'}`;
      } else if (!/^(https?:\/\/|\{)/.test(endpoint)) {
        issues.push({
          path: at(field, 'endpoint'),
          expected: 'an http:// or https:// URL, or a path such as "/health" on the primary port',
          got: summarize(endpoint),
        });
      }
      return { type: 'http', ...(endpoint !== undefined ? { endpoint } : {}), expectedStatus: probe.expectedStatus, ...common };
    }
    case 'tcp': {
      let endpoint = probe.endpoint;
      if (endpoint === undefined) {
        if (needPrimary(endpoint)) endpoint = '127.0.0.1:{ports.primary}';
      } else if (!/[:{]/.test(endpoint)) {
        issues.push({ path: at(field, 'endpoint'), expected: 'host:port', got: summarize(endpoint) });
      }
      return { type: 'tcp', ...(endpoint !== undefined ? { endpoint } : {}), expectedStatus: [], ...common };
    }
    case 'exec':
      return { type: 'exec', command: probe.command.map(str), expectedStatus: [], ...common };
  }
}

function normalizeLogProbe(
  probe: Extract<ParsedProbe, { type: 'log' }>,
  at: (...rest: PathSegment[]) => string,
  field: 'health' | 'liveness',
  issues: SpecIssue[],
): ProbeSpec {
  // A log line says a process got somewhere once; it says nothing about whether it is alive now.
  if (field === 'liveness') {
    issues.push({ path: at(field, 'type'), expected: 'a liveness probe of type "http", "tcp" or "exec" ("log" is for readiness)', got: '"log"' });
  }
  try {
    new RegExp(probe.pattern);
  } catch (err) {
    issues.push({ path: at(field, 'pattern'), expected: `a valid regular expression (${(err as Error).message})`, got: summarize(probe.pattern) });
  }
  return { type: 'log', pattern: probe.pattern, stream: probe.stream, expectedStatus: [], intervalMs: 0, timeoutMs: ms(probe.timeout), initialDelayMs: 0, failureThreshold: 1 };
}
