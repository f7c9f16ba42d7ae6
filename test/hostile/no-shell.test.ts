// Spec arguments reach the process exactly as written: no shell expands $(...), backticks, ;,
// |, &&, globs or variables unless the spec says `shell: true`. A tiny service writes the argv
// (and one env value) it received into its data dir; markers show whether anything ran.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { createHarness } from '../../src/harness/index.ts';
import type { Harness } from '../../src/harness/index.ts';
import { nodeService, tempDir } from './support.ts';

const RECORD_ARGV = [
  "const { writeFileSync } = require('node:fs');",
  "const out = { argv: process.argv.slice(1), env: process.env.HOSTILE };",
  "writeFileSync(require('node:path').join(process.env.NESTOR_DATA_DIR, 'argv.json'), JSON.stringify(out));",
].join(' ');

/** Registers a one-shot that records its argv, waits for it to complete, returns what it got. */
async function received(h: Harness, id: string, args: string[], env = ''): Promise<{ argv: string[]; env: string }> {
  const since = h.lastSeq();
  await h.register({ services: { [id]: nodeService(RECORD_ARGV, args, { kind: 'oneshot', process: { env: { HOSTILE: env } } }) } });
  await h.waitForEvent('orchestrator.service.exit', (e) => e.data.service === id, { since });
  assert.equal(h.service(id).state, 'completed', `${id} ran to completion: ${h.service(id).lastError ?? ''}`);
  return JSON.parse(readFileSync(join(h.dataDir, 'services', id, 'argv.json'), 'utf8')) as { argv: string[]; env: string };
}

test('shell syntax in args and env reaches the process literally; nothing runs', async (t) => {
  const dir = tempDir(t, 'no-shell');
  const marker = (n: number): string => join(dir, `marker-${n}`);
  await using h = await createHarness({ name: 'no-shell' });
  t.after(() => h.close());
  const hostile = [
    `$(touch ${marker(1)})`,
    `; touch ${marker(2)}`,
    `| touch ${marker(3)}`,
    `&& touch ${marker(4)}`,
    `\`touch ${marker(5)}\``,
    `> ${marker(6)}`,
    `$HOME`,
    '*',
    '~',
    '"double" \'single\'',
    'a  b\tc',
    'line\nbreak',
    '',
    '#not-a-comment',
    '--',
    '{"json": true}',
  ];
  const got = await received(h, 'literal', hostile, `$(touch ${marker(7)})`);
  assert.deepEqual(got, { argv: hostile, env: `$(touch ${marker(7)})` });
  for (let n = 1; n <= 7; n++) assert.equal(existsSync(marker(n)), false, `marker ${n} was not created`);
});

test('arbitrary argument strings arrive byte for byte', async (t) => {
  await using h = await createHarness({ name: 'argv-fuzz' });
  t.after(() => h.close());
  const metas = ['$(id)', '`id`', ';', '|', '&&', '||', '&', '>', '<', '*', '?', '[a]', '$0', '$@', '\\', "'", '"', '!', '#', '~'];
  // Anything but NUL (execve cannot pass it) and "{", the placeholder syntax (tested elsewhere).
  const arg = fc.oneof(fc.constantFrom(...metas), fc.string({ unit: 'grapheme', maxLength: 20 })).filter((s) => !s.includes('\0') && !s.includes('{'));
  let n = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(arg, { maxLength: 8 }), async (args) => {
      const got = await received(h, `argv${++n}`, args);
      assert.deepEqual(got.argv, args);
    }),
    { numRuns: 15 },
  );
});

test('with shell: true the same text is interpreted, as documented', async (t) => {
  const dir = tempDir(t, 'with-shell');
  const marker = join(dir, 'marker');
  await using h = await createHarness({ name: 'with-shell' });
  t.after(() => h.close());
  const echo = (shell: boolean) => ({ kind: 'oneshot', process: { command: 'echo', args: [`hello; touch ${marker}`], shell } });
  await h.register({ services: { plain: echo(false) } });
  await h.waitForState('plain', 'completed');
  assert.equal(existsSync(marker), false, 'without shell, echo printed the text');
  await h.register({ services: { plain: echo(false), shelled: echo(true) } });
  await h.waitForState('shelled', 'completed');
  assert.equal(existsSync(marker), true, 'with shell: true, the shell ran touch');
});
