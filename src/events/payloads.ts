// Payload schemas of every event type. One schema per type; the TypeScript types in types.ts
// are inferred from these, so the validator and the compiler can never disagree.
import * as z from 'zod';
import { RUN_COMMAND_TYPES, RUN_HEALTH, RUN_ID_PATTERN, RUN_STATES } from '../runs/core/types.ts';

/** Ids of services and nodes become subject tokens, so they may not contain dots or spaces. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const id = z.string().regex(ID_PATTERN, 'letters, digits, "-" or "_" (at most 64), starting with a letter or digit');
const ports = z.record(z.string(), z.number().int().min(0).max(65535));

/** Every service-scoped payload names the service and, for replicas after the first, the instance. */
const service = { service: id, instance: z.number().int().min(2).optional() };
const tags = z.array(z.string());

/** Who asked for a command, kept for the audit trail. */
const requester = z.object({ node: z.string(), component: z.string(), user: z.string().optional() });

// The spec as the registering client sent it, every own key kept: the spec validator judges it
// later, field by field. A record schema rebuilds the object and silently drops a `__proto__`
// key, so the controller would judge a different spec than the one the client validated.
const specObject = z.custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), { message: 'expected an object' });

const runId = z.string().regex(RUN_ID_PATTERN, 'letters, digits, "-" or "_" (1 to 64)');
const runBinding = z.object({ node: z.string(), instance: z.string(), service: z.string(), pid: z.number().int().nullable(), processControl: z.boolean() });

export const payloadSchemas = {
  'orchestrator.service.register': z.object({
    ...service,
    spec: specObject,
    specVersion: z.number().int().min(1),
    specHash: z.string(),
    source: z.string(),
    /** false: registered but disabled (`nestor up --disable ID`). */
    enabled: z.boolean().optional(),
    /** true: start without waiting for dependencies (`nestor up --only ID`). */
    ignoreDependencies: z.boolean().optional(),
  }),
  'orchestrator.service.register.rejected': z.object({
    ...service,
    errors: z.array(z.object({ path: z.string(), expected: z.string(), got: z.unknown().optional() })),
  }),
  'orchestrator.service.pending': z.object({ ...service, waitingFor: z.array(z.string()) }),
  'orchestrator.service.starting': z.object({ ...service, attempt: z.number().int().min(0) }),
  'orchestrator.service.ensure': z.object({
    ...service,
    actions: z.array(z.object({ type: z.string(), target: z.string() })),
  }),
  'orchestrator.service.port.conflict': z.object({
    ...service,
    portName: z.string(),
    port: z.number().int(),
    ownerPid: z.number().int().nullable(),
    ownerCommand: z.string().nullable().optional(),
  }),
  'orchestrator.service.port.reclaimed': z.object({
    ...service,
    portName: z.string(),
    port: z.number().int(),
    pid: z.number().int(),
  }),
  'orchestrator.service.start': z.object({
    ...service,
    pid: z.number().int(),
    attempt: z.number().int().min(0),
    ports,
    command: z.string(),
    args: z.array(z.string()).optional(),
  }),
  'orchestrator.service.ready': z.object({
    ...service,
    pid: z.number().int(),
    ports,
    elapsedMs: z.number().min(0),
    probe: z.string().nullable(),
    /** A log probe: the output line that matched (cut to 200 characters). */
    line: z.string().optional(),
  }),
  'orchestrator.service.health': z.object({
    ...service,
    probe: z.enum(['readiness', 'liveness']),
    status: z.enum(['passing', 'failing']),
    consecutiveFailures: z.number().int().min(0),
    latencyMs: z.number().min(0).nullable(),
    detail: z.string().optional(),
  }),
  'orchestrator.service.memory.exceeded': z.object({
    ...service,
    pid: z.number().int(),
    limitBytes: z.number().int().min(1),
    rssBytes: z.number().int().min(0),
  }),
  'orchestrator.service.stop': z.object({
    ...service,
    pid: z.number().int().nullable(),
    reason: z.string(),
    signal: z.string(),
    timeoutMs: z.number().int().min(0),
  }),
  'orchestrator.service.exit': z.object({
    ...service,
    pid: z.number().int(),
    code: z.number().int().nullable(),
    signal: z.string().nullable(),
    runtimeMs: z.number().min(0),
    expected: z.boolean(),
    /** true: a restart follows (restart.scheduled, or pending after a restart command). */
    restart: z.boolean().optional(),
    /** true: the exit ends the service in `failed` (an error exit its restart policy does not restart). */
    failed: z.boolean().optional(),
  }),
  'orchestrator.service.start.failed': z.object({
    ...service,
    attempt: z.number().int().min(0),
    reason: z.string(),
    error: z.string(),
    /** A bare command was not on PATH: the PATH searched (too long for `error`, shown by `nestor status ID --verbose`). */
    searchPath: z.string().optional(),
    /** true: a restart.scheduled follows, so `failed` is not where the service rests. */
    restart: z.boolean().optional(),
  }),
  'orchestrator.service.restart.scheduled': z.object({
    ...service,
    attempt: z.number().int().min(1),
    delayMs: z.number().min(0),
    reason: z.string(),
  }),
  'orchestrator.service.retries.exhausted': z.object({
    ...service,
    attempts: z.number().int().min(0),
    maxRestarts: z.number().int().min(0),
  }),
  'orchestrator.service.schedule.next': z.object({
    ...service,
    /** ISO time of the next planned run; null: none (paused while stopped or disabled, or a cron without further match). */
    nextRunAt: z.string().nullable(),
    /** The schedule in words, e.g. "every 30s" or "cron 0 3 * * * (Europe/Paris)"; null: a new spec has none any more. */
    schedule: z.string().nullable(),
  }),
  'orchestrator.service.schedule.run': z.object({
    ...service,
    /** The planned time this run is for (the time it was asked for, for start and queue). */
    scheduledAt: z.string(),
    /** schedule: its time came; start: runAtStart at registration; queue: queued behind the previous run. */
    trigger: z.enum(['schedule', 'start', 'queue']),
  }),
  'orchestrator.service.schedule.skipped': z.object({
    ...service,
    scheduledAt: z.string(),
    overlap: z.enum(['skip', 'queue', 'allow']),
    reason: z.string(),
  }),
  'orchestrator.service.disabled': z.object({ ...service, reason: z.string() }),
  'orchestrator.service.retired': z.object({ ...service, reason: z.string() }),
  'orchestrator.service.placed': z.object({
    ...service,
    node: id,
    /** The node that held it before, when it moved. */
    previous: id.nullable(),
    reason: z.string(),
  }),
  'orchestrator.service.lost': z.object({ ...service, node: id, reason: z.string() }),
  'orchestrator.service.unplaced': z.object({ ...service, reason: z.string() }),
  'orchestrator.service.log': z.object({
    ...service,
    stream: z.enum(['stdout', 'stderr']),
    file: z.string(),
    bytes: z.number().int().min(0),
    lines: z.number().int().min(0),
    totalBytes: z.number().int().min(0),
    rotated: z.boolean(),
  }),
  'orchestrator.service.watch.changed': z.object({
    ...service,
    /** The first changed paths (at most 10), relative to the project directory. */
    files: z.array(z.string()),
    /** How many distinct paths changed in the burst (files may list fewer). */
    count: z.number().int().min(1),
  }),
  'orchestrator.command.enable': z.object({ ...service, requestedBy: requester }),
  'orchestrator.command.disable': z.object({ ...service, requestedBy: requester }),
  'orchestrator.command.start': z.object({ ...service, requestedBy: requester }),
  'orchestrator.command.stop': z.object({ ...service, requestedBy: requester }),
  'orchestrator.command.restart': z.object({ ...service, requestedBy: requester }),
  'orchestrator.command.forget': z.object({ ...service, requestedBy: requester }),
  'orchestrator.node.up': z.object({
    node: id,
    pid: z.number().int(),
    hostname: z.string(),
    version: z.string(),
    nats: z.string(),
    api: z.string().nullable(),
    dataDir: z.string(),
    /** Cluster membership: the node's tags and the address other nodes reach its services at. */
    tags: tags.optional(),
    address: z.string().optional(),
  }),
  'orchestrator.node.down': z.object({
    node: id,
    reason: z.string(),
    /** The survivor that found the node's lease expired (absent when the node said it itself). */
    declaredBy: id.optional(),
  }),
  'orchestrator.node.draining': z.object({ node: id, draining: z.boolean(), requestedBy: requester }),
  'orchestrator.node.broker': z.object({
    node: id,
    status: z.enum(['connected', 'reconnecting', 'disconnected']),
    url: z.string(),
  }),
  // The node's managed Caddy (src/caddy): its process and the config it serves.
  'orchestrator.caddy.started': z.object({
    node: id,
    pid: z.number().int(),
    http: z.number().int(),
    https: z.number().int(),
    admin: z.number().int(),
  }),
  'orchestrator.caddy.config.applied': z.object({
    node: id,
    /** Routes in the loaded config, and upstreams (instance addresses) behind them. */
    routes: z.number().int().min(0),
    upstreams: z.number().int().min(0),
    /** Each route: the hosts and paths it matches, the services it reaches, their upstreams. */
    table: z
      .array(z.object({ hosts: z.array(z.string()), paths: z.array(z.string()), services: z.array(z.string()), upstreams: z.array(z.string()) }))
      .default([]),
  }),
  'orchestrator.caddy.exited': z.object({
    node: id,
    pid: z.number().int(),
    code: z.number().int().nullable(),
    signal: z.string().nullable(),
    /** A restart follows (false once the restarts are used up). */
    restarting: z.boolean(),
  }),
  'orchestrator.caddy.stopped': z.object({ node: id, reason: z.string() }),
  // Certificates Caddy issued, copied into JetStream or back out of it before Caddy starts.
  'orchestrator.caddy.cert.stored': z.object({ node: id, names: z.array(z.string()), count: z.number().int().min(0) }),
  'orchestrator.caddy.cert.restored': z.object({ node: id, names: z.array(z.string()), count: z.number().int().min(0) }),
  'orchestrator.snapshot.saved': z.object({
    node: id,
    throughSeq: z.number().int().min(0),
    key: z.string(),
  }),
  'orchestrator.project.applied': z.object({
    node: id,
    /** The project file applied. */
    source: z.string(),
    added: z.array(z.string()),
    removed: z.array(z.string()),
    changed: z.array(z.object({ service: z.string(), fields: z.array(z.string()) })),
    unchanged: z.number().int().min(0),
    /** Unchanged services restarted after a changed one their spec reads through a placeholder. */
    restarted: z.array(z.string()),
  }),
  'orchestrator.project.rejected': z.object({
    node: id,
    source: z.string(),
    errors: z.array(z.object({ path: z.string(), expected: z.string(), got: z.unknown().optional() })),
  }),
  // Runs (src/runs): long jobs with heartbeats and control commands; the record is in KV, these tell its history.
  'orchestrator.run.created': z.object({
    run: z.object({
      id: runId,
      experiment: z.string(),
      version: z.string(),
      params: specObject,
      heartbeatIntervalMs: z.number().int().min(1),
      binding: runBinding.nullable(),
      terminateGraceMs: z.number().int().min(0).optional(),
    }),
  }),
  'orchestrator.run.attached': z.object({ id: runId, binding: runBinding }),
  'orchestrator.run.heartbeat': z.object({
    id: runId,
    step: z.number().int().min(0),
    checkpointVersion: z.number().int().min(0),
    metrics: z.record(z.string(), z.number()),
    runtimeStatus: z.string(),
  }),
  'orchestrator.run.state': z.object({ id: runId, from: z.enum(RUN_STATES), to: z.enum(RUN_STATES), reason: z.string() }),
  'orchestrator.run.health': z.object({ id: runId, from: z.enum(RUN_HEALTH), to: z.enum(RUN_HEALTH), reason: z.string() }),
  'orchestrator.run.command.sent': z.object({
    id: runId,
    command: z.object({ id: runId, type: z.enum(RUN_COMMAND_TYPES), params: specObject, requestedBy: z.string() }),
  }),
  'orchestrator.run.command.delivered': z.object({ id: runId, commandId: runId }),
  /** A `tune` ack merges `params` into the run's params. */
  'orchestrator.run.command.acked': z.object({ id: runId, commandId: runId, type: z.enum(RUN_COMMAND_TYPES), params: specObject }),
} as const;

/** Every known event type, in contract order. */
export const EVENT_TYPES = Object.keys(payloadSchemas) as (keyof typeof payloadSchemas)[];
