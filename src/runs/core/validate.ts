// Validation of the bodies a run receives (create, heartbeat, command, finish, binding, list
// filters). Each refusal is a RunError `invalid` whose message names the field, so a client
// fixes its request from the message alone.
import * as z from 'zod';
import { compileCheck } from '../../events/index.ts';
import { RunError } from './errors.ts';
import { RUN_COMMAND_TYPES, RUN_HEALTH, RUN_ID_PATTERN, RUN_STATES } from './types.ts';
import type { CommandInput, CreateRunInput, FinishInput, HeartbeatInput, RunBinding, RunListFilter } from './types.ts';

// A record schema rebuilds the object and drops a `__proto__` key silently; a plain-object
// check keeps what was sent, and JSON.stringify stores exactly that.
const plainObject = z.custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), { message: 'expected an object' });
const runId = z.string().regex(RUN_ID_PATTERN, 'letters, digits, "-" or "_" (1 to 64)');
const counter = z.number({ message: 'expected a non-negative integer' }).int('expected a non-negative integer').min(0, 'expected a non-negative integer').max(Number.MAX_SAFE_INTEGER);
const name = z.string().min(1, 'expected a non-empty string').max(200, 'at most 200 characters');
const metrics = z.record(z.string().max(100, 'metric names have at most 100 characters'), z.number().finite('expected a finite number'));

/** Shortest heartbeat interval a run may declare. */
export const MIN_HEARTBEAT_INTERVAL_MS = 10;

const createSchema = z.strictObject({
  experiment: name,
  version: name,
  params: plainObject.optional(),
  heartbeatIntervalMs: z.number().int('expected an integer').min(MIN_HEARTBEAT_INTERVAL_MS).max(86_400_000).optional(),
  terminateGraceMs: z.number().int('expected an integer').min(0).max(86_400_000).optional(),
  id: runId.optional(),
});

const heartbeatSchema = z.strictObject({
  step: counter,
  checkpointVersion: counter,
  metrics: metrics.optional(),
  runtimeStatus: z.string().max(200, 'at most 200 characters').optional(),
});

const commandSchema = z.strictObject({
  id: runId.optional(),
  type: z.string(),
  params: plainObject.optional(),
});

const finishSchema = z.strictObject({
  state: z.enum(['succeeded', 'failed'], { message: 'expected "succeeded" or "failed"' }),
  error: z.string().max(2000, 'at most 2000 characters').optional(),
});

const bindingSchema = z.strictObject({
  node: name,
  instance: name,
  service: name,
  pid: z.number().int().min(1).nullable(),
  processControl: z.boolean(),
});

const listSchema = z.strictObject({
  state: z.enum(RUN_STATES).optional(),
  health: z.enum(RUN_HEALTH).optional(),
  experiment: name.optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  after: runId.optional(),
});

function parse<T extends z.ZodType>(schema: T, body: unknown, what: string): z.output<T> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new RunError('invalid', `body: ${what} must be a JSON object, got ${body === null ? 'null' : Array.isArray(body) ? 'an array' : typeof body}`);
  }
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  throw new RunError('invalid', `${what}: ${r.error.issues.map(describe).join('; ')}`);
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `${issue.keys.map((k) => JSON.stringify(k)).join(', ')}: unknown field${issue.keys.length > 1 ? 's' : ''}`;
  const field = issue.path.length > 0 ? issue.path.join('.') : 'body';
  return `${field}: ${issue.message}`;
}

/** A valid run id, or a RunError naming `field`. */
export function checkRunId(id: unknown, field = 'id'): string {
  if (typeof id === 'string' && RUN_ID_PATTERN.test(id)) return id;
  throw new RunError('invalid', `${field}: ${JSON.stringify(id)} is not a valid id (letters, digits, "-" or "_", 1 to 64)`);
}

/** The body of a run creation. */
export function parseCreate(body: unknown): CreateRunInput {
  return stripUndefined(parse(createSchema, body, 'run'));
}

/** The body of a heartbeat. */
export function parseHeartbeat(body: unknown): HeartbeatInput {
  return plainHeartbeat(body) ?? heartbeatBySchema(body);
}

/** A heartbeat through the schema alone (the reference {@link plainHeartbeat} is tested against). */
export function heartbeatBySchema(body: unknown): HeartbeatInput {
  return stripUndefined(parse(heartbeatSchema, body, 'heartbeat'));
}

// Heartbeats are the registry's hot path, thousands a second, and zod's walk was about 4 % of a
// heartbeat's cost: a body the compiled check passes is one zod would return unchanged.
const heartbeatIsPlain = compileCheck(heartbeatSchema);

/** A heartbeat that the schema would take as it is, checked without running it (null: anything else, which the schema then refuses or explains). */
export function plainHeartbeat(body: unknown): HeartbeatInput | null {
  return heartbeatIsPlain(body) ? (body as HeartbeatInput) : null;
}

/** The body of a command: a known type, and at least one parameter for `tune`. */
export function parseCommand(body: unknown): CommandInput {
  const c = parse(commandSchema, body, 'command');
  if (!(RUN_COMMAND_TYPES as readonly string[]).includes(c.type)) {
    throw new RunError('invalid', `command: type: unknown command type ${JSON.stringify(c.type)}; known: ${RUN_COMMAND_TYPES.join(', ')}`);
  }
  if (c.type === 'tune' && (c.params === undefined || Object.keys(c.params).length === 0)) {
    throw new RunError('invalid', 'command: params: tune needs at least one parameter (params: {"name": value})');
  }
  return stripUndefined({ ...c, type: c.type as CommandInput['type'] });
}

/** The body of a run's end. */
export function parseFinish(body: unknown): FinishInput {
  return stripUndefined(parse(finishSchema, body, 'finish'));
}

/** The binding of a run to a Nestor service instance. */
export function parseBinding(body: unknown): RunBinding {
  return parse(bindingSchema, body, 'binding');
}

/** List filters (query parameters arrive as strings; limit is coerced). */
export function parseListFilter(body: unknown): RunListFilter {
  return stripUndefined(parse(listSchema, body ?? {}, 'filter'));
}

// Optional fields absent rather than undefined, so stored records and events carry no holes.
function stripUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
