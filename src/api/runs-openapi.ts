// The run routes in the OpenAPI document: the shapes of a run, a command and the request
// bodies as zod schemas (components), and the paths. The bodies are judged by src/runs/core;
// these schemas describe them for clients and are kept next to the routes they document.
import * as z from 'zod';
import { RUN_COMMAND_TYPES, RUN_HEALTH, RUN_ID_PATTERN, RUN_STATES } from '../runs/core/index.ts';

type Json = Record<string, unknown>;

const runId = z.string().regex(RUN_ID_PATTERN).meta({ description: 'Letters, digits, "-" or "_" (1 to 64)' });
const params = z.record(z.string(), z.unknown());

/** A run's binding to the Nestor service instance that runs its job. */
export const runBindingSchema = z
  .object({ node: z.string(), instance: z.string(), service: z.string(), pid: z.number().int().nullable(), processControl: z.boolean() })
  .meta({ id: 'RunBinding' });

/** One command with its stamps. */
export const runCommandSchema = z
  .object({
    id: runId,
    type: z.enum(RUN_COMMAND_TYPES),
    params,
    createdAt: z.string(),
    deliveredAt: z.string().nullable().meta({ description: 'Set once, by the first `commands/next` that returned it' }),
    acknowledgedAt: z.string().nullable().meta({ description: 'Set once, by the first ack' }),
    requestedBy: z.string(),
  })
  .meta({ id: 'RunCommand' });

/** The record of a run. */
export const runSchema = z
  .object({
    id: runId,
    experiment: z.string(),
    version: z.string(),
    params,
    state: z.enum(RUN_STATES),
    runtimeStatus: z.string(),
    health: z.enum(RUN_HEALTH),
    heartbeatIntervalMs: z.number().int(),
    terminateGraceMs: z.number().int().optional(),
    step: z.number().int().min(0),
    checkpointVersion: z.number().int().min(0),
    metrics: z.record(z.string(), z.number()),
    binding: runBindingSchema.nullable(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    lastHeartbeatAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    error: z.string().nullable(),
    commands: z.array(runCommandSchema),
    transitions: z.array(z.object({ at: z.string(), kind: z.enum(['state', 'health']), from: z.string(), to: z.string(), reason: z.string() })),
  })
  .meta({ id: 'Run' });

/** `GET /api/v1/runs`. */
export const runPageSchema = z.object({ runs: z.array(runSchema), next: z.string().nullable().meta({ description: 'The `after` of the next page; null on the last' }) }).meta({ id: 'RunPage' });
/** `POST /api/v1/runs/{id}/commands`. */
export const runCommandResultSchema = z.object({ command: runCommandSchema, created: z.boolean() }).meta({ id: 'RunCommandResult' });
/** A refused run request: a conflict also names the field and the stored and sent values. */
export const runErrorSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string(), field: z.string().optional(), stored: z.unknown().optional(), sent: z.unknown().optional() }) })
  .meta({ id: 'RunError' });

const createBody = z.strictObject({
  experiment: z.string().min(1),
  version: z.string().min(1),
  params: params.optional(),
  heartbeatIntervalMs: z.number().int().min(10).optional().meta({ description: 'Default 10000; health is judged against it' }),
  terminateGraceMs: z.number().int().min(0).optional().meta({ description: 'How long a terminate may go unacknowledged before the process is stopped (default 30000)' }),
  id: runId.optional().meta({ description: 'Chosen id; generated `r-<time36>-<random>` when absent' }),
});
const heartbeatBody = z.strictObject({
  step: z.number().int().min(0).meta({ description: 'Never below the stored value (409)' }),
  checkpointVersion: z.number().int().min(0).meta({ description: 'Never below the stored value (409)' }),
  metrics: z.record(z.string(), z.number()).optional(),
  runtimeStatus: z.string().optional(),
});
const commandBody = z.strictObject({
  id: runId.optional().meta({ description: 'A repeated id answers the first command (200) and creates nothing' }),
  type: z.enum(RUN_COMMAND_TYPES),
  params: params.optional().meta({ description: '`tune`: the new parameter values, at least one' }),
});
const finishBody = z.strictObject({ state: z.enum(['succeeded', 'failed']), error: z.string().optional() });

/** The run schemas that become components of the document. */
export const RUN_COMPONENTS: z.ZodType[] = [runBindingSchema, runCommandSchema, runSchema, runPageSchema, runCommandResultSchema, runErrorSchema];

const ref = (id: string): Json => ({ $ref: `#/components/schemas/${id}` });
const json = (id: string, description: string): Json => ({ description, content: { 'application/json': { schema: ref(id) } } });
const error = (description: string): Json => json('RunError', description);
function body(schema: z.ZodType): Json {
  const out = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  delete out.$schema;
  return { required: true, content: { 'application/json': { schema: out } } };
}
const idParam = { name: 'id', in: 'path', required: true, description: 'Run id', schema: { type: 'string', pattern: RUN_ID_PATTERN.source } };
const commandParam = { name: 'commandId', in: 'path', required: true, description: 'Command id', schema: { type: 'string', pattern: RUN_ID_PATTERN.source } };
const common = {
  401: error('The API token is configured and the request does not present it'),
  403: error('Read-only mode, or a cross-site request'),
};
const writes = {
  ...common,
  400: error('A body that is not valid JSON, or a field that is missing or wrong (the message names it)'),
  413: error('A body over 64 KiB, or a change the record of the run cannot hold (a command beside 512 KiB of unacknowledged ones, a record over one bus message): the message says which'),
  415: error('A body that is not application/json'),
};
const query = (name: string, description: string, schema: Json): Json => ({ name, in: 'query', required: false, description, schema });

/** The paths of the run routes. */
export function runPaths(): Record<string, Json> {
  return {
    '/api/v1/runs': {
      post: { summary: 'Register a run (queued until its first heartbeat)', requestBody: body(createBody), responses: { 201: json('Run', 'The run (with a chosen id that exists for the same experiment: that run)'), ...writes, 409: error('A chosen id that belongs to another experiment') } },
      get: {
        summary: 'Runs in id order, a page at a time',
        parameters: [
          query('state', 'Only runs in this state', { enum: [...RUN_STATES] }),
          query('health', 'Only runs with this health', { enum: [...RUN_HEALTH] }),
          query('experiment', 'Only runs of this experiment', { type: 'string' }),
          query('limit', 'Runs per page (1 to 1000, default 100)', { type: 'integer', minimum: 1, maximum: 1000 }),
          query('after', 'The `next` of the previous page', { type: 'string' }),
        ],
        responses: { 200: json('RunPage', 'One page'), 400: error('A bad filter'), 401: common[401] },
      },
    },
    '/api/v1/runs/{id}': { get: { summary: 'The record of a run', parameters: [idParam], responses: { 200: json('Run', 'The run'), 400: error('A bad id'), 401: common[401], 404: error('No such run') } } },
    '/api/v1/runs/{id}/heartbeat': {
      post: {
        summary: 'Report progress: step, checkpoint version, metrics (the first heartbeat starts the run; health becomes healthy)',
        parameters: [idParam],
        requestBody: body(heartbeatBody),
        responses: { 200: json('Run', 'The run'), ...writes, 404: error('No such run'), 409: error('step or checkpointVersion went backwards (naming field, stored and sent), or the run is finished') },
      },
    },
    '/api/v1/runs/{id}/finish': {
      post: { summary: 'Report the end of the run', parameters: [idParam], requestBody: body(finishBody), responses: { 200: json('Run', 'The run'), ...writes, 404: error('No such run'), 409: error('The run already ended otherwise') } },
    },
    '/api/v1/runs/{id}/commands': {
      post: {
        summary: 'Send a command (pause, resume, terminate, tune); state changes follow its ack',
        parameters: [idParam],
        requestBody: body(commandBody),
        responses: { 201: json('RunCommandResult', 'Queued'), 200: json('RunCommandResult', 'The id was sent before: the first command, nothing created'), ...writes, 404: error('No such run'), 409: error('The run is finished') },
      },
    },
    '/api/v1/runs/{id}/commands/next': {
      get: {
        summary: 'The oldest undelivered command, stamped delivered',
        parameters: [idParam, query('redeliver', '`true`: the oldest delivered and unacknowledged command first (after a restart of the job)', { type: 'string' })],
        responses: { 200: json('RunCommand', 'The command'), 204: { description: 'No command waits' }, ...common, 404: error('No such run') },
      },
    },
    '/api/v1/runs/{id}/commands/{commandId}/ack': {
      post: { summary: 'Acknowledge a command (again: the first stamp stays)', parameters: [idParam, commandParam], responses: { 200: json('RunCommand', 'The command'), ...common, 404: error('No such run or command') } },
    },
  };
}
