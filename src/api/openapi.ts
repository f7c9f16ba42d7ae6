// The OpenAPI 3.1 document of the REST API, generated from the zod schemas in schemas.ts (the
// ones the handlers validate with), so it describes what the code does. Served at
// /api/v1/openapi.json.
import * as z from 'zod';
import { NESTOR_API_VERSION } from './version.ts';
import { RUN_COMPONENTS, runPaths } from './runs-openapi.ts';
import {
  commandResponseSchema,
  errorResponseSchema,
  eventsQuerySchema,
  healthResponseSchema,
  instanceEntrySchema,
  logsQuerySchema,
  logsResponseSchema,
  mergedLogsResponseSchema,
  nodeActionResponseSchema,
  nodeActionSchema,
  nodeIdSchema,
  nodeRowSchema,
  nodesResponseSchema,
  serviceDetailResponseSchema,
  serviceEntrySchema,
  serviceNameSchema,
  servicesResponseSchema,
  stateResponseSchema,
  storedEventSchema,
  verbSchema,
} from './schemas.ts';

type Json = Record<string, unknown>;

const COMPONENTS = [
  instanceEntrySchema,
  serviceEntrySchema,
  servicesResponseSchema,
  serviceDetailResponseSchema,
  storedEventSchema,
  commandResponseSchema,
  errorResponseSchema,
  healthResponseSchema,
  logsResponseSchema,
  mergedLogsResponseSchema,
  stateResponseSchema,
  nodeRowSchema,
  nodesResponseSchema,
  nodeActionResponseSchema,
  ...RUN_COMPONENTS,
];

function components(): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const schema of COMPONENTS) {
    const id = (z.globalRegistry.get(schema) as { id?: string } | undefined)?.id;
    if (id !== undefined) registry.add(schema, { id });
  }
  const { schemas } = z.toJSONSchema(registry, { uri: (id) => `#/components/schemas/${id}`, unrepresentable: 'any' }) as { schemas: Record<string, Json> };
  for (const s of Object.values(schemas)) {
    delete s.$schema;
    delete s.$id;
  }
  return schemas;
}

const ref = (schema: z.ZodType): Json => ({ $ref: `#/components/schemas/${(z.globalRegistry.get(schema) as { id: string }).id}` });
const json = (schema: z.ZodType, description: string): Json => ({ description, content: { 'application/json': { schema: ref(schema) } } });
const errorOf = (description: string): Json => json(errorResponseSchema, description);

function inline(schema: z.ZodType): Json {
  const out = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  delete out.$schema;
  return out;
}

function queryParams(schema: z.ZodObject): Json[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    const s = inline(field as z.ZodType);
    const description = s.description;
    delete s.description;
    return { name, in: 'query', required: false, ...(description === undefined ? {} : { description }), schema: s };
  });
}

const idParam = { name: 'id', in: 'path', required: true, description: 'Service id (every instance), or one instance: `<service>@<n>`', schema: inline(serviceNameSchema) };
const nodeParam = { name: 'id', in: 'path', required: true, description: 'Node id', schema: inline(nodeIdSchema) };
const nodeActionParam = { name: 'action', in: 'path', required: true, description: 'drain or undrain', schema: inline(nodeActionSchema) };
const verbParam = { name: 'verb', in: 'path', required: true, description: 'Command verb', schema: inline(verbSchema) };
const unauthorized = errorOf('The API token is configured and the request does not present it');

let cached: Json | null = null;

/** The OpenAPI document (built once). */
export function openApiDocument(): Json {
  cached ??= {
    openapi: '3.1.0',
    info: {
      title: 'Nestor API',
      version: NESTOR_API_VERSION,
      description:
        'State and control of a Nestor node. Every route but /healthz needs the API token when one is configured: `Authorization: Bearer <token>` or `?token=<token>`. A Host header that does not name the server is answered 421 on every route; a command sent by a page of another origin is answered 403.',
    },
    components: {
      schemas: components(),
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, query: { type: 'apiKey', in: 'query', name: 'token' } },
    },
    security: [{ bearer: [] }, { query: [] }],
    paths: {
      '/healthz': { get: { summary: 'Liveness of the API and its broker link', security: [], responses: { 200: json(healthResponseSchema, 'Connected to the broker'), 503: json(healthResponseSchema, 'The broker link is down') } } },
      '/api/v1/services': { get: { summary: 'Every service with its state', responses: { 200: json(servicesResponseSchema, 'The services, sorted by id'), 401: unauthorized } } },
      '/api/v1/services/{id}': {
        get: { summary: 'One service with its recent events', parameters: [idParam], responses: { 200: json(serviceDetailResponseSchema, 'The service'), 401: unauthorized, 404: errorOf('Unknown service') } },
      },
      '/api/v1/services/{id}/logs': {
        get: {
          summary: "The last lines of a service's log",
          parameters: [idParam, ...queryParams(logsQuerySchema)],
          responses: { 200: json(logsResponseSchema, 'The log tail'), 401: unauthorized, 404: errorOf('Unknown service, or a service of another node') },
        },
      },
      '/api/v1/logs': {
        get: {
          summary: "The last lines of every service's log on this node, interleaved by the time they were written",
          parameters: queryParams(logsQuerySchema),
          responses: { 200: json(mergedLogsResponseSchema, 'The log tails, oldest line first'), 401: unauthorized },
        },
      },
      '/api/v1/services/{id}/{verb}': {
        post: {
          summary: 'Send a command (enable, disable, start, stop, restart) and get its outcome',
          parameters: [idParam, verbParam],
          responses: {
            200: json(commandResponseSchema, 'Accepted'),
            401: unauthorized,
            403: errorOf('Read-only mode, or a cross-site request (a foreign Origin, or Sec-Fetch-Site: cross-site)'),
            404: json(commandResponseSchema, 'Unknown service (or unknown verb, as an Error)'),
            409: json(commandResponseSchema, 'Not possible in the service’s current state'),
            415: errorOf('A request body that is not application/json'),
            503: json(commandResponseSchema, "Shutting down, or the controller of the instance's node does not answer"),
          },
        },
      },
      '/api/v1/nodes': {
        get: { summary: "The cluster's nodes: state (the membership's judgement, else the nodes' events), tags, last seen, instances", responses: { 200: json(nodesResponseSchema, 'The nodes, sorted by id'), 401: unauthorized } },
      },
      '/api/v1/nodes/{id}/{action}': {
        post: {
          summary: 'Ask a node to drain (move its movable instances away, take nothing new) or to stop draining',
          parameters: [nodeParam, nodeActionParam],
          responses: {
            200: json(nodeActionResponseSchema, 'Accepted'),
            401: unauthorized,
            403: errorOf('Read-only mode, or a cross-site request'),
            404: errorOf('Unknown node or action'),
            409: json(nodeActionResponseSchema, 'The node refused'),
            503: json(nodeActionResponseSchema, 'The node does not answer'),
          },
        },
      },
      '/api/v1/state': {
        get: {
          summary: 'The whole reduced state: the snapshot to resume the event stream from (`seq`)',
          parameters: [
            { name: 'fresh', in: 'query', required: false, description: 'Answer once the state includes the whole stream as of the request (as `nestor status` shows it)', schema: { type: 'string' } },
          ],
          responses: { 200: json(stateResponseSchema, 'The state'), 401: unauthorized, 503: errorOf('With fresh: the node could not catch up with the stream within 2 s') },
        },
      },
      '/api/v1/events': {
        get: {
          summary: 'Server-sent events: one stored event per message, `id` = JetStream sequence; resumable with Last-Event-ID',
          parameters: [
            { name: 'Last-Event-ID', in: 'header', required: false, description: 'Resume after this sequence', schema: { type: 'integer', minimum: 0 } },
            ...queryParams(eventsQuerySchema),
          ],
          responses: {
            200: { description: 'An event stream', content: { 'text/event-stream': { schema: { type: 'string' }, itemSchema: ref(storedEventSchema) } } },
            400: errorOf('Bad filter or cursor'),
            401: unauthorized,
          },
        },
      },
      ...runPaths(),
      '/api/v1/openapi.json': { get: { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1', content: { 'application/json': {} } } } } },
      '/metrics': { get: { summary: 'Prometheus metrics (text exposition format)', responses: { 200: { description: 'Metrics', content: { 'text/plain': {} } }, 401: unauthorized } } },
      '/status': { get: { summary: 'The web dashboard (Datastar)', responses: { 200: { description: 'HTML', content: { 'text/html': {} } }, 401: unauthorized } } },
    },
  };
  return cached;
}
