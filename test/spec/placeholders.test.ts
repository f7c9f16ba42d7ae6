// Placeholder listing, checking and expansion, including the {shared.*} aliases of older specs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkPlaceholders,
  expand,
  expandSpec,
  listPlaceholders,
  PlaceholderError,
  validateProject,
  validateService,
} from '../../src/spec/index.ts';
import type { PlaceholderContext, ServiceSpec } from '../../src/spec/index.ts';

const ctx: PlaceholderContext = {
  ports: { primary: 6379, metrics: 9121, pending: 0 },
  dirs: { data: '/p/.data/services/redis', logs: '/p/.data/logs', project: '/p', depBin: '/p/.dep/bin' },
  env: { HOME: '/home/me', EMPTY: '' },
  services: { db: { ports: { primary: 5432 } }, late: { ports: { primary: 0 } } },
  serviceId: 'redis',
  nodeId: 'node-1',
};

function spec(raw: Record<string, unknown>): ServiceSpec {
  const r = validateService('redis', raw);
  assert.ok(r.ok, JSON.stringify(r));
  return r.spec;
}

test('listPlaceholders finds names in order, skipping escapes and non-placeholder braces', () => {
  assert.deepEqual(listPlaceholders('{a.b}-{ports.primary}{{x}'), ['a.b', 'ports.primary']);
  assert.deepEqual(listPlaceholders('{"json": {"a": 1}} awk {print $1} {1x} {}'), []);
  assert.deepEqual(listPlaceholders('{{{env.HOME}'), ['env.HOME']);
  assert.deepEqual(listPlaceholders(''), []);
});

test('expand resolves every kind of placeholder and the {shared.*} aliases', () => {
  const cases: [string, string][] = [
    ['{ports.primary}', '6379'],
    ['{ports.metrics}', '9121'],
    ['{dirs.data}/x', '/p/.data/services/redis/x'],
    ['{dirs.logs}', '/p/.data/logs'],
    ['{dirs.project}', '/p'],
    ['{dep.bin}/redis-server', '/p/.dep/bin/redis-server'],
    ['{shared.dep.bin}/redis-server', '/p/.dep/bin/redis-server'],
    ['{shared.config.dir}/redis.conf', '/p/.data/services/redis/redis.conf'],
    ['{shared.config.dataDir}', '/p/.data/services/redis'],
    ['{shared.log.dir}/redis.log', '/p/.data/logs/redis.log'],
    ['{env.HOME}', '/home/me'],
    ['[{env.EMPTY}]', '[]'],
    ['tcp://127.0.0.1:{services.db.ports.primary}', 'tcp://127.0.0.1:5432'],
    ['{service.id}@{node.id}', 'redis@node-1'],
    ['{{ports.primary}', '{ports.primary}'],
    ['{{{{', '{{'],
    ['{"a":{"b":1}}', '{"a":{"b":1}}'],
    ['no placeholders', 'no placeholders'],
  ];
  for (const [input, output] of cases) assert.equal(expand(input, ctx), output, input);
});

test('expand throws PlaceholderError naming unknown and unavailable placeholders', () => {
  const fails: [string, string, 'unknown' | 'unavailable'][] = [
    ['x {foo.bar} y', '{foo.bar}', 'unknown'],
    ['{ports}', '{ports}', 'unknown'],
    ['{ports.admin}', '{ports.admin}', 'unavailable'],
    ['{ports.pending}', '{ports.pending}', 'unavailable'],
    ['{env.NOPE}', '{env.NOPE}', 'unavailable'],
    ['{services.nope.ports.primary}', '{services.nope.ports.primary}', 'unavailable'],
    ['{services.late.ports.primary}', '{services.late.ports.primary}', 'unavailable'],
    ['{services.db.ports.admin}', '{services.db.ports.admin}', 'unavailable'],
    ['{ports.constructor}', '{ports.constructor}', 'unavailable'],
    ['{env.toString}', '{env.toString}', 'unavailable'],
    ['{services.constructor.ports.primary}', '{services.constructor.ports.primary}', 'unavailable'],
  ];
  for (const [input, placeholder, reason] of fails) {
    assert.throws(
      () => expand(input, ctx),
      (err: unknown) => err instanceof PlaceholderError && err.placeholder === placeholder && err.reason === reason,
      input,
    );
  }
  assert.throws(() => expand('{env.NOPE}', ctx), { message: 'cannot expand {env.NOPE}: environment variable NOPE is not set' });
});

test('expandSpec expands every placeholder-bearing field and leaves the input untouched', () => {
  const redis = spec({
    process: {
      command: '{shared.dep.bin}/redis-server',
      args: ['{shared.config.dir}/redis.conf', '--port', '{ports.primary}'],
      env: { REDIS_PORT: '{ports.primary}', DB: '{services.db.ports.primary}' },
      workingDir: '{shared.config.dataDir}',
      ensure: [
        { type: 'template', template: '{dirs.project}/redis.conf.tmpl', target: '{shared.config.dir}/redis.conf' },
        { type: 'mkdir', path: '{dirs.data}' },
      ],
    },
    ports: { primary: { port: 6379 }, additional: [{ name: 'metrics', port: 9121 }] },
    health: { type: 'http', endpoint: '/health' },
    liveness: { type: 'exec', command: ['redis-cli', '-p', '{ports.primary}', 'ping'] },
    logging: { stdout: '{shared.log.dir}/redis.log', stderr: '{dirs.logs}/redis.err' },
  });
  const before = structuredClone(redis);
  const out = expandSpec(redis, ctx);
  assert.deepEqual(redis, before);
  assert.equal(out.process.command, '/p/.dep/bin/redis-server');
  assert.deepEqual(out.process.args, ['/p/.data/services/redis/redis.conf', '--port', '6379']);
  assert.deepEqual(out.process.env, { REDIS_PORT: '6379', DB: '5432' });
  assert.equal(out.process.workingDir, '/p/.data/services/redis');
  assert.deepEqual(out.process.ensure, [
    { type: 'template', template: '/p/redis.conf.tmpl', target: '/p/.data/services/redis/redis.conf' },
    { type: 'mkdir', path: '/p/.data/services/redis' },
  ]);
  assert.equal(out.health?.endpoint, 'http://127.0.0.1:6379/health');
  assert.deepEqual(out.liveness?.command, ['redis-cli', '-p', '6379', 'ping']);
  assert.deepEqual(out.logging, { ...redis.logging, stdout: '/p/.data/logs/redis.log', stderr: '/p/.data/logs/redis.err' });
});

test('expandSpec names the field whose placeholder failed', () => {
  const s = spec({ process: { command: 'x', args: ['ok', '{env.MISSING}'] } });
  assert.throws(
    () => expandSpec(s, ctx),
    (err: unknown) =>
      err instanceof PlaceholderError &&
      err.field === 'process.args[1]' &&
      err.message === 'process.args[1]: cannot expand {env.MISSING}: environment variable MISSING is not set',
  );
});

test('checkPlaceholders accepts ids only, specs, or nothing known about other services', () => {
  const s = spec({ process: { command: 'x', args: ['{services.db.ports.primary}', '{services.db.ports.admin}'] } });
  assert.deepEqual(checkPlaceholders(s, null), []);
  assert.deepEqual(checkPlaceholders(s, ['db']), []);
  assert.deepEqual(checkPlaceholders(s, []), [
    {
      path: 'services.redis.process.args[0]',
      expected: 'a service of this project in {services.<id>.ports.<name>}',
      got: '"{services.db.ports.primary}"',
    },
    {
      path: 'services.redis.process.args[1]',
      expected: 'a service of this project in {services.<id>.ports.<name>}',
      got: '"{services.db.ports.admin}"',
    },
  ]);
  const base = spec({ process: { command: 'x' }, ports: { primary: { port: 1 } } });
  const self = { ...base, process: { ...base.process, args: ['{services.redis.ports.primary}'] } };
  assert.deepEqual(checkPlaceholders(self, ['redis']), [
    {
      path: 'services.redis.process.args[0]',
      expected: "{ports.primary} for this service's own port",
      got: '"{services.redis.ports.primary}"',
    },
  ]);
});

test("a dependent may use a random-port dependency's port (transitively too)", () => {
  const result = validateProject({
    services: {
      db: { portStrategy: 'random', process: { command: 'db' }, ports: { primary: {} } },
      cache: { process: { command: 'c' }, dependencies: ['db'] },
      api: { process: { command: 'api', args: ['{services.db.ports.primary}'] }, dependencies: ['cache'] },
    },
  });
  assert.equal(result.ok, true, JSON.stringify(result));
});
