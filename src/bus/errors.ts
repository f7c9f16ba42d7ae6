// Errors of the bus module. Each says what failed and how to fix it, and keeps the structured
// fields a caller branches on (never the message text).

/** No nats-server binary could be found or run. */
export class NatsServerNotFoundError extends Error {
  /** Candidates that were tried, in order. */
  readonly searched: string[];
  /** The explicit override (nats.binary / NESTOR_NATS_SERVER), when one was given. */
  readonly override: string | undefined;

  constructor(searched: string[], override?: string, options?: ErrorOptions) {
    const tried = override === undefined ? `looked on PATH and at ${searched.at(-1) ?? '/usr/sbin/nats-server'}` : `NESTOR_NATS_SERVER (nats.binary) points at ${override}, which is not an executable file`;
    super(
      `nats-server not found: ${tried}. Install it with \`apt-get install -y nats-server\` (as root), ` +
        'or set NESTOR_NATS_SERVER to the path of a nats-server binary.',
      options,
    );
    this.name = 'NatsServerNotFoundError';
    this.searched = searched;
    this.override = override;
  }
}

/** A fixed port asked for in the configuration is already taken by another process. */
export class PortInUseError extends Error {
  readonly port: number;
  readonly host: string;
  /** Which listener wanted it: `client`, `monitor` or `cluster`. */
  readonly listener: string;

  constructor(host: string, port: number, listener: string, options?: ErrorOptions) {
    const setting = { client: 'nats.port (NESTOR_NATS_PORT)', monitor: 'nats.monitorPort (NESTOR_NATS_MONITOR_PORT)', cluster: 'nats.cluster.port (NESTOR_CLUSTER_PORT)' }[listener] ?? 'the port setting';
    super(
      `port ${port} on ${host} is already in use (wanted for the NATS ${listener} listener). ` +
        `Stop whatever listens there, or change ${setting}; -1 picks a random free port.`,
      options,
    );
    this.name = 'PortInUseError';
    this.host = host;
    this.port = port;
    this.listener = listener;
  }
}

/** Why an embedded server did not come up. */
export type StartFailure = 'exited' | 'timeout' | 'unhealthy' | 'stale' | 'in-use';

/** The embedded nats-server did not start; `stderr` holds the end of its output. */
export class NatsServerStartError extends Error {
  readonly reason: StartFailure;
  readonly stderr: string;

  constructor(reason: StartFailure, detail: string, stderr: string, options?: ErrorOptions) {
    const tail = stderr.trim() === '' ? '' : `\n--- nats-server output (last lines) ---\n${lastLines(stderr, 15)}`;
    super(`embedded nats-server failed to start (${reason}): ${detail}${tail}`, options);
    this.name = 'NatsServerStartError';
    this.reason = reason;
    this.stderr = stderr;
  }
}

/** NATS could not be reached or is not usable (no JetStream, bad credentials). */
export class BusUnavailableError extends Error {
  readonly mode: 'embedded' | 'external';
  readonly urls: string[];
  /** What to do about it, also part of the message. */
  readonly hint: string;

  constructor(mode: 'embedded' | 'external', urls: string[], what: string, hint: string, options?: ErrorOptions) {
    const cause = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`${what} (${mode} mode, ${urls.join(', ') || 'no URL'})${cause}. ${hint}`, options);
    this.name = 'BusUnavailableError';
    this.mode = mode;
    this.urls = urls;
    this.hint = hint;
  }
}

/** Which step of connectReader failed. */
export type ReaderFailure = 'connect' | 'jetstream' | 'stream';

const READER_FAILURE: Record<ReaderFailure, string> = {
  connect: 'cannot connect to NATS',
  jetstream: 'the NATS server has no JetStream',
  stream: 'there is no event stream',
};

/** connectReader could not open the event stream; `stage` says where, `cause` holds why. */
export class ReaderConnectError extends Error {
  readonly stage: ReaderFailure;
  readonly urls: string[];

  constructor(stage: ReaderFailure, urls: string[], options?: ErrorOptions) {
    const cause = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`${READER_FAILURE[stage]} at ${urls.join(', ')}${cause}`, options);
    this.name = 'ReaderConnectError';
    this.stage = stage;
    this.urls = urls;
  }
}

/** The event stream, the snapshot bucket or the lease bucket could not be created or brought up to date. */
export class StreamSetupError extends Error {
  readonly stream: string;

  constructor(stream: string, detail: string, options?: ErrorOptions) {
    const cause = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`cannot set up stream ${stream}${cause}. ${detail}`, options);
    this.name = 'StreamSetupError';
    this.stream = stream;
  }
}

/** An event is not valid per the contract and was not published. */
export class InvalidEventError extends Error {
  readonly type: string;
  readonly problems: string[];

  constructor(type: string, problems: string[]) {
    super(`refusing to publish an invalid ${type} event: ${problems.join('; ')}`);
    this.name = 'InvalidEventError';
    this.type = type;
    this.problems = problems;
  }
}

/** Publishing failed after the bounded retries; `cause` holds the last error. */
export class PublishError extends Error {
  readonly subject: string;
  readonly eventId: string;
  readonly attempts: number;

  constructor(subject: string, eventId: string, attempts: number, options?: ErrorOptions) {
    const cause = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`publishing event ${eventId} on ${subject} failed after ${attempts} attempt(s)${cause}`, options);
    this.name = 'PublishError';
    this.subject = subject;
    this.eventId = eventId;
    this.attempts = attempts;
  }
}

function lastLines(text: string, n: number): string {
  return text.trimEnd().split('\n').slice(-n).join('\n');
}
