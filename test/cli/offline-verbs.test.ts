// Verbs that need no running instance: validate, graph, completion, --help and --version, and
// the usage errors every verb shares. Most run main() in-process (the same program the bin
// runs); the exit codes of a real process are checked through bin/nestor.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { runCli } from '../../src/harness/index.ts';
import { NESTOR_VERSION } from '../../src/config/index.ts';
import { FIXTURES, PROJECT_DIR, STACK_TRACE, runMain } from './helpers.ts';

const run = (args: string[]) => runMain(args, { cwd: FIXTURES });

test('validate prints every problem with its field path and line, and exits 2', async () => {
  const res = await run(['validate', '-f', 'bad-project.yaml']);
  assert.equal(res.code, 2);
  const lines = res.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 3);
  assert.equal(lines[0], '  line 5: services.api.process.command: expected non-empty string, got ""');
  assert.equal(lines[1], '  line 11: services.web.ports.primary.port: expected port 1–65535 (0 or omitted only with portStrategy random), got 70000');
  assert.match(lines[2] ?? '', /^ {2}line 15: services\.worker\.restartPolicy: expected a known field/);
  assert.match(res.stderr, /bad-project\.yaml: 3 problem\(s\); fix them and run `nestor validate` again/);
});

test('validate --json lists the problems as data', async () => {
  const res = await run(['validate', '-f', 'bad-project.yaml', '--json']);
  assert.equal(res.code, 2);
  const doc = res.json<{ ok: boolean; file: string; errors: { path: string; line: number }[] }>();
  assert.equal(doc.ok, false);
  assert.equal(doc.file, `${FIXTURES}/bad-project.yaml`);
  assert.deepEqual(doc.errors.map((e) => [e.path, e.line]), [
    ['services.api.process.command', 5],
    ['services.web.ports.primary.port', 11],
    ['services.worker.restartPolicy', 15],
  ]);
});

test('validate reports a YAML syntax error with its position, a missing file plainly (exit 2)', async () => {
  const [broken, missing] = await Promise.all([run(['validate', '-f', 'broken.yaml']), run(['validate', '-f', 'missing.yaml'])]);
  assert.equal(broken.code, 2);
  assert.match(broken.stderr, /broken\.yaml:4:3: expected valid YAML \(/);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /missing\.yaml: expected an existing project file/);
  for (const res of [broken, missing]) assert.doesNotMatch(res.stderr, STACK_TRACE);
});

test('validate accepts the root nestor.yaml (the README demo)', async () => {
  const res = await runMain(['validate', '--json'], { cwd: PROJECT_DIR });
  assert.equal(res.code, 0, res.stderr);
  assert.deepEqual(res.json(), { ok: true, file: `${PROJECT_DIR}nestor.yaml`, services: ['alpha', 'beta', 'gamma'] });
});

test('graph prints the dependency layers, dot and mermaid', async () => {
  const [text, dot, mermaid, profile] = await Promise.all([
    run(['graph', '-f', 'graph.yaml']),
    run(['graph', '-f', 'graph.yaml', '--format', 'dot']),
    run(['graph', '-f', 'graph.yaml', '--format', 'mermaid']),
    run(['graph', '-f', 'graph.yaml', '--profile', 'default']),
  ]);
  assert.equal(
    text.stdout,
    [
      '1. cache',
      '1. db',
      '2. migrate  needs db (ready)  [oneshot]',
      '3. api      needs db (ready), cache (started), migrate (completed)',
      '4. web      needs api (ready)',
      '',
    ].join('\n'),
  );
  assert.match(dot.stdout, /^digraph nestor \{$/m);
  assert.match(dot.stdout, /^ {2}"api" -> "cache" \[label="started"\];$/m);
  assert.match(mermaid.stdout, /^graph BT$/m);
  assert.match(mermaid.stdout, /-->\|completed\|/);
  assert.match(profile.stdout, /^1\. cache\s+\[disabled\]$/m);
});

test('graph with an unknown format or an invalid project exits 2', async () => {
  const [format, invalid] = await Promise.all([run(['graph', '-f', 'graph.yaml', '--format', 'svg']), run(['graph', '-f', 'bad-project.yaml'])]);
  assert.equal(format.code, 2);
  assert.match(format.stderr, /--format "svg": expected one of text, dot, mermaid/);
  assert.equal(invalid.code, 2);
  assert.match(invalid.stderr, /bad-project\.yaml: services\.api\.process\.command: expected non-empty string/);
});

test('every verb has --help (exit 0); unknown verbs and flags exit 2', async () => {
  const verbs = ['up', 'down', 'list', 'status', 'watch', 'logs', 'enable', 'disable', 'start', 'stop', 'restart', 'events', 'info', 'validate', 'graph', 'replay', 'completion', 'tui'];
  const helps = await Promise.all([...verbs.map((v) => run([v, '--help'])), run(['harness', 'replay', '--help'])]);
  for (const [i, res] of helps.entries()) {
    const verb = verbs[i] ?? 'replay';
    assert.equal(res.code, 0, `${verb} --help: ${res.stderr}`);
    assert.match(res.stdout, new RegExp(`^Usage: nestor (harness )?${verb}\\b`, 'm'));
  }
  // Through the real executable: these are the exit codes a shell sees.
  const real = (args: string[]) => runCli(args, { cwd: FIXTURES });
  const [unknownVerb, unknownFlag, version] = await Promise.all([real(['frobnicate']), real(['status', '--colour']), real(['--version'])]);
  assert.equal(unknownVerb.code, 2);
  assert.match(unknownVerb.stderr, /unknown command 'frobnicate'/);
  assert.equal(unknownFlag.code, 2);
  assert.match(unknownFlag.stderr, /unknown option '--colour'/);
  assert.match(unknownFlag.stderr, /run with --help for usage/);
  assert.equal(version.code, 0);
  const tui = await real(['tui']);
  assert.equal(tui.code, 2, 'the terminal UI needs a terminal');
  assert.match(tui.stderr, /nestor tui needs an interactive terminal; use `nestor watch` in scripts and pipes/);
  assert.equal(version.stdout, `${NESTOR_VERSION}\n`, 'the version node.up events report');
});

test('completion bash completes verbs, flags and values; zsh loads the same function', async () => {
  const [bash, zsh, bad] = await Promise.all([run(['completion', 'bash']), run(['completion', 'zsh']), run(['completion', 'fish'])]);
  assert.equal(bash.code, 0, bash.stderr);
  const complete = async (words: string[]): Promise<string[]> => {
    const script = `${bash.stdout}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _nestor; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const { stdout } = await promisify(execFile)('bash', ['--norc', '--noprofile', '-c', script], { env: { PATH: process.env.PATH ?? '' } });
    return stdout.split('\n').filter(Boolean).sort();
  };
  assert.deepEqual(await complete(['nestor', 'st']), ['start', 'status', 'stop']);
  assert.deepEqual(await complete(['nestor', 'events', '--s']), ['--service', '--since']);
  assert.deepEqual(await complete(['nestor', 'graph', '--format', 'm']), ['mermaid']);
  assert.deepEqual(await complete(['nestor', 'events', '--type', 'service.st']), ['service.start', 'service.start.failed', 'service.starting', 'service.stop']);
  assert.match(zsh.stdout, /^#compdef nestor\nautoload -U \+X bashcompinit && bashcompinit\n/);
  await promisify(execFile)('bash', ['-n', '-c', zsh.stdout]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown shell "fish"; expected one of bash, zsh/);
});
