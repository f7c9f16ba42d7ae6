// Every rejected spec names the field, what was expected and what was found. Each row lists the
// complete set of issues, so a spurious extra complaint fails the test as much as a missing one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpecError, validateProject, validateService } from '../../src/spec/index.ts';
import type { SpecIssue } from '../../src/spec/index.ts';

const DURATION = 'duration such as "250ms", "5s", "2m", "1h" or a number of milliseconds';
const PORT = 'port 1–65535 (0 or omitted only with portStrategy random)';
const ID = 'service id: letters, digits, "-" or "_" (at most 64, no dots), starting with a letter or digit';
const KNOWN =
  'a known placeholder: {ports.<name>}, {dirs.data|logs|project}, {dep.bin}, {env.NAME}, ' +
  '{services.<id>.ports.<name>}, {services.<id>.host}, {service.id}, {node.id} (write {{ for a literal {)';

type Obj = Record<string, unknown>;
/** A minimal valid service, with fields replaced at the top level. */
const svc = (over: Obj = {}): Obj => ({ process: { command: 'node', args: ['main.js'] }, ...over });
const proc = (over: Obj): Obj => ({ command: 'node', ...over });
const issue = (path: string, expected: string, got: string): SpecIssue => ({ path, expected, got });

interface Row {
  name: string;
  project: unknown;
  issues: SpecIssue[];
}

const rows: Row[] = [
  {
    name: 'empty command',
    project: { services: { api: svc({ process: { command: '' } }) } },
    issues: [issue('services.api.process.command', 'non-empty string', '""')],
  },
  {
    name: 'blank command',
    project: { services: { api: svc({ process: { command: '   ' } }) } },
    issues: [issue('services.api.process.command', 'non-empty string', '"   "')],
  },
  {
    name: 'missing process block',
    project: { services: { api: { displayName: 'API' } } },
    issues: [issue('services.api.process', 'an object', 'nothing')],
  },
  {
    name: 'bad duration in stopTimeout',
    project: { services: { api: svc({ process: proc({ stopTimeout: '5 seconds' }) }) } },
    issues: [issue('services.api.process.stopTimeout', DURATION, '"5 seconds"')],
  },
  {
    name: 'bad duration in a probe, and a negative one in backoff',
    project: { services: { api: svc({ health: { type: 'exec', command: ['true'], interval: 'fast' }, backoff: -5 }) } },
    issues: [issue('services.api.health.interval', DURATION, '"fast"'), issue('services.api.backoff', DURATION, '-5')],
  },
  {
    name: 'bad restartPolicy',
    project: { services: { api: svc({ process: proc({ restartPolicy: 'sometimes' }) }) } },
    issues: [issue('services.api.process.restartPolicy', 'one of "never", "on-failure", "always"', '"sometimes"')],
  },
  {
    name: 'service id with a dot',
    project: { services: { 'core.bus': svc() } },
    issues: [issue('services["core.bus"]', ID, '"core.bus"')],
  },
  {
    name: 'dependency id with a dot (older specs write core.bus)',
    project: { services: { api: svc({ dependencies: ['core.bus'] }) } },
    issues: [issue('services.api.dependencies[0]', ID, '"core.bus"')],
  },
  {
    name: 'unknown dependency, with a hint',
    project: { services: { redis: svc(), api: svc({ dependencies: ['rediss'] }) } },
    issues: [issue('services.api.dependencies[0]', 'a service of this project (did you mean "redis"?)', '"rediss"')],
  },
  {
    name: 'unknown dependency in object form',
    project: { services: { api: svc({ dependencies: [{ id: 'zzz', condition: 'started' }] }) } },
    issues: [issue('services.api.dependencies[0]', 'a service of this project', '"zzz"')],
  },
  {
    name: 'dependency on itself',
    project: { services: { api: svc({ dependencies: ['api'] }) } },
    issues: [issue('services.api.dependencies[0]', 'a service other than "api" itself', '"api"')],
  },
  {
    name: 'dependency listed twice',
    project: { services: { db: svc(), api: svc({ dependencies: ['db', { id: 'db', condition: 'started' }] }) } },
    issues: [issue('services.api.dependencies[1]', 'each dependency listed once', '"db"')],
  },
  {
    name: 'dependency cycle, printed as a path',
    project: {
      services: { a: svc({ dependencies: ['b'] }), b: svc({ dependencies: ['c'] }), c: svc({ dependencies: ['a'] }) },
    },
    issues: [issue('services.a.dependencies', 'no dependency cycle', 'a -> b -> c -> a')],
  },
  {
    name: 'two independent cycles',
    project: {
      services: {
        a: svc({ dependencies: ['b'] }),
        b: svc({ dependencies: ['a'] }),
        x: svc({ dependencies: ['y'] }),
        y: svc({ dependencies: ['z', 'x'] }),
        z: svc(),
      },
    },
    issues: [
      issue('services.a.dependencies', 'no dependency cycle', 'a -> b -> a'),
      issue('services.x.dependencies', 'no dependency cycle', 'x -> y -> x'),
    ],
  },
  {
    name: 'condition completed on a daemon',
    project: { services: { db: svc(), api: svc({ dependencies: [{ id: 'db', condition: 'completed' }] }) } },
    issues: [
      issue('services.api.dependencies[0].condition', '"started" or "ready" ("completed" needs a oneshot; "db" is a daemon)', '"completed"'),
    ],
  },
  {
    name: 'unknown dependency condition',
    project: { services: { db: svc(), api: svc({ dependencies: [{ id: 'db', condition: 'done' }] }) } },
    issues: [issue('services.api.dependencies[0].condition', 'one of "started", "ready", "completed"', '"done"')],
  },
  {
    name: 'duplicate port within a service',
    project: {
      services: {
        api: svc({ ports: { primary: { port: 8080 }, additional: [{ name: 'admin', port: 8080, protocol: 'http' }] } }),
      },
    },
    issues: [issue('services.api.ports.additional[0].port', 'a port not already used by services.api.ports.primary', '8080')],
  },
  {
    name: 'duplicate port across services (udp does not clash with tcp)',
    project: {
      services: {
        a: svc({ ports: { primary: { port: 7000 }, additional: [{ name: 'dns', port: 5353, protocol: 'udp' }] } }),
        b: svc({ ports: { primary: { port: 5353 }, additional: [{ name: 'web', port: 7000, protocol: 'http' }] } }),
      },
    },
    issues: [issue('services.b.ports.additional[0].port', 'a port not already used by services.a.ports.primary', '7000')],
  },
  {
    name: 'invalid port 70000',
    project: { services: { api: svc({ ports: { primary: { port: 70000 } } }) } },
    issues: [issue('services.api.ports.primary.port', PORT, '70000')],
  },
  {
    name: 'fixed strategy without a port number, or with 0',
    project: { services: { api: svc({ ports: { primary: {}, additional: [{ name: 'admin', port: 0 }] } }) } },
    issues: [
      issue('services.api.ports.primary.port', PORT, 'nothing'),
      issue('services.api.ports.additional[0].port', PORT, '0'),
    ],
  },
  {
    name: 'duplicate and reserved port names',
    project: {
      services: {
        api: svc({
          portStrategy: 'random',
          ports: { primary: {}, additional: [{ name: 'admin' }, { name: 'admin' }, { name: 'primary' }] },
        }),
      },
    },
    issues: [
      issue('services.api.ports.additional[1].name', 'a port name not already used by this service', '"admin"'),
      issue('services.api.ports.additional[2].name', 'a name other than "primary" (that is ports.primary)', '"primary"'),
    ],
  },
  {
    name: 'unknown placeholders: undeclared port, unknown kind, unknown service',
    project: {
      services: {
        db: svc({ ports: { primary: { port: 5432 } } }),
        api: svc({
          process: proc({ args: ['--port', '{ports.metrics}', '{foo.bar}'], env: { DB: '{services.nope.ports.primary}' } }),
          ports: { primary: { port: 8080 } },
          logging: { stdout: '{dirs.db}/api.log' },
        }),
      },
    },
    issues: [
      issue('services.api.process.args[1]', 'a declared port ({ports.primary})', '"{ports.metrics}"'),
      issue('services.api.process.args[2]', KNOWN, '"{foo.bar}"'),
      issue('services.api.process.env.DB', 'a service of this project in {services.<id>.ports.<name>}', '"{services.nope.ports.primary}"'),
      issue('services.api.logging.stdout', KNOWN, '"{dirs.db}"'),
    ],
  },
  {
    name: "another service's undeclared port, and its random port without a dependency",
    project: {
      services: {
        db: svc({ portStrategy: 'random', ports: { primary: {} } }),
        api: svc({ process: proc({ args: ['{services.db.ports.admin}', '{services.db.ports.primary}'] }) }),
      },
    },
    issues: [
      issue('services.api.process.args[0]', 'a port declared by service "db" (primary)', '"{services.db.ports.admin}"'),
      issue(
        'services.api.process.args[1]',
        '"db" among the dependencies (its random port is known only once it starts)',
        '"{services.db.ports.primary}"',
      ),
    ],
  },
  {
    name: 'a broken service is reported once, not again as an unknown reference',
    project: {
      services: {
        db: { process: {} },
        api: svc({ dependencies: ['db'], process: proc({ args: ['{services.db.ports.primary}'] }) }),
      },
    },
    issues: [issue('services.db.process.command', 'non-empty string', 'nothing')],
  },
  {
    name: 'unknown field, with a hint',
    project: { services: { api: { proces: { command: 'x' }, process: { command: 'x' } } } },
    issues: [issue('services.api.proces', 'a known field (did you mean "process"?)', 'an object')],
  },
  {
    name: 'unknown probe type',
    project: { services: { api: svc({ health: { type: 'grpc', endpoint: 'x' } }) } },
    issues: [issue('services.api.health.type', 'probe with type "http", "tcp", "exec" or "log"', '"grpc"')],
  },
  {
    name: 'http probe on a service without a primary port, and a tcp endpoint without a port',
    project: { services: { api: svc({ health: { type: 'http', endpoint: '/health' }, liveness: { type: 'tcp', endpoint: 'localhost' } }) } },
    issues: [
      issue('services.api.health.endpoint', 'a full endpoint (this service has no ports.primary to default to)', '"/health"'),
      issue('services.api.liveness.endpoint', 'host:port', '"localhost"'),
    ],
  },
  {
    name: 'oneshot with restartPolicy always',
    project: { services: { job: svc({ kind: 'oneshot', process: proc({ restartPolicy: 'always' }) }) } },
    issues: [
      issue('services.job.process.restartPolicy', '"never" or "on-failure" for a oneshot service (it would rerun forever)', '"always"'),
    ],
  },
  {
    name: 'maxBackoff together with backoff.max, and a maximum below the initial delay',
    project: {
      services: {
        a: svc({ backoff: { initial: '1s', max: '5s' }, maxBackoff: '2s' }),
        b: svc({ backoff: '2s', maxBackoff: '1s' }),
      },
    },
    issues: [
      issue('services.a.maxBackoff', 'only one of maxBackoff and backoff.max', '"2s"'),
      issue('services.b.maxBackoff', 'a maximum delay ≥ the initial delay (2000ms)', '1000ms'),
    ],
  },
  {
    name: 'maxRestarts below zero',
    project: { services: { api: svc({ maxRestarts: -1 }) } },
    issues: [issue('services.api.maxRestarts', 'an integer ≥ 0 or "unlimited"', '-1')],
  },
  {
    name: 'id inside the spec differs from its key',
    project: { services: { api: svc({ id: 'web' }) } },
    issues: [issue('services.api.id', '"api" (the key of this service) or nothing', '"web"')],
  },
  {
    name: 'bad environment variable name',
    project: { services: { api: svc({ process: proc({ env: { 'MY-VAR': '1' } }) }) } },
    issues: [issue('services.api.process.env.MY-VAR', 'environment variable name (letters, digits, "_")', '"MY-VAR"')],
  },
  {
    name: 'not an object at all',
    project: ['services'],
    issues: [issue('(root)', 'an object', 'a list of 1 item')],
  },
  {
    name: 'no services',
    project: { name: 'x' },
    issues: [issue('services', 'an object', 'nothing')],
  },
  {
    name: 'multiple errors reported at once, across services and kinds of check',
    project: {
      services: {
        api: svc({
          process: { command: '', stopTimeout: '10 s' },
          ports: { primary: { port: 70000 } },
          dependencies: ['db'],
          restart: 'always',
        }),
        web: svc({ dependencies: ['nope'], process: proc({ args: ['{ports.primary}'] }) }),
      },
    },
    issues: [
      issue('services.api.process.command', 'non-empty string', '""'),
      issue('services.api.process.stopTimeout', DURATION, '"10 s"'),
      issue('services.api.ports.primary.port', PORT, '70000'),
      issue(
        'services.api.restart',
        'a known field (one of id, displayName, description, icon, required, kind, dep, process, envFile, ports, replicas, placement, portStrategy, ' +
          'logging, health, liveness, limits, caddy, dependencies, profiles, backoff, maxBackoff, maxRestarts, schedule, watch)',
        '"always"',
      ),
      issue('services.web.dependencies[0]', 'a service of this project', '"nope"'),
      issue('services.web.process.args[0]', 'a declared port (this service declares no ports)', '"{ports.primary}"'),
    ],
  },
];

const byPath = (a: SpecIssue, b: SpecIssue): number => (a.path + a.expected < b.path + b.expected ? -1 : 1);

for (const row of rows) {
  test(`rejects: ${row.name}`, () => {
    const result = validateProject(row.project);
    assert.equal(result.ok, false, 'expected the spec to be rejected');
    if (result.ok) return;
    assert.deepEqual([...result.errors].sort(byPath), [...row.issues].sort(byPath));
  });
}

test('the table holds at least 20 bad specs', () => {
  assert.ok(rows.length >= 20, `only ${rows.length} rows`);
});

test('SpecError prints one line per issue, with the source in front', () => {
  const result = validateProject(rows.find((r) => r.name.startsWith('multiple errors'))?.project);
  assert.equal(result.ok, false);
  if (result.ok) return;
  const err = new SpecError(result.errors, { source: 'nestor.yaml' });
  const lines = err.message.split('\n');
  assert.equal(lines.length, result.errors.length);
  assert.ok(lines.includes('nestor.yaml: services.api.process.command: expected non-empty string, got ""'), err.message);
  assert.ok(err instanceof Error && err.name === 'SpecError');
  assert.equal(err.issues, result.errors);
  assert.equal(err.path, result.errors[0]?.path);
});

test('validateService reports a bad id and uses services.<id> paths', () => {
  const bad = validateService('a.b', svc());
  assert.deepEqual(bad, { ok: false, errors: [issue('services["a.b"]', ID, '"a.b"')] });
  const empty = validateService('api', { process: { command: '' }, maxRestarts: 'lots' });
  assert.deepEqual(empty, {
    ok: false,
    errors: [
      issue('services.api.process.command', 'non-empty string', '""'),
      issue('services.api.maxRestarts', 'an integer ≥ 0 or "unlimited"', '"lots"'),
    ],
  });
});

test('validateService checks references only against the services it is given', () => {
  const spec = svc({ dependencies: ['db'], process: proc({ args: ['{services.db.ports.primary}'] }) });
  assert.equal(validateService('api', spec).ok, true, 'standalone: references are not resolvable, so not checked');
  const db = validateService('db', svc({ ports: { primary: { port: 5432 } }, dependencies: ['api'] }));
  assert.ok(db.ok);
  const inProject = validateService('api', spec, { services: { db: db.spec } });
  assert.deepEqual(inProject, {
    ok: false,
    errors: [issue('services.api.dependencies', 'no dependency cycle', 'api -> db -> api')],
  });
  const clash = validateService('web', svc({ ports: { primary: { port: 5432 } } }), { services: { db: db.spec } });
  assert.deepEqual(clash, {
    ok: false,
    errors: [issue('services.web.ports.primary.port', 'a port not already used by services.db.ports.primary', '5432')],
  });
});
