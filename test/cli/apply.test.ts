// `nestor apply`, `nestor up` run again and `up --watch`, as a user runs them against a stack
// started with `up --detach` in a throwaway project: only what the edit changed is touched, and
// the pids say so (an unchanged service keeps its process, a changed one gets a new one, a
// removed one's process is gone).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli } from '../../src/harness/index.ts';
import type { StatusJson } from '../../src/views/index.ts';
import { isProcessAlive } from '../../src/process/index.ts';
import { tempProject } from './helpers.ts';

const IDLE = `process: { command: node, args: ["-e", "setInterval(() => {}, 1000)"] }`;

/** A project: db (with a random port), reader (reads db's port), plain (depends on db), old; `db` gets `dbArgs`. */
function stack(opts: { dbFlag?: string; extra?: boolean; old?: boolean; greeting?: string } = {}): string {
  const dbArgs = opts.dbFlag === undefined ? '' : `, "${opts.dbFlag}"`;
  return `services:
  db:
    process: { command: node, args: ["-e", "setInterval(() => {}, 1000)"${dbArgs}] }
    portStrategy: random
    ports: { primary: { protocol: tcp } }
  reader:
    process: { command: node, args: ["-e", "setInterval(() => {}, 1000)"], env: { DB_PORT: "{services.db.ports.primary}" } }
    dependencies: [{ id: db }]
  plain:
    process: { command: node, args: ["-e", "setInterval(() => {}, 1000)"], env: { GREETING: "${opts.greeting ?? 'hello'}" } }
    dependencies: [{ id: db }]
${opts.old === false ? '' : `  old:\n    ${IDLE}\n`}${opts.extra === true ? `  extra:\n    ${IDLE}\n` : ''}`;
}

async function pids(dir: string): Promise<Record<string, number | null>> {
  const status = await runCli(['status', '--json'], { cwd: dir });
  assert.equal(status.code, 0, status.stderr);
  return Object.fromEntries(status.json<StatusJson>().services.map((s) => [s.id, s.state === 'ready' ? s.pid : null]));
}

async function eventsOf(dir: string, type: string): Promise<{ data: Record<string, unknown> }[]> {
  const events = await runCli(['events', '--json', '--type', type], { cwd: dir });
  assert.equal(events.code, 0, events.stderr);
  return events.jsonLines();
}

test('apply: --dry-run changes nothing; then added starts, removed stops, changed restarts, unchanged keeps its pid', async (t) => {
  const dir = await tempProject(t, stack());
  const up = await runCli(['up', '--detach'], { cwd: dir, timeoutMs: 90_000 });
  assert.equal(up.code, 0, up.stderr);
  const before = await pids(dir);
  assert.deepEqual(Object.keys(before).sort(), ['db', 'old', 'plain', 'reader']);

  await writeFile(join(dir, 'nestor.yaml'), stack({ greeting: 'bonjour', old: false, extra: true }));
  const dry = await runCli(['apply', '--dry-run'], { cwd: dir });
  assert.equal(dry.code, 0, dry.stderr);
  assert.equal(
    dry.stdout,
    [
      `Plan for ${join(dir, 'nestor.yaml')}:`,
      '  + extra',
      '  - old',
      '  ~ plain: process.env.GREETING',
      '  1 to add, 1 to remove, 1 to change, 2 unchanged',
      '  dry run: nothing was changed',
      '',
    ].join('\n'),
  );
  assert.deepEqual(await pids(dir), before, 'a dry run touches nothing');
  assert.equal((await eventsOf(dir, 'project.applied')).length, 0, 'a dry run publishes nothing');

  const apply = await runCli(['apply', '--json'], { cwd: dir, timeoutMs: 60_000 });
  assert.equal(apply.code, 0, apply.stderr);
  const result = apply.json<{ applied: boolean; added: string[]; removed: string[]; changed: unknown[]; unchanged: string[] }>();
  assert.deepEqual(
    { applied: result.applied, added: result.added, removed: result.removed, changed: result.changed, unchanged: result.unchanged },
    { applied: true, added: ['extra'], removed: ['old'], changed: [{ service: 'plain', fields: ['process.env.GREETING'] }], unchanged: ['db', 'reader'] },
  );
  const after = await pids(dir);
  assert.deepEqual(Object.keys(after).sort(), ['db', 'extra', 'plain', 'reader'], 'old is retired from the views');
  assert.equal(after.db, before.db, 'db is unchanged: same process');
  assert.equal(after.reader, before.reader, 'reader is unchanged: same process');
  assert.notEqual(after.plain, before.plain, 'plain changed: a new process');
  assert.equal(typeof after.plain, 'number');
  assert.equal(typeof after.extra, 'number');
  assert.equal(await isProcessAlive(before.old as number), false, "old's process is gone");
  const retired = await eventsOf(dir, 'service.retired');
  assert.deepEqual(retired.map((e) => [e.data.service, e.data.reason]), [['old', 'not in the project any more']]);

  const applied = await eventsOf(dir, 'project.applied');
  assert.equal(applied.length, 1, 'one event per apply');
  assert.deepEqual(applied[0]?.data.changed, [{ service: 'plain', fields: ['process.env.GREETING'] }]);
  assert.deepEqual([applied[0]?.data.added, applied[0]?.data.removed, applied[0]?.data.unchanged], [['extra'], ['old'], 2]);

  // A changed dependency restarts, and so does the service that reads its port through a
  // placeholder; the one that only depends on it keeps its process.
  await writeFile(join(dir, 'nestor.yaml'), stack({ greeting: 'bonjour', old: false, extra: true, dbFlag: '--v2' }));
  const second = await runCli(['apply'], { cwd: dir, timeoutMs: 60_000 });
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /^ {2}~ db: process\.args$/m);
  assert.match(second.stdout, /^ {2}↻ reader \(restarts after db: it reads db through a placeholder\)$/m);
  const third = await pids(dir);
  assert.notEqual(third.db, after.db);
  assert.notEqual(third.reader, after.reader);
  assert.equal(third.plain, after.plain);
  assert.equal(third.extra, after.extra);
});

test('apply with an invalid edit exits 2 with the field path and touches nothing; up run again applies and returns', async (t) => {
  const dir = await tempProject(t, stack());
  const up = await runCli(['up', '--detach'], { cwd: dir, timeoutMs: 90_000 });
  assert.equal(up.code, 0, up.stderr);
  const before = await pids(dir);

  await writeFile(join(dir, 'nestor.yaml'), `${stack({ greeting: 'bonjour' })}  broken:\n    process: { command: "" }\n`);
  const bad = await runCli(['apply'], { cwd: dir });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /services\.broken\.process\.command: expected non-empty string/);
  assert.deepEqual(await pids(dir), before);
  assert.equal((await eventsOf(dir, 'project.applied')).length, 0);

  const info = await runCli(['info', '--json'], { cwd: dir });
  await writeFile(join(dir, 'nestor.yaml'), stack({ greeting: 'bonjour' }));
  const again = await runCli(['up', '--detach'], { cwd: dir, timeoutMs: 60_000 });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /Nestor is already running in this project \(pid \d+, bus nats:\/\/[^)]+\): applying the project file to it/);
  assert.match(again.stdout, /^ {2}~ plain: process\.env\.GREETING$/m);
  const after = await pids(dir);
  assert.notEqual(after.plain, before.plain);
  assert.deepEqual([after.db, after.reader, after.old], [before.db, before.reader, before.old]);
  const still = await runCli(['info', '--json'], { cwd: dir });
  assert.equal(still.json<{ pid: number }>().pid, info.json<{ pid: number }>().pid, 'the same nestor up keeps running');
});

test('up --watch applies each save of the project file; an invalid save is reported with its path and changes nothing', async (t) => {
  const dir = await tempProject(t, stack());
  const up = await runCli(['up', '--detach', '--watch'], { cwd: dir, timeoutMs: 90_000 });
  assert.equal(up.code, 0, up.stderr);
  const before = await pids(dir);
  const log = join(dir, '.data', 'nestor-up.log');
  assert.match(await readFile(log, 'utf8'), /watching .*nestor\.yaml: every save is applied/);

  await writeFile(join(dir, 'nestor.yaml'), stack({ extra: true }));
  const added = await waitFor(async () => (await pids(dir)).extra ?? null);
  assert.equal(typeof added, 'number');
  assert.deepEqual(await eventsOf(dir, 'project.applied').then((e) => e.map((x) => x.data.added)), [['extra']]);

  await writeFile(join(dir, 'nestor.yaml'), `${stack({ extra: true, greeting: 'bonjour' })}  broken:\n    process: { command: "" }\n`);
  const rejected = await waitFor(async () => (await eventsOf(dir, 'project.rejected'))[0] ?? null);
  assert.deepEqual((rejected.data.errors as { path: string }[]).map((e) => e.path), ['services.broken.process.command']);
  assert.match(await readFile(log, 'utf8'), /services\.broken\.process\.command: expected non-empty string/);
  const after = await pids(dir);
  assert.deepEqual(after, { ...before, extra: added }, 'the invalid save touched nothing');
});

test('up --watch follows the files the project includes: saving one restarts that service alone', async (t) => {
  const dir = await tempProject(t, `services:\n  inc: { include: inc.json }\n  other:\n    ${IDLE}\n`);
  const spec = (greeting: string): string => JSON.stringify({ process: { command: 'node', args: ['-e', 'setInterval(() => {}, 1000)'], env: { GREETING: greeting } } });
  await writeFile(join(dir, 'inc.json'), spec('hello'));
  const up = await runCli(['up', '--detach', '--watch'], { cwd: dir, timeoutMs: 90_000 });
  assert.equal(up.code, 0, up.stderr);
  const before = await pids(dir);

  await writeFile(join(dir, 'inc.json'), spec('bonjour'));
  const applied = await waitFor(async () => (await eventsOf(dir, 'project.applied'))[0] ?? null);
  assert.deepEqual(applied.data.changed, [{ service: 'inc', fields: ['process.env.GREETING'] }]);
  const after = await waitFor(async () => {
    const now = await pids(dir);
    return typeof now.inc === 'number' && now.inc !== before.inc ? now : null;
  });
  assert.equal(after.other, before.other);
});

/** Polls until `probe` returns something other than null (30 s at most). */
async function waitFor<T>(probe: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(200);
  }
}

test('apply: an inline secret is masked in the events, yet editing only its value restarts the service, and leaving it restarts nothing', async (t) => {
  const project = (token: string): string => `services:
  api:
    process: { command: node, args: ["-e", "setInterval(() => {}, 1000)"], env: { API_TOKEN: "${token}" } }
  other:
    ${IDLE}
`;
  const dir = await tempProject(t, project('first-token-value-1'));
  const up = await runCli(['up', '--detach'], { cwd: dir, timeoutMs: 90_000 });
  assert.equal(up.code, 0, up.stderr);
  const before = await pids(dir);

  const same = await runCli(['apply', '--json'], { cwd: dir, timeoutMs: 60_000 });
  assert.equal(same.code, 0, same.stderr);
  assert.deepEqual(same.json<{ changed: unknown[] }>().changed, [], 'the masked spec in the stream is not a change');

  await writeFile(join(dir, 'nestor.yaml'), project('second-token-value-2'));
  const apply = await runCli(['apply', '--json'], { cwd: dir, timeoutMs: 60_000 });
  assert.equal(apply.code, 0, apply.stderr);
  assert.deepEqual(apply.json<{ changed: unknown[] }>().changed, [{ service: 'api', fields: ['process.env.API_TOKEN'] }]);
  let after = await pids(dir);
  for (let i = 0; i < 100 && (after.api === null || after.api === before.api); i++) {
    await sleep(100);
    after = await pids(dir);
  }
  assert.notEqual(after.api, before.api, 'api restarted with the new secret');
  assert.equal(after.other, before.other);
  const events = await runCli(['events', '--json'], { cwd: dir });
  assert.ok(!events.stdout.includes('second-token-value-2') && !events.stdout.includes('first-token-value-1'), 'no secret value in the events');
});
