// One realistic sample payload per event type, shared by the codec and state tests. Typed as a
// mapped type over EventType, so adding an event type without a sample fails the typecheck.
import { makeEvent, makeEventId } from '../../src/events/index.ts';
import type { EventType, NestorEvent, PayloadOf, Stored } from '../../src/events/index.ts';

/** Service id, node and pid the samples refer to. */
export const SAMPLE = { service: 'api', node: 'n1', pid: 4242 } as const;

const requestedBy = { node: 'n1', component: 'cli', user: 'dev' };

/** A payload for every event type, about service `api` on node `n1`. */
export const samplePayloads: { [T in EventType]: PayloadOf<T> } = {
  'orchestrator.service.register': {
    service: 'api',
    spec: {
      displayName: 'API server',
      description: 'HTTP API',
      kind: 'daemon',
      dependencies: ['db', { id: 'migrate', condition: 'completed' }],
      profiles: ['dev'],
      process: { command: 'node', args: ['server.js'] },
    },
    specVersion: 1,
    specHash: 'sha256:9f2c',
    source: 'nestor.yaml',
  },
  'orchestrator.service.register.rejected': {
    service: 'api',
    errors: [{ path: 'services.api.process.command', expected: 'non-empty string', got: '' }],
  },
  'orchestrator.service.pending': { service: 'api', waitingFor: ['db'] },
  'orchestrator.service.starting': { service: 'api', attempt: 0 },
  'orchestrator.service.ensure': { service: 'api', actions: [{ type: 'mkdir', target: '.data/api' }] },
  'orchestrator.service.port.conflict': {
    service: 'api',
    portName: 'primary',
    port: 8080,
    ownerPid: 999,
    ownerCommand: 'python3 -m http.server 8080',
  },
  'orchestrator.service.port.reclaimed': { service: 'api', portName: 'primary', port: 8080, pid: 998 },
  'orchestrator.service.start': {
    service: 'api',
    pid: SAMPLE.pid,
    attempt: 0,
    ports: { primary: 8080, metrics: 9090 },
    command: 'node',
    args: ['server.js'],
  },
  'orchestrator.service.ready': {
    service: 'api',
    pid: SAMPLE.pid,
    ports: { primary: 8080, metrics: 9090 },
    elapsedMs: 412,
    probe: 'http://127.0.0.1:8080/healthz',
  },
  'orchestrator.service.health': {
    service: 'api',
    probe: 'liveness',
    status: 'failing',
    consecutiveFailures: 3,
    latencyMs: null,
    detail: 'connect ECONNREFUSED 127.0.0.1:8080',
  },
  'orchestrator.service.memory.exceeded': { service: 'api', pid: SAMPLE.pid, limitBytes: 83886080, rssBytes: 157286400 },
  'orchestrator.service.stop': { service: 'api', pid: SAMPLE.pid, reason: 'command', signal: 'SIGTERM', timeoutMs: 10000 },
  'orchestrator.service.exit': { service: 'api', pid: SAMPLE.pid, code: 1, signal: null, runtimeMs: 5230, expected: false },
  'orchestrator.service.start.failed': { service: 'api', attempt: 0, reason: 'spawn', error: 'spawn node ENOENT' },
  'orchestrator.service.restart.scheduled': { service: 'api', attempt: 1, delayMs: 500, reason: 'exit code 1' },
  'orchestrator.service.retries.exhausted': { service: 'api', attempts: 5, maxRestarts: 5 },
  'orchestrator.service.schedule.next': { service: 'api', nextRunAt: '2026-01-01T12:05:00.000Z', schedule: 'every 5m' },
  'orchestrator.service.schedule.run': { service: 'api', scheduledAt: '2026-01-01T12:00:00.000Z', trigger: 'schedule' },
  'orchestrator.service.schedule.skipped': { service: 'api', scheduledAt: '2026-01-01T12:00:00.000Z', overlap: 'skip', reason: 'the previous run still runs' },
  'orchestrator.service.disabled': { service: 'api', reason: 'command' },
  'orchestrator.service.retired': { service: 'api', reason: 'not in nestor.yaml any more' },
  'orchestrator.service.placed': { service: 'api', node: 'n1', previous: null, reason: 'placement any' },
  'orchestrator.service.lost': { service: 'api', node: 'n1', reason: 'node n1 down: lease expired' },
  'orchestrator.service.unplaced': { service: 'api', reason: 'no live node has tags gpu' },
  'orchestrator.service.log': {
    service: 'api',
    stream: 'stdout',
    file: '.data/logs/api.stdout.log',
    bytes: 512,
    lines: 8,
    totalBytes: 4096,
    rotated: false,
  },
  'orchestrator.service.watch.changed': { service: 'api', files: ['src/server.ts'], count: 1 },
  'orchestrator.command.enable': { service: 'api', requestedBy },
  'orchestrator.command.disable': { service: 'api', requestedBy },
  'orchestrator.command.start': { service: 'api', requestedBy },
  'orchestrator.command.stop': { service: 'api', requestedBy },
  'orchestrator.command.restart': { service: 'api', requestedBy },
  'orchestrator.command.forget': { service: 'api', requestedBy },
  'orchestrator.node.up': {
    node: 'n1',
    pid: 3100,
    hostname: 'devbox',
    version: '0.1.0',
    nats: 'nats://127.0.0.1:41222',
    api: 'http://127.0.0.1:41223',
    dataDir: '/home/dev/project/.data',
  },
  'orchestrator.node.down': { node: 'n1', reason: 'shutdown' },
  'orchestrator.node.draining': { node: 'n1', draining: true, requestedBy },
  'orchestrator.node.broker': { node: 'n1', status: 'reconnecting', url: 'nats://127.0.0.1:41222' },
  'orchestrator.caddy.started': { node: 'n1', pid: 4321, http: 8080, https: 8443, admin: 2999 },
  'orchestrator.caddy.config.applied': {
    node: 'n1',
    routes: 1,
    upstreams: 2,
    table: [{ hosts: ['app.localhost'], paths: [], services: ['alpha'], upstreams: ['127.0.0.1:4001', '127.0.0.1:4002'] }],
  },
  'orchestrator.caddy.exited': { node: 'n1', pid: 4321, code: null, signal: 'SIGKILL', restarting: true },
  'orchestrator.caddy.stopped': { node: 'n1', reason: 'shutdown' },
  'orchestrator.caddy.cert.stored': { node: 'n1', names: ['app.localhost'], count: 1 },
  'orchestrator.caddy.cert.restored': { node: 'n1', names: ['app.localhost'], count: 1 },
  'orchestrator.snapshot.saved': { node: 'n1', throughSeq: 120, key: 'state.n1' },
  'orchestrator.project.applied': {
    node: 'n1',
    source: '/home/dev/project/nestor.yaml',
    added: ['worker'],
    removed: ['legacy'],
    changed: [{ service: 'web', fields: ['env.GREETING'] }],
    unchanged: 2,
    restarted: [],
  },
  'orchestrator.project.rejected': { node: 'n1', source: '/home/dev/project/nestor.yaml', errors: [{ path: 'services.web.process.command', expected: 'a non-empty string' }] },
  'orchestrator.run.created': {
    run: { id: 'r-1', experiment: 'mnist', version: 'v3', params: { lr: 0.01 }, heartbeatIntervalMs: 1000, binding: { node: 'n1', instance: 'api', service: 'api', pid: SAMPLE.pid, processControl: true } },
  },
  'orchestrator.run.attached': { id: 'r-1', binding: { node: 'n1', instance: 'api', service: 'api', pid: 4343, processControl: true } },
  'orchestrator.run.heartbeat': { id: 'r-1', step: 120, checkpointVersion: 3, metrics: { loss: 0.42 }, runtimeStatus: 'training' },
  'orchestrator.run.state': { id: 'r-1', from: 'queued', to: 'running', reason: 'first heartbeat' },
  'orchestrator.run.health': { id: 'r-1', from: 'healthy', to: 'late', reason: 'no heartbeat for 2 intervals of 1s' },
  'orchestrator.run.command.sent': { id: 'r-1', command: { id: 'c-1', type: 'tune', params: { lr: 0.001 }, requestedBy: 'cli' } },
  'orchestrator.run.command.delivered': { id: 'r-1', commandId: 'c-1' },
  'orchestrator.run.command.acked': { id: 'r-1', commandId: 'c-1', type: 'tune', params: { lr: 0.001 } },
};

const BASE_MS = Date.parse('2025-03-14T09:26:53.000Z');
let counter = 0;

/** A deterministic, increasing event id (ULID layout) for test events. */
export function testId(ms: number): string {
  const bytes = new Uint8Array(10);
  let n = ++counter;
  for (let i = 9; i >= 0 && n > 0; i--) {
    bytes[i] = n & 0xff;
    n >>>= 8;
  }
  return makeEventId(ms, bytes);
}

/** Builds an event of `type` with the sample payload (optionally overridden), `offsetMs` after a fixed base time. */
export function sampleEvent<T extends EventType>(
  type: T,
  overrides: Partial<PayloadOf<T>> = {},
  offsetMs = 0,
  node: string = SAMPLE.node,
): NestorEvent {
  const ms = BASE_MS + offsetMs;
  const data = { ...samplePayloads[type], ...overrides } as PayloadOf<T>;
  return makeEvent(type, data, {
    id: testId(ms),
    timestamp: new Date(ms).toISOString(),
    origin: { node, component: 'controller' },
  }) as NestorEvent;
}

/** Attaches stream sequences 1..n (or from `first`). */
export function stored(events: NestorEvent[], first = 1): Stored[] {
  return events.map((e, i) => ({ ...e, seq: first + i }) as Stored);
}
