// A client that stops reading its event stream is dropped once its bounded queue overflows,
// and counted in /metrics; the publisher and the other clients never wait for it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { once } from 'node:events';
import { ApiClient, startApiServer } from '../../src/api/index.ts';
import { createHarness } from '../../src/harness/index.ts';
import { get } from './helpers.ts';

const COUNT = 120;

test('a stalled SSE client is dropped and counted while a reading client gets every event', async (t) => {
  const h = await createHarness({ name: 'api-slow' });
  const server = await startApiServer({ bus: h.bus, node: h.config.node, dataDir: h.dataDir, api: { host: '127.0.0.1', port: 0, readOnly: false }, sseQueueLimit: 8 });
  t.after(async () => {
    await server.close();
    await h.close();
  });
  const { port } = new URL(server.url);

  // The stalled client: a raw socket that sends its request and never reads.
  const stalled = connect(Number(port), '127.0.0.1');
  await once(stalled, 'connect');
  stalled.pause();
  stalled.on('error', () => {});
  const closed = once(stalled, 'close');
  stalled.write(`GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\n\r\n`);

  // The reading client.
  const start = h.lastSeq();
  const abort = new AbortController();
  const received: number[] = [];
  const client = new ApiClient({ url: server.url });
  let connected: () => void = () => {};
  const live = new Promise<void>((resolve) => (connected = resolve));
  const reading = (async () => {
    for await (const item of client.follow({ since: start, signal: abort.signal })) {
      if (item.kind === 'link' && item.link === 'live') connected();
      if (item.kind === 'event') received.push(item.event.seq);
      if (received.length === COUNT) abort.abort();
    }
  })();
  await live;

  // Large events (a 200 kB log file name) fill the stalled socket's buffers quickly.
  const big = 'x'.repeat(200_000);
  const published: number[] = [];
  for (let i = 0; i < COUNT; i++) {
    published.push((await h.publish('orchestrator.service.log', { service: 'ghost', stream: 'stdout', file: big, bytes: 1, lines: 1, totalBytes: i, rotated: false })).seq);
  }
  // The server has given up on it: once it reads again it finds the stream closed.
  stalled.resume();
  await closed;

  await reading;
  assert.deepEqual(received, published);

  const metrics = (await get(`${server.url}/metrics`)).body;
  assert.match(metrics, /^nestor_sse_clients_dropped_total\{kind="events"\} 1$/m);
  assert.match(metrics, /^nestor_sse_clients\{kind="events"\} 0$/m);
});
