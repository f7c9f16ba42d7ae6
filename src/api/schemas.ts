// The REST API's shapes as zod schemas. Handlers validate path and query parameters with them,
// the tests check responses against them, and openapi.ts turns the same objects into the
// OpenAPI document, so the document cannot drift from the code.
import * as z from 'zod';
import { COMMAND_VERBS, EVENT_TYPES, ID_PATTERN, parseInstance } from '../events/index.ts';
import type { EventType } from '../events/index.ts';
import { LIFECYCLE_STATES } from '../state/index.ts';
import type { NodeRow, StatusEntry } from '../views/index.ts';

/** A service id in a path. */
export const serviceIdSchema = z.string().regex(ID_PATTERN, 'a service id: letters, digits, "-" or "_" (at most 64)').meta({ description: 'Service id' });
/** A command verb in a path. */
export const verbSchema = z.enum(COMMAND_VERBS).meta({ description: 'Command verb' });

/** A service id or an instance name (`web@2`) in a path. */
export const serviceNameSchema = z
  .string()
  .refine((v) => parseInstance(v) !== null, 'a service id (letters, digits, "-" or "_", at most 64) or an instance name such as web@2')
  .meta({ description: 'Service id, or an instance name `<service>@<n>`' });
/** A node id in a path. */
export const nodeIdSchema = z.string().regex(ID_PATTERN, 'a node id: letters, digits, "-" or "_" (at most 64)').meta({ description: 'Node id' });
/** What a node is asked to do from the API. */
export const nodeActionSchema = z.enum(['drain', 'undrain']).meta({ description: 'Node action' });

const probeStatus = z.enum(['unknown', 'passing', 'failing']);

/** One instance of a service, as its row lists it. */
export const instanceEntrySchema = z
  .object({
    id: z.string().meta({ description: '`<service>@<n>`' }),
    node: z.string().meta({ description: "The node that runs it ('' while it waits for one)" }),
    state: z.enum(LIFECYCLE_STATES),
    pid: z.number().int().nullable(),
    ports: z.record(z.string(), z.number().int()),
    restarts: z.number().int().min(0),
  })
  .meta({ id: 'Instance' });

const serviceEntryShape = {
    id: z.string(),
    displayName: z.string(),
    state: z.enum(LIFECYCLE_STATES),
    enabled: z.boolean(),
    kind: z.enum(['daemon', 'oneshot']),
    pid: z.number().int().nullable(),
    ports: z.record(z.string(), z.number().int()),
    restarts: z.number().int().min(0).meta({ description: 'Restarts in this run of its node' }),
    restartsTotal: z.number().int().min(0).meta({ description: 'Restarts over the whole stored history' }),
    settled: z.boolean().meta({ description: "No further transition will happen without a user's action" }),
    blocked: z.string().nullable().meta({ description: 'Why a pending service cannot start without a user action, e.g. "blocked: alpha failed"' }),
    attempt: z.number().int().min(0),
    node: z.string(),
    health: z.object({ readiness: probeStatus, liveness: probeStatus }),
    waitingFor: z.array(z.string()),
    dependencies: z.array(z.object({ id: z.string(), condition: z.string() })),
    lastExit: z.object({ code: z.number().int().nullable(), signal: z.string().nullable(), at: z.string() }).nullable(),
    lastError: z.string().nullable(),
    nextRestartAt: z.string().nullable(),
    nextRunAt: z.string().nullable().meta({ description: "A scheduled oneshot's next planned run (ISO time); null when none is planned" }),
    schedule: z.string().nullable().meta({ description: 'A scheduled oneshot\'s schedule in words, e.g. "every 30s"; null without one' }),
    startedAt: z.string().nullable(),
    readyAt: z.string().nullable(),
    since: z.string(),
    log: z.object({ bytes: z.number().int().min(0), lines: z.number().int().min(0) }),
    instances: z.array(instanceEntrySchema).meta({ description: 'Every instance of the service; with several, `state` above is their summary (ready only when all are)' }),
};
/** One service as listed by `GET /api/v1/services` (and `nestor status --json`). */
export const serviceEntrySchema = z
  .looseObject(serviceEntryShape)
  .meta({ id: 'Service', description: 'One supervised service as derived from the event stream.' });

// The schema and the selector's type must describe the same object, in both directions.
type ServiceEntryShape = z.infer<z.ZodObject<typeof serviceEntryShape>>;
const _schemaCoversSelector: ServiceEntryShape = {} as StatusEntry;
const _selectorCoversSchema: StatusEntry = {} as ServiceEntryShape;
void _schemaCoversSelector;
void _selectorCoversSchema;

/** `GET /api/v1/services`. */
export const servicesResponseSchema = z
  .object({ seq: z.number().int().min(0).meta({ description: 'Stream sequence the answer reflects' }), services: z.array(serviceEntrySchema) })
  .meta({ id: 'ServiceList' });

/** A stored event: the envelope plus its stream sequence. */
export const storedEventSchema = z
  .looseObject({
    version: z.number().int(),
    id: z.string(),
    type: z.string(),
    timestamp: z.string(),
    origin: z.object({ node: z.string(), component: z.string() }),
    data: z.record(z.string(), z.unknown()),
    seq: z.number().int().min(1),
  })
  .meta({ id: 'StoredEvent', description: 'An event envelope as stored, plus `seq`, its JetStream sequence (the SSE id).' });

/** `GET /api/v1/services/{id}`. */
export const serviceDetailResponseSchema = z
  .object({
    seq: z.number().int().min(0),
    service: serviceEntrySchema.extend({ description: z.string(), profiles: z.array(z.string()), specVersion: z.number().int(), uptimeMs: z.number().nullable() }),
    events: z.array(storedEventSchema).meta({ description: 'Recent events of this service, oldest first' }),
  })
  .meta({ id: 'ServiceDetail' });

/** Answer of a command. */
export const commandResponseSchema = z
  .object({
    ok: z.boolean(),
    service: z.string(),
    verb: verbSchema,
    message: z.string(),
    code: z.string().optional().meta({ description: 'Why a command was refused: unknown-service, invalid-transition, shutting-down, ...' }),
  })
  .meta({ id: 'CommandResult' });

const nodeRowShape = {
  id: z.string(),
  state: z.enum(['alive', 'suspect', 'down', 'left', 'draining']),
  tags: z.array(z.string()),
  lastSeen: z.string().nullable().meta({ description: 'When the membership last heard from it; null when no membership answered' }),
  address: z.string(),
  api: z.string().nullable(),
  instances: z.array(z.string()).meta({ description: 'The instances placed on it, `<service>@<n>`' }),
  downReason: z.string().nullable(),
  caddy: z
    .object({
      running: z.boolean(),
      http: z.number().int(),
      https: z.number().int(),
      routeCount: z.number().int(),
      upstreamCount: z.number().int(),
      routes: z.array(z.string()).meta({ description: 'One line per route: `host/path → service (upstream, ...)`' }),
      certificates: z.array(z.string()).meta({ description: 'One line per certificate its Caddy shares through the bus: `certificate host (issuer)`' }),
    })
    .nullable()
    .meta({ description: "The node's managed Caddy; null when none ever ran there" }),
};
/** One node of `GET /api/v1/nodes`. */
export const nodeRowSchema = z.object(nodeRowShape).meta({ id: 'Node' });
const _nodeSchemaCoversSelector: z.infer<typeof nodeRowSchema> = {} as NodeRow;
const _nodeSelectorCoversSchema: NodeRow = {} as z.infer<typeof nodeRowSchema>;
void _nodeSchemaCoversSelector;
void _nodeSelectorCoversSchema;

/** `GET /api/v1/nodes`. */
export const nodesResponseSchema = z.object({ nodes: z.array(nodeRowSchema) }).meta({ id: 'NodeList' });

/** Answer of `POST /api/v1/nodes/{id}/drain|undrain`. */
export const nodeActionResponseSchema = z
  .object({ ok: z.boolean(), node: z.string(), action: nodeActionSchema, message: z.string(), data: z.unknown().optional() })
  .meta({ id: 'NodeActionResult' });

/** Body of every error answer. */
export const errorResponseSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string() }) })
  .meta({ id: 'Error' });

/** `GET /healthz`. */
export const healthResponseSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    node: z.string(),
    broker: z.enum(['connected', 'reconnecting', 'disconnected']),
    seq: z.number().int().min(0),
    readOnly: z.boolean().meta({ description: 'Commands are refused (api.readOnly)' }),
  })
  .meta({ id: 'Health' });

/** `GET /api/v1/services/{id}/logs`. */
export const logsResponseSchema = z
  .object({
    service: z.string(),
    file: z.string(),
    lines: z.array(z.string()),
    format: z.enum(['text', 'json']).optional().meta({ description: "The service's logging.format: json lines hold a level and a message" }),
  })
  .meta({ id: 'LogTail' });

/** `GET /api/v1/logs`: the services of this node, their log tails interleaved by time. */
export const mergedLogsResponseSchema = z
  .object({
    lines: z.array(
      z.object({
        service: z.string(),
        stream: z.enum(['stdout', 'stderr']),
        time: z.string().meta({ description: 'When the line was written (RFC 3339)' }),
        text: z.string(),
        level: z.string().optional().meta({ description: 'For a logging.format json service, the level of a structured line' }),
        message: z.string().optional().meta({ description: 'For a logging.format json service, the message of a structured line' }),
      }),
    ),
  })
  .meta({ id: 'MergedLogs' });

/** `GET /api/v1/state`: the whole reduced state, the snapshot a view starts from. */
export const stateResponseSchema = z
  .looseObject({
    seq: z.number().int().min(0).meta({ description: 'Last stream sequence included; resume the event stream after it' }),
    services: z.record(z.string(), z.looseObject({ id: z.string(), state: z.enum(LIFECYCLE_STATES) })),
    nodes: z.record(z.string(), z.looseObject({ id: z.string(), status: z.enum(['up', 'down']) })),
    counters: z.looseObject({ applied: z.number(), ignored: z.number() }),
  })
  .meta({ id: 'State' });

const commaList = z.string().transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x !== ''));

/** Query of `GET /api/v1/events`. */
export const eventsQuerySchema = z.object({
  since: z.coerce.number().int().min(0).optional().meta({ description: 'Send the events after this sequence (0: the whole history). The Last-Event-ID header wins over it. Without either, only new events are sent.' }),
  service: commaList.pipe(z.array(serviceIdSchema)).optional().meta({ description: 'Comma-separated service ids; only their events are sent' }),
  type: commaList.pipe(z.array(z.enum(EVENT_TYPES as [EventType, ...EventType[]]))).optional().meta({ description: 'Comma-separated event types; only these are sent' }),
});

/** Query of `GET /api/v1/services/{id}/logs`. */
export const logsQuerySchema = z.object({
  lines: z.coerce.number().int().min(1).max(5000).default(50).meta({ description: 'How many of the last lines to return' }),
});
