// `nestor import` as a user runs it: -o and --force, stdout and stderr without -o, exit 2 on
// input it cannot read, and a converted Procfile that really comes up with `nestor up`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/harness/index.ts';
import type { StatusJson } from '../../src/views/index.ts';
import { STACK_TRACE, runMain, tempProject } from '../cli/helpers.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nestor-import-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('import -o writes a nestor.yaml that nestor validate accepts, and refuses to overwrite it without --force', async (t) => {
  const dir = await tempDir(t);
  const first = await runMain(['import', join(FIXTURES, 'docker-compose.yml'), '-o', 'nestor.yaml'], { cwd: dir });
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout, '');
  assert.match(first.stderr, /\(compose\): 3 service\(s\) converted into nestor\.yaml; 10 field\(s\) not converted:/);
  assert.match(first.stderr, /^nestor {3}services\.db: image-only service skipped \(no command\)$/m);
  const written = await readFile(join(dir, 'nestor.yaml'), 'utf8');
  assert.match(written, /^# Converted by `nestor import` from docker-compose\.yml \(docker compose file\)\./);

  // The compose file's env_file names the project's .env, which nestor validate requires to exist.
  const missing = await runMain(['validate', '--json'], { cwd: dir });
  assert.equal(missing.code, 2);
  assert.match(missing.stdout, /services\.app\.envFile/);
  await writeFile(join(dir, '.env'), 'RAILS_ENV=production\n');
  const valid = await runMain(['validate', '--json'], { cwd: dir });
  assert.equal(valid.code, 0, valid.stdout);
  assert.deepEqual(valid.json<{ services: string[] }>().services, ['migrate', 'app', 'worker']);

  await writeFile(join(dir, 'nestor.yaml'), '# mine\n');
  const again = await runMain(['import', join(FIXTURES, 'Procfile'), '-o', 'nestor.yaml'], { cwd: dir });
  assert.equal(again.code, 2);
  assert.equal(again.stderr, 'nestor: nestor.yaml exists; pass --force to overwrite it\n');
  assert.equal(await readFile(join(dir, 'nestor.yaml'), 'utf8'), '# mine\n');
  const forced = await runMain(['import', join(FIXTURES, 'Procfile'), '-o', 'nestor.yaml', '--force'], { cwd: dir });
  assert.equal(forced.code, 0, forced.stderr);
  assert.match(await readFile(join(dir, 'nestor.yaml'), 'utf8'), /from Procfile \(Procfile\)/);
});

test('without -o the YAML goes to stdout and the report to stderr; --json holds both', async () => {
  const res = await runMain(['import', 'process-compose.yaml'], { cwd: FIXTURES });
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /^# Converted by `nestor import` from process-compose\.yaml/);
  assert.match(res.stdout, /^ {2}nats:$/m);
  assert.match(res.stdout, /^ {6}type: log$/m, 'ready_log_line becomes a log readiness probe');
  assert.match(res.stderr, /^nestor {3}processes\.web\.namespace: /m);

  const json = await runMain(['import', 'process-compose.yaml', '--json', '--format', 'process-compose'], { cwd: FIXTURES });
  assert.equal(json.code, 0, json.stderr);
  const doc = json.json<{ ok: boolean; output: null; yaml: string; notConverted: { path: string }[] }>();
  assert.equal(doc.output, null);
  assert.equal(doc.yaml.trimEnd(), res.stdout.trimEnd());
  assert.deepEqual(doc.notConverted.map((n) => n.path), ['log_location', 'processes.api.namespace', 'processes.web.namespace']);
});

test('unreadable input, an unknown format or content of no known format exit 2 with one clear message', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'compose.yaml'), 'services:\n  app: [unclosed\n');
  await writeFile(join(dir, 'notes.yaml'), 'title: my notes\nitems: [1, 2]\n');
  await writeFile(join(dir, 'ecosystem.config.js'), "throw new Error('boom')\n");
  const cases = await Promise.all([
    runMain(['import', 'compose.yaml'], { cwd: dir }),
    runMain(['import', 'notes.yaml', '--format', 'supervisord'], { cwd: dir }),
    runMain(['import', 'notes.yaml'], { cwd: dir }),
    runMain(['import', 'missing.yml'], { cwd: dir }),
    runMain(['import', 'ecosystem.config.js'], { cwd: dir }),
  ]);
  assert.deepEqual(cases.map((c) => c.code), [2, 2, 2, 2, 2]);
  assert.match(cases[0]?.stderr ?? '', /compose\.yaml: not valid YAML: /);
  assert.match(cases[1]?.stderr ?? '', /unknown format "supervisord"; expected one of procfile, compose, pm2, process-compose/);
  assert.match(cases[2]?.stderr ?? '', /notes\.yaml: cannot tell the format .* pass --format procfile\|compose\|pm2\|process-compose/);
  assert.match(cases[3]?.stderr ?? '', /missing\.yml: cannot read the file \(ENOENT\)/);
  assert.match(cases[4]?.stderr ?? '', /ecosystem\.config\.js: loading the ecosystem file failed: .*boom/);
  for (const c of cases) assert.doesNotMatch(c.stderr, STACK_TRACE);
});

const PROCFILE = `# tiny web + worker, as foreman would run them
web: node -e "require('node:http').createServer((q, s) => s.end('hello from web')).listen(Number(process.env.PORT), '127.0.0.1')"
worker: node -e "setInterval(() => console.log('tick'), 200)"
`;

test('a converted Procfile comes up with nestor up: web on its PORT, worker running', async (t) => {
  const dir = await tempProject(t, '', 'nestor-import-up-');
  await rm(join(dir, 'nestor.yaml'));
  await writeFile(join(dir, 'Procfile'), PROCFILE);
  const imported = await runCli(['import', 'Procfile', '-o', 'nestor.yaml'], { cwd: dir });
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stderr, /2 service\(s\) converted into nestor\.yaml; 0 field\(s\) not converted/);

  const up = await runCli(['up', '--detach'], { cwd: dir, timeoutMs: 90_000 });
  assert.equal(up.code, 0, up.stderr);
  const status = await runCli(['status', '--json'], { cwd: dir });
  const services = status.json<StatusJson>().services;
  const web = services.find((s) => s.id === 'web');
  assert.equal(web?.state, 'ready');
  assert.equal(services.find((s) => s.id === 'worker')?.state, 'ready');
  const reply = await fetch(`http://127.0.0.1:${web?.ports.primary}/`);
  assert.equal(await reply.text(), 'hello from web');
  const down = await runCli(['down'], { cwd: dir });
  assert.equal(down.code, 0, down.stderr);
});

test('import has --help, and bash completion offers its formats', async () => {
  const [help, bash] = await Promise.all([runMain(['import', '--help'], { cwd: FIXTURES }), runMain(['completion', 'bash'], { cwd: FIXTURES })]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: nestor import \[options\] <file>/m);
  assert.match(bash.stdout, /compgen -W "procfile compose pm2 process-compose"/);
});
