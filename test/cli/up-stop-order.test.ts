// Ctrl-C of a foreground `nestor up`: the progress lines and the services' own output appear in
// the order things happened. beta (a dependent) stops first; alpha is only signalled once beta
// has stopped, so `beta stopping → stopped` must come before alpha's own "shutting down" line,
// although that line reaches `up` before the event round trip does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { NESTOR_BIN } from '../../src/harness/index.ts';
import { tempProject } from './helpers.ts';

// Like the demo services: a line on SIGTERM, then exit.
const service = (name: string): string =>
  `node -e "process.on('SIGTERM', () => { console.log('${name}: SIGTERM, shutting down'); setTimeout(() => process.exit(0), 20); }); console.log('${name}: up'); setInterval(() => {}, 1000)"`;

const PROJECT = `services:
  alpha:
    process: { command: ${JSON.stringify(service('alpha'))}, shell: true }
  beta:
    process: { command: ${JSON.stringify(service('beta'))}, shell: true }
    dependencies: [alpha]
`;

test('Ctrl-C of a foreground up prints beta stopping → stopped before alpha\'s shutdown output', async (t) => {
  const dir = await tempProject(t, PROJECT, 'nestor-stop-order-');
  // One file for stdout and stderr: the order of the writes is the order in the file.
  const outFile = join(dir, 'up.out');
  const fd = openSync(outFile, 'a');
  const env: NodeJS.ProcessEnv = { NO_COLOR: '1' };
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'NESTOR_NATS_SERVER']) if (process.env[key] !== undefined) env[key] = process.env[key];
  const child = spawn(process.execPath, [NESTOR_BIN, 'up'], { cwd: dir, env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.after(() => void child.kill('SIGKILL'));
  const output = (): string => readFileSync(outFile, 'utf8');
  // "up" is printed once the SIGTERM handler is in place; settled alone may come before that.
  const ready = (): boolean => ['stack settled', 'alpha | alpha: up', 'beta | beta: up'].every((s) => output().includes(s));
  for (let waited = 0; !ready(); waited += 100) {
    if (waited > 60_000) assert.fail(`the stack did not settle:\n${output()}`);
    await sleep(100);
  }
  child.kill('SIGINT');
  assert.equal(await exited, 0, output());

  const lines = output().split('\n');
  const from = lines.findIndex((l) => /SIGINT: stopping the stack/.test(l));
  const at = (re: RegExp): number => lines.findIndex((l, i) => i > from && re.test(l));
  const betaStopped = at(/^nestor beta\s+stopping → stopped/);
  const alphaStopping = at(/^nestor alpha\s+ready → stopping/);
  const alphaSaid = at(/^alpha\s+\| alpha: SIGTERM, shutting down$/);
  const alphaStopped = at(/^nestor alpha\s+stopping → stopped/);
  const text = lines.slice(from).join('\n');
  assert.ok(from >= 0 && betaStopped > 0 && alphaSaid > 0 && alphaStopped > 0, text);
  assert.ok(betaStopped < alphaSaid, `beta's stop is printed before alpha's shutdown line:\n${text}`);
  assert.ok(alphaStopping < alphaSaid && alphaSaid < alphaStopped, `alpha's line sits between its own transitions:\n${text}`);
  const betaStopping = at(/^nestor beta\s+ready → stopping/);
  const betaSaid = at(/^beta\s+\| beta: SIGTERM, shutting down$/);
  assert.ok(betaStopping < betaSaid && betaSaid < betaStopped, `beta's line sits between its own transitions:\n${text}`);
});
