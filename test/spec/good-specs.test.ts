// Specs that must be accepted, and what normalization makes of them: a redis spec in the older
// format (compatibility fields, ids adapted), defaults, shorthands, and every example in the
// repository.
import { loadProjectFile } from '../../src/config/index.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { validateProject, validateService, SPEC_DEFAULTS } from '../../src/spec/index.ts';
import type { Project, ServiceSpec } from '../../src/spec/index.ts';

const root = new URL('../../', import.meta.url).pathname;
const fixtures = join(root, 'test/fixtures/specs');

function load(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  return file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
}

function valid(raw: unknown): Project {
  const result = validateProject(raw);
  if (!result.ok) assert.fail(`rejected:\n${result.errors.map((e) => `${e.path}: ${e.expected}, got ${e.got}`).join('\n')}`);
  return result.project;
}

function service(project: Project, id: string): ServiceSpec {
  const spec = project.services[id];
  assert.ok(spec, `no service ${id}`);
  return spec;
}

test('a redis spec in the older format validates as written (core.bus renamed core-bus; its github-release dep with the repo and sha256 a download needs)', () => {
  const redis = service(valid(load(join(fixtures, 'compat-redis.json'))), 'redis');
  assert.equal(redis.displayName, 'Redis');
  assert.equal(redis.icon, '🧠');
  assert.deepEqual(redis.dep, {
    name: 'redis',
    version: '7.2.4',
    source: 'github-release',
    asset: 'redis-7.2.4-linux-amd64.tar.gz',
    repo: 'example/redis',
    sha256: '0'.repeat(64),
    bin: 'redis-server',
  });
  assert.equal(redis.process.command, '{shared.dep.bin}/redis-server');
  assert.equal(redis.process.restartPolicy, 'on-failure');
  assert.deepEqual(redis.process.ensure[1], { type: 'mkdir', path: '{shared.config.dataDir}' });
  assert.deepEqual(redis.ports.primary, { name: 'primary', port: 6379, protocol: 'tcp' });
  assert.deepEqual(redis.ports.additional, [{ name: 'metrics', port: 9121, protocol: 'http' }]);
  assert.deepEqual(redis.health, {
    type: 'http',
    endpoint: 'http://127.0.0.1:9121/health',
    expectedStatus: [200],
    intervalMs: 5000,
    timeoutMs: 3000,
    initialDelayMs: 0,
    failureThreshold: 3,
  });
  assert.equal(redis.logging.retention, '7d');
  assert.equal(redis.logging.format, 'json');
  assert.equal((redis.caddy as { routes: unknown[] }).routes.length, 1);
  assert.deepEqual(redis.dependencies, [{ id: 'core-bus', condition: 'ready' }]);
  assert.deepEqual(redis.profiles, ['default', 'demo']);
});

test('defaults of a minimal daemon and a minimal oneshot', () => {
  const project = valid({
    services: {
      web: { process: { command: 'node' }, ports: { primary: { port: 8080 } }, health: { type: 'http' } },
      job: { kind: 'oneshot', process: { command: 'true' }, liveness: { type: 'exec', command: ['true'] } },
    },
  });
  const web = service(project, 'web');
  assert.equal(web.displayName, 'web');
  assert.equal(web.description, '');
  assert.equal(web.kind, 'daemon');
  assert.equal(web.required, false);
  assert.deepEqual(web.process, {
    command: 'node',
    args: [],
    env: {},
    shell: false,
    restartPolicy: 'on-failure',
    ensure: [],
    stopSignal: 'SIGTERM',
    stopTimeoutMs: 10_000,
  });
  assert.deepEqual(web.restart, {
    immediateFirst: true,
    initialMs: SPEC_DEFAULTS.backoffInitialMs,
    multiplier: 2,
    maxMs: 10_000,
    jitter: 0,
    resetAfterMs: 30_000,
    maxRestarts: 5,
  });
  assert.equal(web.portStrategy, 'fixed');
  assert.deepEqual(web.ports.primary, { name: 'primary', port: 8080, protocol: 'tcp' });
  assert.deepEqual(web.logging, { maxBytes: 10 * 1024 * 1024, keep: 5, metadataIntervalMs: 10_000 });
  assert.equal(web.health?.endpoint, 'http://127.0.0.1:{ports.primary}/');
  assert.deepEqual(web.health?.expectedStatus, [200]);
  assert.equal(web.health?.intervalMs, 1000);
  assert.equal(web.liveness, undefined);
  assert.deepEqual(web.dependencies, []);
  assert.deepEqual(web.profiles, []);

  const job = service(project, 'job');
  assert.equal(job.kind, 'oneshot');
  assert.equal(job.process.restartPolicy, 'never');
  assert.deepEqual(job.liveness?.command, ['true']);
});

test('random strategy: ports may be omitted or 0; fixed ports stay as written', () => {
  const project = valid(load(join(fixtures, 'random-ports.json')));
  const web = service(project, 'web');
  assert.deepEqual(web.ports.primary, { name: 'primary', port: 0, protocol: 'http' });
  assert.deepEqual(web.ports.additional, [{ name: 'admin', port: 0, protocol: 'tcp' }]);
  assert.equal(web.health?.endpoint, 'http://127.0.0.1:{ports.primary}/health');
  assert.deepEqual(web.health?.expectedStatus, [200, 204]);
  assert.equal(service(project, 'db').health?.endpoint, '127.0.0.1:{ports.primary}');
  // Two random ports never clash: 0 means "allocate at start".
  const two = validateProject({
    services: {
      a: { portStrategy: 'random', process: { command: 'x' }, ports: { primary: { port: 0 } } },
      b: { portStrategy: 'random', process: { command: 'x' }, ports: { primary: {} } },
    },
  });
  assert.equal(two.ok, true);
});

test('YAML shorthands: numbers and booleans in args and env, durations, unlimited restarts, conditions', () => {
  const project = valid(load(join(fixtures, 'oneshot.yaml')));
  const db = service(project, 'db');
  assert.deepEqual(db.process.args, ['-D', '{dirs.data}', '-p', '5433']);
  assert.equal(db.health?.intervalMs, 500);
  const migrate = service(project, 'migrate');
  assert.deepEqual(migrate.process.env, { DATABASE_PORT: '{services.db.ports.primary}', DRY_RUN: 'false' });
  assert.equal(migrate.process.restartPolicy, 'on-failure');
  assert.equal(migrate.restart.maxRestarts, 2);
  const api = service(project, 'api');
  assert.equal(api.process.stopSignal, 'SIGINT');
  assert.equal(api.process.stopTimeoutMs, 3000);
  assert.deepEqual(api.restart, { immediateFirst: true, initialMs: 250, multiplier: 3, maxMs: 60_000, jitter: 0.2, resetAfterMs: 120_000, maxRestarts: null });
  assert.deepEqual(api.dependencies, [
    { id: 'migrate', condition: 'completed' },
    { id: 'db', condition: 'started' },
  ]);
});

test('backoff as a bare duration sets the initial delay; a larger one lifts the default maximum', () => {
  const spec = (backoff: unknown, extra: Record<string, unknown> = {}): ServiceSpec => {
    const r = validateService('x', { process: { command: 'x' }, backoff, ...extra });
    assert.ok(r.ok, JSON.stringify(r));
    return r.spec;
  };
  assert.deepEqual([spec('2s').restart.initialMs, spec('2s').restart.maxMs], [2000, 10_000]);
  assert.deepEqual([spec('30s').restart.initialMs, spec('30s').restart.maxMs], [30_000, 30_000]);
  assert.equal(spec(100, { maxBackoff: '1m' }).restart.maxMs, 60_000);
  assert.equal(spec('1.5s').restart.initialMs, 1500);
  assert.equal(spec({ jitter: 0.5 }).restart.initialMs, 500);
  assert.equal(spec('2s').restart.immediateFirst, true, 'the shorthand keeps the immediate first restart');
  assert.equal(spec({ immediateFirst: false }).restart.immediateFirst, false);
});

test('validateService accepts one spec, with or without an id inside', () => {
  const withId = validateService('alpha', { id: 'alpha', process: { command: 'x' } });
  const withoutId = validateService('alpha', { process: { command: 'x' } });
  assert.ok(withId.ok && withoutId.ok);
  assert.deepEqual(withId.spec, withoutId.spec);
  assert.equal(withId.spec.id, 'alpha');
});

test('project name, version and an opaque config block are kept', () => {
  const project = valid({ name: 'p', version: 2, config: { anything: { goes: [1] } }, services: {} });
  assert.deepEqual(project, { name: 'p', version: 2, config: { anything: { goes: [1] } }, services: {} });
});

/** Example specs anywhere in the repository: fixtures, a root project file, demo services. */
async function repositoryExamples(): Promise<{ file: string; raw: unknown }[]> {
  const files = readdirSync(fixtures)
    .filter((f) => /\.(json|ya?ml)$/.test(f))
    .map((f) => join(fixtures, f));
  const out = files.map((file) => ({ file, raw: load(file) }));
  // A root project file may `include:` service specs; resolve them as `nestor up` does.
  for (const name of ['nestor.yaml', 'nestor.yml', 'nestor.json']) {
    const file = join(root, name);
    if (existsSync(file)) out.push({ file, raw: (await loadProjectFile(file)).raw });
  }
  // Demo services ship one spec each (registered through the SDK); together they form a project.
  const demoDir = join(root, 'demo');
  const demo: Record<string, unknown> = {};
  if (existsSync(demoDir)) {
    for (const d of readdirSync(demoDir)) {
      const file = join(demoDir, d, 'service.json');
      if (existsSync(file)) demo[d] = load(file);
    }
  }
  if (Object.keys(demo).length > 0) out.push({ file: 'demo/*/service.json', raw: { services: demo } });
  return out;
}

test("every example spec in the repository validates", async () => {
  const examples = await repositoryExamples();
  assert.ok(examples.length >= 4, 'the fixtures at least');
  for (const { file, raw } of examples) {
    const result = validateProject(raw);
    assert.ok(result.ok, `${file}:\n${result.ok ? '' : result.errors.map((e) => `${e.path}: ${e.expected}, got ${e.got}`).join('\n')}`);
  }
});
