// Environment files on a real node: a service that writes out its environment shows the
// precedence (Nestor's environment < .env < envFile, later files winning < process.env), the
// register event names the files and masks secrets, and neither the events, `nestor status`
// nor the API show a secret value. Broken env files fail `validate` and `up` with exit 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { createHarness } from '../../src/harness/index.ts';
import { runMain, tempProject } from './helpers.ts';

const INLINE_SECRET = 'hunter2';
const FILE_SECRET = 'ghp_fromfile0123456789';
// Writes its whole environment (and its last argument as LAST_ARG) to env.json in the project folder, then exits 0.
const PRINT_ENV = { command: 'node', args: ['-e', "require('fs').writeFileSync('env.json', JSON.stringify({ ...process.env, LAST_ARG: process.argv.at(-1) }))"] };

async function projectDir(t: TestContext, files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nestor-envfile-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

test('a service gets Nestor env < .env < envFile (later wins) < process.env, and no secret leaves the node', async (t) => {
  const dir = await projectDir(t, {
    '.env': 'ENVTEST_L1=dotenv\nENVTEST_L2=dotenv\nENVTEST_L3=dotenv\nENVTEST_L4=dotenv\n',
    'config/one.env': `ENVTEST_L2=one\nENVTEST_L3=one\nENVTEST_L4=one\nENVTEST_EXPANDED="\${ENVTEST_L1}+\${ENVTEST_BASE}+\${ENVTEST_NONE:-dflt}"\nAPI_TOKEN=${FILE_SECRET}\n`,
    'config/two.env': 'ENVTEST_L3=two\nENVTEST_L4=two\n',
  });
  // The node's own environment is the test process's: the bottom layer.
  const saved = { ENVTEST_BASE: process.env.ENVTEST_BASE, ENVTEST_L1: process.env.ENVTEST_L1 };
  Object.assign(process.env, { ENVTEST_BASE: 'base', ENVTEST_L1: 'base' });
  t.after(() => {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  });
  const h = await createHarness({ name: 'envfile', cwd: dir });
  t.after(() => h.close());
  await h.register({
    services: {
      printer: {
        kind: 'oneshot',
        envFile: ['config/one.env', 'config/two.env'],
        process: {
          ...PRINT_ENV,
          args: [...PRINT_ENV.args, 'token={env.API_TOKEN}'],
          env: { ENVTEST_L4: 'spec', DB_PASSWORD: INLINE_SECRET, ENVTEST_PLACEHOLDER: '{env.ENVTEST_L2}', ENVTEST_LITERAL: '$ENVTEST_L1' },
        },
      },
    },
  });
  await h.waitForState('printer', 'completed', { timeoutMs: 30_000 });

  const env = JSON.parse(await readFile(join(dir, 'env.json'), 'utf8')) as Record<string, string>;
  assert.deepEqual(
    Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('ENVTEST_'))),
    {
      ENVTEST_BASE: 'base',
      ENVTEST_L1: 'dotenv',
      ENVTEST_L2: 'one',
      ENVTEST_L3: 'two',
      ENVTEST_L4: 'spec',
      ENVTEST_EXPANDED: 'dotenv+base+dflt',
      ENVTEST_PLACEHOLDER: 'one',
      // process.env values take {placeholders}, not $VAR: written text stays as it is.
      ENVTEST_LITERAL: '$ENVTEST_L1',
    },
  );
  assert.equal(env.API_TOKEN, FILE_SECRET);
  assert.equal(env.LAST_ARG, `token=${FILE_SECRET}`);
  assert.equal(env.DB_PASSWORD, INLINE_SECRET, 'the spawned process gets the real value');

  const registered = await h.waitForEvent('orchestrator.service.register', (e) => e.data.service === 'printer');
  const spec = registered.data.spec as { envFile?: unknown; process: { env: Record<string, string> } };
  assert.deepEqual(spec.envFile, ['config/one.env', 'config/two.env']);
  assert.equal(spec.process.env.DB_PASSWORD, '****');
  assert.equal(spec.process.env.ENVTEST_L4, 'spec');
  const started = await h.waitForEvent('orchestrator.service.start', (e) => e.data.service === 'printer');
  assert.equal(started.data.args?.at(-1), 'token=gh…(22 chars)', 'a secret in an argument is masked in the start event');

  const secret = new RegExp(`${INLINE_SECRET}|${FILE_SECRET}`);
  assert.doesNotMatch(JSON.stringify(h.events()), secret);
  const shown = [
    await h.cli(['events', '--json']),
    await h.cli(['events', '--service', 'printer']),
    await h.cli(['status', '--json']),
    await h.cli(['status', 'printer', '--json']),
    await h.cli(['status', 'printer']),
  ];
  for (const r of shown) {
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, secret);
  }
  assert.match(shown[0]?.stdout ?? '', /"DB_PASSWORD":"\*\*\*\*"/);
  const api = await fetch(`${h.node.api.url}/api/v1/services/printer`);
  assert.equal(api.status, 200);
  const body = await api.text();
  assert.match(body, /orchestrator\.service\.register/, 'the detail lists the register event');
  assert.doesNotMatch(body, secret);
});

test('an env file missing or broken, or a secret kept on another node, fails the start with a message naming it', async (t) => {
  const dir = await projectDir(t, { 'bad.env': 'OK=1\nAPI_TOKEN s3cr3t\n' });
  const h = await createHarness({ name: 'envfile-start', cwd: dir });
  t.after(() => h.close());
  await h.register({
    services: {
      missing: { kind: 'oneshot', envFile: 'nope.env', process: PRINT_ENV },
      broken: { kind: 'oneshot', envFile: 'bad.env', process: PRINT_ENV },
    },
  });
  const missing = await h.waitForEvent('orchestrator.service.start.failed', (e) => e.data.service === 'missing');
  assert.match(missing.data.error, /services\.missing\.envFile: expected an env file that exists .*, got "nope\.env" \(no such file\)/);
  const broken = await h.waitForEvent('orchestrator.service.start.failed', (e) => e.data.service === 'broken');
  assert.match(broken.data.error, /bad\.env:2 \(services\.broken\.envFile\): expected KEY=VALUE, got a line starting "API_TOKEN" with no "="/);
  assert.doesNotMatch(JSON.stringify(h.events()), /s3cr3t/);

  // A registration from elsewhere (another node's `nestor up`) carries a masked secret whose
  // real value this node never had: the start fails and says where the value is.
  const spec = { kind: 'oneshot', process: { ...PRINT_ENV, env: { DB_PASSWORD: '****' } } };
  await h.publish('orchestrator.service.register', { service: 'remote', spec, specVersion: 1, specHash: 'h', source: 'elsewhere' });
  const remote = await h.waitForEvent('orchestrator.service.start.failed', (e) => e.data.service === 'remote');
  assert.match(remote.data.error, /services\.remote\.process\.env\.DB_PASSWORD is masked in its registration .* give it to this node in an envFile/);
});

const PROJECT = `services:
  api:
    envFile: [app.env, secrets.env]
    process: { command: node, args: ["-e", "0"] }
`;

test('validate and up reject a malformed env file or a missing envFile with exit 2, naming file:line or the field', async (t) => {
  const dir = await tempProject(t, PROJECT, 'nestor-envfile-');
  await writeFile(join(dir, 'app.env'), 'PORT=1\n');
  await writeFile(join(dir, '.env'), '# project\nFOO BAR\n');

  const missing = await runMain(['validate'], { cwd: dir });
  assert.equal(missing.code, 2);
  assert.match(missing.stdout, /^ {2}\.env:2: expected KEY=VALUE, got a line starting "FOO" with no "="$/m);
  assert.match(missing.stdout, /^ {2}line 3: services\.api\.envFile\[1\]: expected an env file that exists .*, got "secrets\.env" \(no such file\)$/m);

  await writeFile(join(dir, '.env'), 'FOO=bar\n');
  await writeFile(join(dir, 'secrets.env'), 'DB_PASSWORD="unterminated\n');
  const json = await runMain(['validate', '--json'], { cwd: dir });
  assert.equal(json.code, 2);
  assert.deepEqual(json.json<{ errors: { path: string }[] }>().errors.map((e) => e.path), ['secrets.env:1 (services.api.envFile[1])']);
  assert.doesNotMatch(json.stdout, /unterminated/);

  const up = await runMain(['up'], { cwd: dir });
  assert.equal(up.code, 2);
  assert.match(up.stderr, /secrets\.env:1 \(services\.api\.envFile\[1\]\): expected a closing double quote for DB_PASSWORD/);

  await writeFile(join(dir, 'secrets.env'), 'DB_PASSWORD=x\n');
  const valid = await runMain(['validate'], { cwd: dir });
  assert.equal(valid.code, 0, valid.stdout + valid.stderr);
});
