// The run routes through a real node's API: the refusals a client meets (each names what is
// wrong), commands next → delivered → acked with stamps set once, list filters and paging, the
// token and read-only rules, and a run that outlives its node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiRequestError } from '../../src/api/index.ts';
import { ApiClient, openApiDocument } from '../../src/api/index.ts';
import { runPageSchema, runSchema } from '../../src/api/runs-openapi.ts';
import { createHarness } from '../../src/harness/index.ts';
import type { Harness } from '../../src/harness/index.ts';
import type { Run, RunCommand, RunCommandResult } from '../../src/runs/index.ts';
import { onCleanup, plainNatsServer } from '../bus/helpers.ts';

interface Answer {
  status: number;
  body: Record<string, unknown> & { error?: { code: string; message: string; field?: string; stored?: unknown; sent?: unknown } };
}

async function send(url: string, method: string, body?: string, headers: Record<string, string> = { 'Content-Type': 'application/json' }): Promise<Answer> {
  const res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Answer['body']) };
}

async function node(t: { after(fn: () => Promise<void>): void }): Promise<{ h: Harness; api: ApiClient; base: string }> {
  const h = await createHarness({ name: 'api-runs' });
  t.after(() => h.close());
  return { h, api: new ApiClient({ url: h.node.api.url }), base: `${h.node.api.url}/api/v1/runs` };
}

test('refusals: regression 409 with field, stored and sent; repeated command id 200; tune without params, oversized, wrong type, malformed', async (t) => {
  const { api, base } = await node(t);
  const run = await api.createRun({ experiment: 'mnist', version: 'v1', id: 'seed-list' });
  await api.runHeartbeat(run.id, { step: 10, checkpointVersion: 2 });

  const regress = await send(`${base}/${run.id}/heartbeat`, 'POST', JSON.stringify({ step: 9, checkpointVersion: 2 }));
  assert.equal(regress.status, 409);
  assert.equal(regress.body.error?.code, 'conflict');
  assert.equal(regress.body.error?.message, 'step went backwards: stored 10, sent 9');
  assert.deepEqual([regress.body.error?.field, regress.body.error?.stored, regress.body.error?.sent], ['step', 10, 9]);
  const checkpoint = await send(`${base}/${run.id}/heartbeat`, 'POST', JSON.stringify({ step: 11, checkpointVersion: 1 }));
  assert.equal(checkpoint.status, 409);
  assert.match(checkpoint.body.error?.message ?? '', /checkpointVersion went backwards: stored 2, sent 1/);

  const first = await send(`${base}/${run.id}/commands`, 'POST', JSON.stringify({ id: 'c-1', type: 'pause' }));
  assert.equal(first.status, 201);
  const again = await send(`${base}/${run.id}/commands`, 'POST', JSON.stringify({ id: 'c-1', type: 'pause' }));
  assert.equal(again.status, 200);
  assert.equal((again.body as unknown as RunCommandResult).created, false);
  assert.deepEqual((again.body as unknown as RunCommandResult).command, (first.body as unknown as RunCommandResult).command);
  assert.equal((await api.run(run.id)).commands.length, 1, 'one command stored');

  const tune = await send(`${base}/${run.id}/commands`, 'POST', JSON.stringify({ type: 'tune', params: {} }));
  assert.equal(tune.status, 400);
  assert.match(tune.body.error?.message ?? '', /params: tune needs at least one parameter/);
  const unknown = await send(`${base}/${run.id}/commands`, 'POST', JSON.stringify({ type: 'reboot' }));
  assert.equal(unknown.status, 400);
  assert.match(unknown.body.error?.message ?? '', /known: pause, resume, terminate, tune/);

  const big = await send(`${base}/${run.id}/heartbeat`, 'POST', JSON.stringify({ step: 12, checkpointVersion: 2, runtimeStatus: 'x'.repeat(70_000) }));
  assert.equal(big.status, 413);
  assert.equal(big.body.error?.code, 'too_large');
  const text = await send(`${base}/${run.id}/heartbeat`, 'POST', '{"step":12,"checkpointVersion":2}', { 'Content-Type': 'text/plain' });
  assert.equal(text.status, 415);
  const malformed = await send(`${base}/${run.id}/heartbeat`, 'POST', '{"step":12,');
  assert.equal(malformed.status, 400);
  assert.match(malformed.body.error?.message ?? '', /body: not valid JSON/);
  const missing = await send(`${base}/${run.id}/heartbeat`, 'POST', JSON.stringify({ step: 12 }));
  assert.equal(missing.status, 400);
  assert.match(missing.body.error?.message ?? '', /checkpointVersion/);

  const stored = await api.run(run.id);
  assert.equal(stored.step, 10, 'no refused body changed the run');
  const none = await send(`${base}/nope/heartbeat`, 'POST', JSON.stringify({ step: 1, checkpointVersion: 0 }));
  assert.equal(none.status, 404);

  await api.finishRun(run.id, { state: 'succeeded' });
  const late = await send(`${base}/${run.id}/heartbeat`, 'POST', JSON.stringify({ step: 20, checkpointVersion: 3 }));
  assert.equal(late.status, 409);
  assert.equal(late.body.error?.code, 'finished');
});

test('commands go next → delivered → acked, each stamp set once', async (t) => {
  const { api, base } = await node(t);
  const run = await api.createRun({ experiment: 'mnist', version: 'v1' });
  await api.runHeartbeat(run.id, { step: 1, checkpointVersion: 0 });
  await api.sendRunCommand(run.id, { id: 'p', type: 'pause' });
  await api.sendRunCommand(run.id, { id: 't', type: 'tune', params: { lr: 0.01 } });

  const first = (await api.nextRunCommand(run.id)) as RunCommand;
  assert.equal(first.id, 'p');
  assert.ok(first.deliveredAt !== null && first.acknowledgedAt === null);
  const second = (await api.nextRunCommand(run.id)) as RunCommand;
  assert.equal(second.id, 't', 'a second next gives the next command');
  const empty = await send(`${base}/${run.id}/commands/next`, 'GET', undefined, {});
  assert.equal(empty.status, 204);

  const ack = await api.ackRunCommand(run.id, 'p');
  assert.equal(ack.deliveredAt, first.deliveredAt, 'the delivery stamp stays');
  assert.ok(ack.acknowledgedAt !== null);
  assert.equal((await api.run(run.id)).state, 'paused', 'the state follows the ack');
  const ackAgain = await api.ackRunCommand(run.id, 'p');
  assert.equal(ackAgain.acknowledgedAt, ack.acknowledgedAt, 'a second ack keeps the first stamp');
  await api.ackRunCommand(run.id, 't');
  const stored = await api.run(run.id);
  runSchema.parse(stored);
  assert.deepEqual(stored.params, { lr: 0.01 });
  assert.deepEqual(
    stored.commands.map((c) => [c.id, c.deliveredAt !== null, c.acknowledgedAt !== null]),
    [
      ['p', true, true],
      ['t', true, true],
    ],
  );
  await assert.rejects(api.ackRunCommand(run.id, 'zz'), (e: ApiRequestError) => e.status === 404);
});

test('list filters by state, health and experiment, a page at a time', async (t) => {
  const { api, base } = await node(t);
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) ids.push((await api.createRun({ experiment: i < 3 ? 'a' : 'b', version: '1', id: `run-${i}` })).id);
  await api.runHeartbeat('run-1', { step: 1, checkpointVersion: 0 });
  await api.finishRun('run-4', { state: 'failed', error: 'disk full' });

  assert.deepEqual((await api.runs({ experiment: 'a' })).runs.map((r) => r.id), ['run-0', 'run-1', 'run-2']);
  assert.deepEqual((await api.runs({ state: 'running' })).runs.map((r) => r.id), ['run-1']);
  const failed = (await api.runs({ state: 'failed' })).runs;
  assert.deepEqual(failed.map((r) => [r.id, r.error]), [['run-4', 'disk full']]);
  assert.equal((await api.runs({ health: 'lost' })).runs.length, 0);

  runPageSchema.parse(await api.runs());
  const pages: string[][] = [];
  let after: string | undefined;
  for (;;) {
    const page = await api.runs({ limit: 2, ...(after === undefined ? {} : { after }) });
    pages.push(page.runs.map((r) => r.id));
    if (page.next === null) break;
    after = page.next;
  }
  assert.deepEqual(pages, [['run-0', 'run-1'], ['run-2', 'run-3'], ['run-4']]);
  const bad = await send(`${base}?state=sleeping`, 'GET', undefined, {});
  assert.equal(bad.status, 400);
  assert.match(bad.body.error?.message ?? '', /state/);
  assert.equal((await send(`${base}/not.an.id`, 'GET', undefined, {})).status, 400);
});

test('the token and read-only rules of the other routes', async (t) => {
  const h = await createHarness({ name: 'api-runs-ro', flags: { api: { token: 'sekret', readOnly: true } } });
  t.after(() => h.close());
  const base = `${h.node.api.url}/api/v1/runs`;
  assert.equal((await send(base, 'GET', undefined, {})).status, 401);
  const auth = { Authorization: 'Bearer sekret', 'Content-Type': 'application/json' };
  assert.equal((await send(base, 'GET', undefined, auth)).status, 200);
  const create = await send(base, 'POST', JSON.stringify({ experiment: 'e', version: '1' }), auth);
  assert.equal(create.status, 403);
  assert.equal(create.body.error?.code, 'read-only');
  assert.equal((await send(`${base}/x/commands/next`, 'GET', undefined, auth)).status, 403);
  const crossSite = await send(base, 'POST', JSON.stringify({ experiment: 'e', version: '1' }), { ...auth, 'Sec-Fetch-Site': 'cross-site' });
  assert.equal(crossSite.status, 403);
});

test('a run and its undelivered command outlive the node that took them', async (t) => {
  const url = await plainNatsServer((fn) => onCleanup(t, fn), { jetstream: true });
  const first = await createHarness({ name: 'api-runs-restart-1', flags: { nats: { urls: [url] } } });
  let closed = false;
  onCleanup(t, async () => {
    if (!closed) await first.close();
  });
  const api1 = new ApiClient({ url: first.node.api.url });
  const run = await api1.createRun({ experiment: 'long', version: 'v2', params: { epochs: 10 } });
  await api1.runHeartbeat(run.id, { step: 42, checkpointVersion: 4, metrics: { loss: 0.3 } });
  await api1.sendRunCommand(run.id, { id: 'after-restart', type: 'tune', params: { lr: 0.5 } });
  const before = await api1.run(run.id);
  await first.close();
  closed = true;

  const second = await createHarness({ name: 'api-runs-restart-2', flags: { nats: { urls: [url] } } });
  onCleanup(t, () => second.close());
  const api2 = new ApiClient({ url: second.node.api.url });
  const after: Run = await api2.run(run.id);
  assert.deepEqual(after, before, 'the record is as it was');
  assert.deepEqual((await api2.runs()).runs.map((r) => r.id), [run.id]);
  const next = await api2.nextRunCommand(run.id);
  assert.equal(next?.id, 'after-restart', 'the undelivered command is delivered by the new node');
  const resumed = await api2.runHeartbeat(run.id, { step: 43, checkpointVersion: 4 });
  assert.equal(resumed.step, 43);
});

test('the OpenAPI document describes every run route', () => {
  const paths = openApiDocument().paths as Record<string, Record<string, unknown>>;
  const expected: [string, string][] = [
    ['/api/v1/runs', 'post'],
    ['/api/v1/runs', 'get'],
    ['/api/v1/runs/{id}', 'get'],
    ['/api/v1/runs/{id}/heartbeat', 'post'],
    ['/api/v1/runs/{id}/finish', 'post'],
    ['/api/v1/runs/{id}/commands', 'post'],
    ['/api/v1/runs/{id}/commands/next', 'get'],
    ['/api/v1/runs/{id}/commands/{commandId}/ack', 'post'],
  ];
  for (const [path, method] of expected) assert.ok(paths[path]?.[method], `${method} ${path}`);
});
