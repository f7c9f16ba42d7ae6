// Restart on file changes, through a real node with real processes and real files: a change
// under a watched path restarts the service (recorded as watch.changed, then a restart command),
// ignored paths do not, a burst restarts once, and cascade restarts the dependents after it.
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createHarness } from '../../src/harness/index.ts';
import type { Harness } from '../../src/harness/index.ts';

type Spec = Record<string, unknown>;

/** A daemon that idles until stopped; no probe, so it is ready once spawned. */
const idle = (over: Spec = {}): Spec => ({ process: { command: process.execPath, args: ['-e', 'setInterval(() => {}, 1 << 30)'] }, ...over });

/** A project directory with a source file, removed after the test. */
async function projectDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nestor-watch-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await put(dir, 'src/app.js', '// v0\n');
  return dir;
}

async function put(dir: string, file: string, text: string): Promise<void> {
  await mkdir(dirname(join(dir, file)), { recursive: true });
  await writeFile(join(dir, file), text);
}

/**
 * Edits `file` until a watch.changed event follows (the watcher scans its paths after the service
 * is registered, so the first edit may come before it listens); returns that event.
 */
async function editUntilSeen(h: Harness, dir: string, file: string) {
  const since = h.lastSeq();
  for (let i = 1; ; i++) {
    await put(dir, file, `// edit ${i}\n`);
    try {
      return await h.waitForEvent('orchestrator.service.watch.changed', undefined, { since, timeoutMs: 2_000 });
    } catch (err) {
      if (i >= 10) throw err;
    }
  }
}

/** Waits for `service` to be ready with a process other than `pid`; returns the new pid. */
async function readyAgain(h: Harness, service: string, pid: number, since: number): Promise<number> {
  const ready = await h.waitForEvent('orchestrator.service.ready', (e) => e.data.service === service && e.data.pid !== pid, { since });
  return ready.data.pid;
}

const since = (h: Harness, seq: number, type: string, service?: string) =>
  h.events().filter((e) => e.seq > seq && e.type === type && (service === undefined || (e.data as { service?: string }).service === service));

test('editing a watched file restarts the service with a new pid, and the event names the file', async (t) => {
  const dir = await projectDir(t);
  await using h = await createHarness({ name: 'watch-restart', cwd: dir, specs: { app: idle({ watch: { paths: ['src'], debounce: '100ms' } }) } });
  const first = await h.waitForEvent('orchestrator.service.ready');
  const changed = await editUntilSeen(h, dir, 'src/app.js');
  assert.deepEqual(changed.data.files, ['src/app.js']);
  assert.equal(changed.data.count, 1);
  const restart = await h.waitForEvent('orchestrator.command.restart', undefined, { since: changed.seq });
  assert.deepEqual(restart.data.requestedBy, { node: h.config.node, component: 'watch' });
  const pid = await readyAgain(h, 'app', first.data.pid, restart.seq);
  assert.notEqual(pid, first.data.pid);
  assert.equal(h.service('app').pid, pid);
});

test('changes under node_modules, .git, the data dir or an ignore glob do not restart', async (t) => {
  const dir = await projectDir(t);
  // The whole project is watched: the node's own data dir (logs, pids) is inside it.
  const spec = idle({ watch: { paths: ['.'], ignore: ['*.log', 'tmp/**'], debounce: '100ms' } });
  await using h = await createHarness({ name: 'watch-ignore', cwd: dir, specs: { app: spec } });
  const first = await h.waitForEvent('orchestrator.service.ready');
  const primed = await editUntilSeen(h, dir, 'src/app.js');
  const pid = await readyAgain(h, 'app', first.data.pid, primed.seq);
  const mark = h.lastSeq();
  await put(dir, 'node_modules/pkg/index.js', 'module.exports = 1;\n');
  await put(dir, 'src/node_modules/pkg/index.js', 'module.exports = 2;\n');
  await put(dir, '.git/HEAD', 'ref: refs/heads/main\n');
  await put(dir, 'notes.log', 'a line\n');
  await put(dir, 'tmp/cache/x.json', '{}\n');
  await put(dir, 'src/other.js', '// other\n');
  const changed = await h.waitForEvent('orchestrator.service.watch.changed', undefined, { since: mark });
  assert.deepEqual(changed.data.files, ['src/other.js'], 'only the file outside the ignored paths is named');
  await readyAgain(h, 'app', pid, changed.seq);
  // The restarted service writes its log into the data dir: that must not restart it again.
  await sleep(1_000);
  assert.equal(since(h, mark, 'orchestrator.service.watch.changed').length, 1);
  assert.equal(since(h, mark, 'orchestrator.command.restart').length, 1);
});

test('a burst of five writes within the debounce restarts once, naming every file', async (t) => {
  const dir = await projectDir(t);
  await using h = await createHarness({ name: 'watch-burst', cwd: dir, specs: { app: idle({ watch: { paths: ['src'], debounce: '400ms' } }) } });
  const first = await h.waitForEvent('orchestrator.service.ready');
  const primed = await editUntilSeen(h, dir, 'src/app.js');
  const pid = await readyAgain(h, 'app', first.data.pid, primed.seq);
  const mark = h.lastSeq();
  for (const name of ['a', 'b', 'c', 'd', 'e']) await put(dir, `src/${name}.js`, `// ${name}\n`);
  const changed = await h.waitForEvent('orchestrator.service.watch.changed', undefined, { since: mark });
  assert.deepEqual([...changed.data.files].sort(), ['src/a.js', 'src/b.js', 'src/c.js', 'src/d.js', 'src/e.js']);
  assert.equal(changed.data.count, 5);
  await readyAgain(h, 'app', pid, changed.seq);
  await sleep(1_000);
  assert.equal(since(h, mark, 'orchestrator.service.watch.changed').length, 1);
  assert.equal(since(h, mark, 'orchestrator.command.restart').length, 1);
  assert.equal(since(h, mark, 'orchestrator.service.start', 'app').length, 1);
});

test('cascade restarts the dependents after the service is ready again, in dependency order', async (t) => {
  const dir = await projectDir(t);
  const specs = {
    api: idle({ watch: { paths: ['src'], debounce: '100ms', cascade: true } }),
    web: idle({ dependencies: ['api'] }),
    edge: idle({ dependencies: ['web', 'api'] }),
    other: idle(),
  };
  await using h = await createHarness({ name: 'watch-cascade', cwd: dir, specs });
  for (const id of Object.keys(specs)) await h.waitForState(id, 'ready');
  const changed = await editUntilSeen(h, dir, 'src/app.js');
  const edgeRestart = await h.waitForEvent('orchestrator.command.restart', (e) => e.data.service === 'edge', { since: changed.seq });
  await h.waitForEvent('orchestrator.service.ready', (e) => e.data.service === 'edge', { since: edgeRestart.seq });
  const seqOf = (type: string, service: string): number => {
    const e = since(h, changed.seq, type, service)[0];
    assert.ok(e, `${type} of ${service} after the change`);
    return e.seq;
  };
  const apiReady = seqOf('orchestrator.service.ready', 'api');
  const webRestart = seqOf('orchestrator.command.restart', 'web');
  const webReady = seqOf('orchestrator.service.ready', 'web');
  assert.ok(seqOf('orchestrator.command.restart', 'api') < apiReady);
  assert.ok(apiReady < webRestart, 'web restarts once api is ready again');
  assert.ok(webReady < edgeRestart.seq, 'edge restarts once web is ready again');
  assert.equal(since(h, changed.seq, 'orchestrator.command.restart', 'other').length, 0, 'a service that does not depend on api is left alone');
  for (const e of since(h, changed.seq, 'orchestrator.command.restart')) {
    assert.deepEqual((e.data as { requestedBy: unknown }).requestedBy, { node: h.config.node, component: 'watch' });
  }
});

test('a disabled service is not watched any more; enabled again, it is', async (t) => {
  const dir = await projectDir(t);
  await using h = await createHarness({ name: 'watch-disable', cwd: dir, specs: { app: idle({ watch: { paths: ['src'], debounce: '100ms' } }) } });
  await h.waitForState('app', 'ready');
  await editUntilSeen(h, dir, 'src/app.js');
  await h.waitForState('app', 'ready');
  assert.equal((await h.command('disable', 'app')).ok, true);
  await h.waitForState('app', 'disabled');
  const mark = h.lastSeq();
  await put(dir, 'src/app.js', '// while disabled\n');
  await sleep(1_000);
  assert.equal(since(h, mark, 'orchestrator.service.watch.changed').length, 0);
  assert.equal(h.service('app').state, 'disabled');
  assert.equal((await h.command('enable', 'app')).ok, true);
  await h.waitForState('app', 'ready');
  const changed = await editUntilSeen(h, dir, 'src/app.js');
  assert.deepEqual(changed.data.files, ['src/app.js']);
});
