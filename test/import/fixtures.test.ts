// One realistic file per source format through `nestor import`: the written nestor.yaml
// validates with nestor's own validator, keeps what has an equivalent, and the report names
// every field it could not convert.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { validateProject } from '../../src/spec/index.ts';
import { runMain } from '../cli/helpers.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

interface Report {
  ok: boolean;
  format: string;
  services: string[];
  notConverted: { path: string; message: string }[];
  problems: unknown[];
  yaml: string;
}

/** Imports a fixture as a user would (--json) and checks that the YAML validates. */
async function importFixture(file: string): Promise<{ report: Report; project: { services: Record<string, Record<string, unknown>> }; yaml: string }> {
  const res = await runMain(['import', file, '--json'], { cwd: FIXTURES });
  assert.equal(res.code, 0, res.stderr);
  const report = res.json<Report>();
  assert.equal(report.ok, true);
  assert.deepEqual(report.problems, []);
  const project = parse(report.yaml) as { services: Record<string, Record<string, unknown>> };
  const valid = validateProject(project);
  assert.equal(valid.ok, true, JSON.stringify(valid.ok ? [] : valid.errors));
  assert.match(report.yaml, new RegExp(`^# Converted by \`nestor import\` from ${file.replace('.', '\\.')} `));
  return { report, project, yaml: report.yaml };
}

/** A converted service as these tests read it. */
type Svc = Record<string, unknown> & { process: Record<string, unknown> & { env?: Record<string, unknown> } };

const paths = (report: Report): string[] => report.notConverted.map((n) => n.path);
const message = (report: Report, path: string): string => report.notConverted.find((n) => n.path === path)?.message ?? '';

/** A field converted from `source`: written on the service, and not in the report. */
function assertConverted(report: Report, project: { services: Record<string, Record<string, unknown>> }, source: string, id: string, value: Record<string, unknown>): void {
  const [key, inner] = Object.entries(value)[0] as [string, unknown];
  assert.deepEqual(project.services[id]?.[key], inner);
  assert.equal(message(report, source), '');
}

test('a Rails Procfile: every process type, $PORT as a port of web, the odd line reported', async () => {
  const { report, project, yaml } = await importFixture('Procfile');
  assert.equal(report.format, 'procfile');
  assert.deepEqual(report.services, ['release', 'web', 'worker', 'js', 'css', 'clock']);
  const web = project.services.web as { process: { command: string; args: string[]; env: Record<string, string> }; portStrategy: string };
  assert.deepEqual(web.process, { command: 'bundle', args: ['exec', 'puma', '-C', 'config/puma.rb', '-p', '{ports.primary}'], env: { PORT: '{ports.primary}' } });
  assert.equal(web.portStrategy, 'random');
  assert.equal(project.services.release?.kind, 'oneshot');
  assert.deepEqual(project.services.worker?.process, { command: 'bundle', args: ['exec', 'sidekiq', '-C', 'config/sidekiq.yml'] });
  assert.match(yaml, /portStrategy: random # PORT: a free port at each start/);
  assert.deepEqual(report.notConverted, [{ path: 'line 9', message: 'not a "name: command" line; skipped: "not a process line"' }]);
});

test('a compose file: postgres and redis skipped as image-only, app/migrate/worker with their dependencies and healthcheck', async () => {
  const { report, project, yaml } = await importFixture('docker-compose.yml');
  assert.equal(report.format, 'compose');
  assert.deepEqual(report.services, ['migrate', 'app', 'worker']);
  assert.equal(message(report, 'services.db'), 'image-only service skipped (no command)');
  assert.equal(message(report, 'services.redis'), 'image-only service skipped (no command)');
  assert.match(message(report, 'services.migrate.depends_on.db'), /dependency dropped/);
  assert.match(message(report, 'services.app.working_dir'), /inside the container/);
  assert.match(message(report, 'services.app.ports[0]'), /published as 8080/);
  assertConverted(report, project, 'services.app.env_file', 'app', { envFile: ['.env'] });
  assertConverted(report, project, 'services.app.deploy.resources.limits.memory', 'app', { limits: { memory: '512MB' } });
  assert.match(message(report, 'services.worker.environment.LOG_LEVEL'), /host environment/);
  assert.ok(paths(report).includes('volumes'));

  const app = project.services.app as Svc;
  assert.deepEqual(app.process.args, ['dist/server.js', '--port', '3000']);
  assert.equal(app.process.workingDir, './api');
  assert.equal(app.process.env?.API_KEY, '{env.API_KEY}');
  assert.equal(app.process.restartPolicy, 'always');
  assert.deepEqual(app.health, { type: 'exec', command: ['curl', '-fsS', 'http://localhost:3000/health'], interval: '10s', timeout: '2s', initialDelay: '20s', failureThreshold: 3 });
  assert.deepEqual(app.dependencies, [{ id: 'migrate', condition: 'completed' }]);
  assert.deepEqual(app.ports, { primary: { port: 3000, protocol: 'tcp' } });
  assert.equal(project.services.migrate?.kind, 'oneshot', 'a service_completed_successfully dependency is a oneshot');
  const worker = project.services.worker as Svc;
  assert.deepEqual(worker.process.args, ['dist/worker.js', '--queue', 'default', '--concurrency', '5']);
  assert.equal(worker.process.stopTimeout, '90s');
  assert.equal(worker.maxRestarts, 5);
  assert.deepEqual(worker.profiles, ['jobs']);
  assert.match(yaml, /command: node # runs on this machine, not in a container/);
  assert.match(yaml, /API_KEY: "\{env\.API_KEY\}" # compose's interpolation/);
});

test('a PM2 ecosystem.config.js with cluster mode: loaded by running it, cluster and cron reported', async () => {
  const { report, project } = await importFixture('ecosystem.config.js');
  assert.equal(report.format, 'pm2');
  assert.deepEqual(report.services, ['api', 'mailer']);
  const api = project.services.api as Svc;
  assert.deepEqual(api.process, { command: 'node', args: ['./dist/server.js'], env: { NODE_ENV: 'development', PORT: 3000 }, restartPolicy: 'always' });
  assert.equal(api.replicas, 4);
  assert.match(message(report, 'apps[0].exec_mode'), /^cluster mode has no equivalent; /);
  assert.match(message(report, 'apps[0].env_production'), /pm2 --env production/);
  assertConverted(report, project, 'apps[0].max_memory_restart', 'api', { limits: { memory: '300MB' } });
  assert.match(message(report, 'apps[1].cron_restart'), /not converted/);
  assertConverted(report, project, 'apps[1].watch', 'mailer', { watch: { paths: ['dist'] } });
  const mailer = project.services.mailer as Svc;
  assert.deepEqual(mailer.process.args, ['--max-old-space-size=256', 'dist/mailer.js', '--queue', 'mail']);
  assert.equal(mailer.process.workingDir, './services/mailer');
  assert.equal(mailer.process.stopTimeout, '5s');
  assert.equal(mailer.maxRestarts, 10);
  assert.deepEqual(mailer.backoff, { immediateFirst: false, initial: '2s', multiplier: 1 });
  assert.equal(mailer.schedule, undefined, 'cron_restart restarts a daemon; it is not a schedule');
});

test('a process-compose.yaml: probes, conditions, availability and disabled map one to one', async () => {
  const { report, project } = await importFixture('process-compose.yaml');
  assert.equal(report.format, 'process-compose');
  assert.deepEqual(report.services, ['nats', 'seed', 'api', 'web', 'docs']);
  const api = project.services.api as Svc;
  assert.deepEqual(api.dependencies, [{ id: 'seed', condition: 'completed' }, { id: 'nats', condition: 'ready' }]);
  assert.deepEqual(api.health, { type: 'http', endpoint: 'http://127.0.0.1:8080/ready' });
  assert.deepEqual(api.liveness, { type: 'exec', command: ['sh', '-c', 'curl -fsS http://127.0.0.1:8080/live || exit 1'], interval: '10s' });
  assert.equal(api.process.stopSignal, 'SIGINT');
  assert.equal(api.process.workingDir, './services');
  assert.deepEqual(api.process.env, { LOG_LEVEL: 'info', API_TOKEN: 'dev-token' });
  assert.equal(api.maxRestarts, 5);
  assert.deepEqual((project.services.nats as Svc).health, {
    type: 'http', endpoint: 'http://127.0.0.1:8222/healthz', initialDelay: '1s', interval: '2s', timeout: '1s', failureThreshold: 5,
  });
  assert.equal(project.services.seed?.kind, 'oneshot');
  assert.deepEqual(project.services.docs?.profiles, ['disabled']);
  assertConverted(report, project, 'processes.web.ready_log_line', 'web', { health: { type: 'log', pattern: 'ready in' } });
  assert.match(message(report, 'processes.api.namespace'), /not converted/);
  assert.match(message(report, 'log_location'), /not converted/);
});
