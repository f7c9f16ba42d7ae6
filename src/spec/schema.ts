// The input format of a project file and of one service spec, as zod schemas. They describe
// what people write (the older spec format's shapes too, see docs/spec.md, *Compatibility
// fields*), not the
// normalized ServiceSpec; normalize.ts turns a parsed input into that. The descriptions become
// editor help through schema/nestor.schema.json (scripts/gen-schema.ts).
import * as z from 'zod';
import { ID_PATTERN, MAX_REPLICAS } from '../events/index.ts';
import { DURATION_EXPECTED, DURATION_PATTERN, SIZE_EXPECTED, SIZE_PATTERN } from './duration.ts';
import { scheduleSchema } from './schedule.ts';
import { limitsSchema } from './limits-schema.ts';
import { watchSchema } from './watch-schema.ts';
import { depSchema } from './dep-schema.ts';
import { caddySchema } from './caddy-schema.ts';

/** Expected text for a service id. */
export const ID_EXPECTED = 'service id: letters, digits, "-" or "_" (at most 64, no dots), starting with a letter or digit';
/** Expected text for a port number. */
export const PORT_EXPECTED = 'port 1–65535 (0 or omitted only with portStrategy random)';
/** Port names become placeholders ({ports.<name>}) and map keys. */
export const PORT_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
/** Environment variable names (POSIX portable form). */
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Signals a service may ask to be stopped with. */
export const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGKILL'] as const;

const NON_EMPTY = 'non-empty string';
const nonEmpty = z.string({ error: NON_EMPTY }).regex(/\S/, { error: NON_EMPTY });
const serviceId = z.string({ error: ID_EXPECTED }).regex(ID_PATTERN, { error: ID_EXPECTED });
/** A profile name, as `profiles` lists them. */
export const profileName = z
  .string({ error: 'profile name' })
  .regex(ID_PATTERN, { error: 'profile name: letters, digits, "-" or "_", starting with a letter or digit' });
// YAML reads `8080` and `true` as a number and a boolean; arguments and env values are strings
// to the child, so both are accepted and converted.
const scalar = z.union([z.string(), z.number(), z.boolean()], { error: 'a string (numbers and booleans are converted)' });

/** A duration: "250ms", "5s", "2m", "1h", "1d" or a number of milliseconds. */
export const durationSchema = z.union(
  [
    z.number({ error: DURATION_EXPECTED }).min(0, { error: DURATION_EXPECTED }),
    z.string({ error: DURATION_EXPECTED }).regex(DURATION_PATTERN, { error: DURATION_EXPECTED }),
  ],
  { error: DURATION_EXPECTED },
);
const duration = (description: string) => durationSchema.describe(description);

const sizeSchema = z.union(
  [
    z.number({ error: SIZE_EXPECTED }).int({ error: SIZE_EXPECTED }).min(0, { error: SIZE_EXPECTED }),
    z.string({ error: SIZE_EXPECTED }).regex(SIZE_PATTERN, { error: SIZE_EXPECTED }),
  ],
  { error: SIZE_EXPECTED },
);

const ensureSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('template').describe('Render a template file into target.'),
      template: nonEmpty.describe('Template file, relative to the project directory.'),
      target: nonEmpty.describe('File to write, e.g. "{dirs.data}/redis.conf".'),
    }),
    z.strictObject({
      type: z.literal('mkdir').describe('Create a directory.'),
      path: nonEmpty.describe('Directory to create (with parents), e.g. "{dirs.data}".'),
    }),
  ],
  { error: 'ensure action { type: "template", template, target } or { type: "mkdir", path }' },
);

const processSchema = z
  .strictObject({
    command: nonEmpty.describe('Executable: an absolute path, a path relative to the project, or a name on PATH. Placeholders allowed.'),
    args: z.array(scalar).default([]).describe('Arguments, passed as-is (no shell unless `shell: true`). Placeholders allowed.'),
    env: z
      .record(z.string().regex(ENV_NAME_PATTERN, { error: 'environment variable name (letters, digits, "_")' }), scalar)
      .default({})
      .describe('Extra environment variables; values may hold placeholders.'),
    workingDir: nonEmpty.optional().describe('Working directory (default: the project directory). Placeholders allowed.'),
    shell: z.boolean().default(false).describe('Run `command` and `args` through /bin/sh -c. Default false.'),
    restartPolicy: z
      .enum(['never', 'on-failure', 'always'])
      .optional()
      .describe('When to restart after the process exits. Default "on-failure" for daemons, "never" for oneshots.'),
    ensure: z.array(ensureSchema).default([]).describe('Actions run before every start: render templates, create directories.'),
    stopSignal: z.enum(STOP_SIGNALS).default('SIGTERM').describe('Signal sent to the process group to stop it. Default SIGTERM.'),
    stopTimeout: duration('How long to wait after stopSignal before SIGKILL. Default 10s.').default('10s'),
  })
  .describe('How to run the service.');

const portNumber = z
  .number({ error: PORT_EXPECTED })
  .int({ error: PORT_EXPECTED })
  .min(0, { error: PORT_EXPECTED })
  .max(65535, { error: PORT_EXPECTED });
const protocol = z.enum(['tcp', 'udp', 'http']).default('tcp').describe('Protocol; tcp and http share the TCP port space. Default tcp.');
const portDescription = 'Port number 1–65535; with portStrategy random it may be omitted or 0 to get a free port at each start.';

const portsSchema = z
  .strictObject({
    primary: z
      .strictObject({ port: portNumber.optional().describe(portDescription), protocol })
      .optional()
      .describe('The main port, {ports.primary} in placeholders.'),
    additional: z
      .array(
        z.strictObject({
          name: z
            .string({ error: 'port name' })
            .regex(PORT_NAME_PATTERN, { error: 'port name: a letter, then letters, digits, "-" or "_"' })
            .describe('Name used in {ports.<name>}.'),
          port: portNumber.optional().describe(portDescription),
          protocol,
        }),
      )
      .default([])
      .describe('Further named ports.'),
  })
  .describe('Ports the service owns.');

const loggingSchema = z
  .strictObject({
    provider: z.string().optional().describe('Log provider name, kept from older specs; informational.'),
    stdout: nonEmpty.optional().describe('File for stdout (default: {dirs.logs}/<id>.log). Placeholders allowed.'),
    stderr: nonEmpty.optional().describe('File for stderr (default: next to stdout). Placeholders allowed.'),
    format: z
      .enum(['text', 'json'])
      .optional()
      .describe('How the service writes log lines: json lines are shown by `nestor logs` and the UIs as level and message. Default text.'),
    retention: duration('Rotated log files last written longer ago than this (e.g. "7d") are removed, at start and at each rotation.').optional(),
    maxSize: sizeSchema.default('10MB').describe('Rotate a log file at this size. Default 10MB.'),
    keep: z.number().int().min(0).default(5).describe('Rotated files kept per stream. Default 5.'),
    metadataInterval: duration(
      'At most one orchestrator.service.log event per stream per interval while output flows (at least 100ms). Default 10s.',
    ).default('10s'),
  })
  .describe('Where the service output goes.');

const probeCommon = {
  interval: duration('Time between probes. Default 1s.').default('1s'),
  timeout: duration('A probe taking longer fails. Default 1s.').default('1s'),
  initialDelay: duration('Wait this long after start before the first probe. Default 0.').default(0),
  failureThreshold: z
    .number()
    .int()
    .min(1)
    .default(3)
    .describe('Consecutive failures before the probe counts as failing. Default 3.'),
};

/** A readiness (`health`) or `liveness` probe. */
export const probeSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('http').describe('GET the endpoint; pass on an expected status.'),
      endpoint: nonEmpty
        .optional()
        .describe('URL, or a path such as "/health" on the primary port. Default http://127.0.0.1:{ports.primary}/.'),
      expectedStatus: z
        .array(z.number().int().min(100).max(599))
        .min(1)
        .default([200])
        .describe('Statuses that pass. Default [200].'),
      ...probeCommon,
    }),
    z.strictObject({
      type: z.literal('tcp').describe('Open a TCP connection; pass when it connects.'),
      endpoint: nonEmpty.optional().describe('host:port. Default 127.0.0.1:{ports.primary}.'),
      ...probeCommon,
    }),
    z.strictObject({
      type: z.literal('exec').describe('Run a command (no shell); pass on exit code 0.'),
      command: z.array(scalar).min(1).describe('argv of the probe command. Placeholders allowed.'),
      ...probeCommon,
    }),
    z.strictObject({
      type: z.literal('log').describe('Readiness only: ready at the first output line matching pattern.'),
      pattern: nonEmpty.describe('Regular expression (JavaScript syntax) matched against each output line, e.g. "listening on".'),
      stream: z.enum(['stdout', 'stderr', 'both']).default('both').describe('Which output to watch. Default both.'),
      timeout: duration('Without a matching line this long after start, the readiness probe fails and the service is restarted per restartPolicy. Default 60s.').default('60s'),
    }),
  ],
  { error: 'probe with type "http", "tcp", "exec" or "log"' },
);

const BACKOFF_EXPECTED = 'duration or { immediateFirst, initial, multiplier, max, jitter, resetAfter }';
const backoffSchema = z
  .union(
    [
      durationSchema,
      z.strictObject({
        immediateFirst: z
          .boolean()
          .optional()
          .describe('Restart at once after a stable run; the delays apply from the second consecutive restart on. Default true.'),
        initial: duration('Delay of the first restart that backs off. Default 500ms.').optional(),
        multiplier: z.number().min(1).optional().describe('Growth per consecutive restart. Default 2.'),
        max: duration('Upper bound of the delay. Default 10s.').optional(),
        jitter: z.number().min(0).max(1).optional().describe('Fraction 0..1 of the delay randomized either way. Default 0.'),
        resetAfter: duration('Running this long resets the restart count. Default 30s.').optional(),
      }),
    ],
    { error: BACKOFF_EXPECTED },
  )
  .describe('Restart delay: the initial delay as a duration, or the full tuning object.');

/** One entry of `dependencies`: an id, or { id, condition }. */
export const dependencySchema = z.union(
  [
    serviceId,
    z.strictObject({
      id: serviceId.describe('The service depended on.'),
      condition: z
        .enum(['started', 'ready', 'completed'])
        .default('ready')
        .describe('started: spawned; ready: readiness passed; completed: a oneshot exited 0. Default ready.'),
    }),
  ],
  { error: 'service id or { id, condition }' },
);

const REPLICAS_EXPECTED = `an integer from 1 to ${MAX_REPLICAS}`;
const nodeId = z.string({ error: 'a node id' }).regex(ID_PATTERN, { error: 'a node id: letters, digits, "-" or "_" (at most 64)' });

/** Where a service's instances may run (docs/cluster.md). Absent: on the node that registered it. */
export const placementSchema = z
  .union(
    [
      z.literal('any'),
      z.strictObject({
        node: nodeId.optional().describe('Run on this node only.'),
        nodes: z.array(nodeId).min(1, { error: 'at least one node id' }).optional().describe('Run on one of these nodes.'),
        tags: z.array(z.string().min(1)).min(1, { error: 'at least one tag' }).optional().describe('Run on nodes that have all these tags.'),
        strategy: z.enum(['spread', 'pack']).default('spread').describe('spread: instances on different nodes where possible; pack: together. Default spread.'),
      }),
    ],
    { error: '"any" or { node?, nodes?, tags?, strategy? }' },
  )
  .describe('Where the instances run: "any" live node, or { node, nodes, tags, strategy }. Default: the node that registered the service.');

const MAX_RESTARTS_EXPECTED = 'an integer ≥ 0 or "unlimited"';

/** One service spec, as written in `services.<id>` or registered through the SDK. */
export const serviceSchema = z
  .strictObject({
    id: serviceId.optional().describe('Service id; taken from the key in `services` when omitted.'),
    displayName: z.string().optional().describe('Human name. Default: the id.'),
    description: z.string().optional().describe('One line about the service.'),
    icon: z.string().optional().describe('A short icon (emoji) for dashboards.'),
    required: z.boolean().default(false).describe('Enabled in every profile and cannot be left out with --disable. Default false.'),
    kind: z
      .enum(['daemon', 'oneshot'])
      .default('daemon')
      .describe('daemon: runs until stopped; oneshot: runs to completion (exit 0 = completed). Default daemon.'),
    dep: depSchema.optional(),
    process: processSchema,
    envFile: z
      .union([nonEmpty, z.array(nonEmpty).min(1, { error: 'at least one file' })], { error: 'a file name or a list of file names' })
      .optional()
      .describe('Env files (KEY=VALUE lines) relative to the project directory, read on the node that spawns; later files win, `process.env` wins over all.'),
    ports: portsSchema.optional(),
    replicas: z
      .number({ error: REPLICAS_EXPECTED })
      .int({ error: REPLICAS_EXPECTED })
      .min(1, { error: REPLICAS_EXPECTED })
      .max(MAX_REPLICAS, { error: REPLICAS_EXPECTED })
      .default(1)
      .describe(`Instances of the service, named <id>@1..<id>@N, each with its own process, ports, logs and restarts. Default 1, at most ${MAX_REPLICAS}.`),
    placement: placementSchema.optional(),
    portStrategy: z
      .enum(['fixed', 'random'])
      .default('fixed')
      .describe('fixed: ports as written, checked and reclaimed; random: ports without a number get a free one at each start.'),
    logging: loggingSchema.optional(),
    health: probeSchema.optional().describe('Readiness probe: the service is ready once it passes. None: ready at once.'),
    liveness: probeSchema.optional().describe('Liveness probe: failureThreshold consecutive failures restart the service.'),
    limits: limitsSchema.optional(),
    caddy: caddySchema.optional(),
    dependencies: z.array(dependencySchema).default([]).describe('Services that must reach a condition before this one starts.'),
    profiles: z.array(profileName).default([]).describe('Profiles that enable this service; none = every profile.'),
    backoff: backoffSchema.optional(),
    maxBackoff: duration('Upper bound of the restart delay (same as backoff.max). Default 10s.').optional(),
    maxRestarts: z
      .union(
        [
          z.number({ error: MAX_RESTARTS_EXPECTED }).int({ error: MAX_RESTARTS_EXPECTED }).min(0, { error: MAX_RESTARTS_EXPECTED }),
          z.literal('unlimited', { error: MAX_RESTARTS_EXPECTED }),
        ],
        { error: MAX_RESTARTS_EXPECTED },
      )
      .default(5)
      .describe('Consecutive restarts before the service is failed. Default 5.'),
    schedule: scheduleSchema.optional(),
    watch: watchSchema.optional(),
  })
  .meta({ id: 'service', title: 'Nestor service spec' });

/** A project file (nestor.yaml / nestor.json). */
export const projectSchema = z
  .strictObject({
    $schema: z.string().optional().describe('JSON Schema reference for editors.'),
    name: z.string().optional().describe('Project name.'),
    version: z.union([z.string(), z.number()]).optional().describe('Project version, free-form.'),
    config: z.record(z.string(), z.unknown()).optional().describe('Nestor configuration; validated by the config module.'),
    services: z.record(serviceId, serviceSchema).describe('Services by id.'),
  })
  .meta({ title: 'Nestor project', description: 'Services supervised by Nestor; see docs/spec.md.' });

/** A service spec as written (input side). */
export type ServiceInput = z.input<typeof serviceSchema>;
/** A service spec after schema defaults, before normalization. */
export type ParsedService = z.output<typeof serviceSchema>;
/** A project file as written. */
export type ProjectInput = z.input<typeof projectSchema>;
/** A parsed probe. */
export type ParsedProbe = z.output<typeof probeSchema>;
