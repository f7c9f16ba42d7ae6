// Errors of the HTTP API. Only this module turns errors into HTTP statuses, so a status means
// the same on every route: a
// handler throws HttpError with the status and a stable code, and the server writes it as
// `{ "error": { "code", "message" } }`.

/** A request that ends with an HTTP error status; `code` is stable, `message` is for people. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
  }
}

/** The API could not listen on its configured address. */
export class ApiListenError extends Error {
  readonly host: string;
  readonly port: number;

  constructor(host: string, port: number, options?: ErrorOptions) {
    const why = (options?.cause as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE' ? 'the port is already in use' : String((options?.cause as Error | undefined)?.message ?? 'listen failed');
    super(`the HTTP API cannot listen on ${host}:${port}: ${why}. Change api.port (NESTOR_API_PORT, --api-port); 0 picks a random free port.`, options);
    this.name = 'ApiListenError';
    this.host = host;
    this.port = port;
  }
}
