// The runs in both UIs against a real node: the dashboard's runs page renders a run with its
// chart and its command posts reach the registry (as `dashboard`, tune pairs parsed, refusals as
// toasts); the TUI in tmux at 80x24 (CI=true) opens the runs view with R, fits, and sends
// commands with its keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestRuns } from '../../src/bus/index.ts';
import { createHarness } from '../../src/harness/index.ts';
import type { Run, RunCommand } from '../../src/runs/core/index.ts';
import { PROJECT_DIR, until } from '../api/helpers.ts';
import { privateTmux } from './tmux.ts';

test('dashboard runs page and TUI runs view on a real node', async (t) => {
  const h = await createHarness({ name: 'runs-ui' });
  t.after(() => h.close());
  const api = h.node.api.url;
  const ask = async <T>(op: Parameters<typeof requestRuns>[1], req: Parameters<typeof requestRuns>[2]): Promise<T> => {
    const reply = await requestRuns<T>(h.bus, op, req);
    if (!reply.ok) throw new Error(`${op}: ${reply.code} ${reply.message}`);
    return reply.data;
  };
  const run = await ask<Run>('create', { body: { experiment: 'mnist', version: '3', params: { lr: 0.1 }, heartbeatIntervalMs: 60_000 }, by: 'test' });
  for (const [step, loss] of [[10, 0.9], [20, 0.6], [30, 0.4]] as const) {
    await ask('heartbeat', { id: run.id, body: { step, checkpointVersion: step / 10, metrics: { loss } } });
  }
  const page = async (): Promise<string> => (await fetch(`${api}/status/runs?run=${run.id}`)).text();
  await until('the run with its three heartbeats on the runs page', async () => /<td data-field="step">30<\/td>/.test(await page()));
  const html = await page();
  assert.match(html, new RegExp(`<tr id="run-${run.id}" data-run-row="${run.id}" data-state="running" data-health="healthy" class="selected">`));
  assert.match(html, /<div class="run-chart" data-metric="loss">.*<polyline points="[\d., ]+"\/>/s);
  assert.match(html, /state queued → running/);
  const frag = await (await fetch(`${api}/status/runs/fragments?run=${run.id}`)).text();
  assert.match(frag, /^event: datastar-merge-fragments$/m);
  assert.match(frag, /fragments <div id="run-detail"/);
  assert.match((await (await fetch(`${api}/status`)).text()), /href="\/status\/runs" data-field="runs-link"/);

  const post = (path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${api}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const pause = await post(`/status/runs/${run.id}/pause`, { tune: '' });
  assert.equal(pause.status, 200);
  assert.match(await pause.text(), new RegExp(`tone-ok.*pause sent to ${run.id} \\(command `));
  const paused = await ask<RunCommand>('next', { id: run.id });
  assert.deepEqual([paused.type, paused.requestedBy], ['pause', 'dashboard']);
  await ask('ack', { id: run.id, commandId: paused.id });

  const tune = await post(`/status/runs/${run.id}/tune`, { tune: 'lr=0.5  mode=fast' });
  assert.equal(tune.status, 200);
  const tuned = await ask<RunCommand>('next', { id: run.id });
  assert.deepEqual([tuned.type, tuned.params], ['tune', { lr: 0.5, mode: 'fast' }]);
  await ask('ack', { id: run.id, commandId: tuned.id });

  const empty = await post(`/status/runs/${run.id}/tune`, { tune: ' ' });
  assert.equal(empty.status, 400);
  assert.match(await empty.text(), /tone-error.*at least one key=value pair/);
  const missing = await post('/status/runs/r-nope/pause', {});
  assert.equal(missing.status, 404);
  assert.match(await missing.text(), /no run r-nope/);
  assert.equal((await post(`/status/runs/${run.id}/explode`, {})).status, 404);
  assert.equal((await post(`/status/runs/${run.id}/pause`, {}, { Origin: 'https://evil.example' })).status, 403);

  // The TUI at 80x24, with CI=true as a CI terminal has it.
  await until('the run paused with lr 0.5', async () => {
    const r = await ask<Run>('get', { id: run.id });
    return r.state === 'paused' && r.params.lr === 0.5;
  });
  const tmux = privateTmux(t, 'runs');
  const command = `env CI=true ${process.execPath} --import tsx test/ui/fixtures/tui-main.ts ${api}`;
  tmux('new-session', '-d', '-s', 'tui', '-x', '80', '-y', '24', '-c', PROJECT_DIR, command);
  const screen = (): string => tmux.screen('tui');
  // A wait that fails with the screen it saw.
  const shows = async (what: string, re: RegExp, timeoutMs = 20_000): Promise<void> => {
    await until(what, () => re.test(screen()), timeoutMs).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}; the screen:\n${screen()}`);
    });
  };
  await shows('the TUI header', /Nestor\s+node \S+ up/, 60_000);
  tmux('send-keys', '-t', 'tui', 'R');
  await shows('the runs view with the paused run', new RegExp(`› ${run.id}\\s+mnist@3\\s+paused\\s+healthy\\s+30`));
  const lines = screen().split('\n');
  assert.ok(lines.filter((l, i) => i < lines.length - 1 || l !== '').length <= 24, screen());
  assert.ok(lines.every((l) => [...l].length <= 80), screen());
  assert.match(screen(), /params\s+lr=0\.5 mode=fast/);
  assert.match(screen(), /p pause\s+r resume\s+t terminate\s+u tune/);

  tmux('send-keys', '-t', 'tui', 'r');
  await shows('the resume toast', new RegExp(`resume sent to ${run.id}`));
  const resumed = await ask<RunCommand>('next', { id: run.id });
  assert.equal(resumed.type, 'resume');
  tmux('send-keys', '-t', 'tui', 'u');
  await shows('the tune prompt', new RegExp(`tune ${run.id}: `));
  tmux('send-keys', '-t', 'tui', '-l', 'lr=0.25');
  tmux('send-keys', '-t', 'tui', 'Enter');
  await shows('the tune toast', new RegExp(`tune sent to ${run.id}`));
  // The resume is delivered and waits for its ack: the tune is the next undelivered one.
  const tuned2 = await ask<RunCommand>('next', { id: run.id });
  assert.deepEqual([tuned2.type, tuned2.params], ['tune', { lr: 0.25 }]);
  tmux('send-keys', '-t', 'tui', 'q');
  await until('the TUI to exit', () => !tmux.alive('tui'));
});
