// The running node's live state through its HTTP API, for the verbs that show the state as it
// is now (status, list). One GET of /api/v1/state?fresh=1 is all they need, where reading the
// stream means loading the NATS client, connecting, and reducing a snapshot and the events
// after it: most of such a command's time. The node reduces the same stream with the same
// reducer, and `fresh` makes it answer only once it has caught up with the stream as of the
// request, so the answer is the state the stream gives. node:http rather than fetch: fetch
// loads undici, which costs more than the request itself.
import { request } from 'node:http';
import type { State } from '../state/index.ts';
import type { CliContext } from './context.ts';
import { CliFailure, UsageError } from './errors.ts';
import { findTarget } from './target.ts';
import type { Target } from './target.ts';

/** Where `status` and `list` got the state from. */
export type StateSource = { kind: 'api'; state: State; dataDir: string } | { kind: 'stream'; target: Target };

/** How long the node may take to answer before the CLI reads the stream itself. */
const API_TIMEOUT_MS = 3_000;

/**
 * The live state from the node's API; the target to read the stream from when the instance
 * was found through NESTOR_URL, serves no API, or its API does not answer with a state.
 * NESTOR_STATUS_SOURCE=stream skips the API; =api fails rather than fall back.
 */
export async function liveStateSource(ctx: CliContext, file?: string): Promise<StateSource> {
  const only = ctx.env.NESTOR_STATUS_SOURCE;
  if (only !== undefined && only !== '' && only !== 'api' && only !== 'stream') throw new UsageError(`NESTOR_STATUS_SOURCE=${only}: expected api or stream`);
  const target = await findTarget(ctx, file);
  if (only === 'stream') return { kind: 'stream', target };
  const api = target.kind === 'runtime-info' ? target.info.api : null;
  const answer = api === null ? 'the instance serves no HTTP API (or was found through NESTOR_URL)' : await getState(api, target.config.api.token).catch((err: Error) => err.message);
  if (typeof answer !== 'string') return { kind: 'api', state: answer, dataDir: (target as Extract<Target, { kind: 'runtime-info' }>).info.dataDir };
  if (only === 'api') throw new CliFailure(`NESTOR_STATUS_SOURCE=api: ${api ?? 'no API'}: ${answer}`);
  return { kind: 'stream', target };
}

// The state, or why there is none (an answer that is not a state is a reason to read the stream).
function getState(base: string, token: string | undefined): Promise<State | string> {
  const url = new URL('/api/v1/state?fresh=1', base);
  if (url.protocol !== 'http:') return Promise.resolve(`${url.protocol} is not read by the CLI`);
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: token === undefined ? {} : { Authorization: `Bearer ${token}` }, timeout: API_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        if (res.statusCode !== 200) return resolve(`HTTP ${res.statusCode}`);
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as State;
        resolve(typeof body === 'object' && body !== null && typeof body.services === 'object' ? body : 'the answer is not a state');
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}
