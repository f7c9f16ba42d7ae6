// The published package as a user meets it: `npm pack` (whose prepack builds dist/), then
// `npm install <tarball>` in an empty project, then `npx nestor` from there: --version,
// validate, up --detach, status --json, the dashboard, down. What is installed is checked as a
// user's tools would meet it: every source map a module names is there with its sources
// inlined, and the SDK's and the harness's types compile in a TypeScript program. The pack runs in a copy of the checkout (its
// node_modules linked), so the build never touches this checkout's dist/ while other tests run.
// Everything lives in temp dirs and is removed afterwards; whatever a failed run leaves running
// (the detached node, its nats-server, the service) is stopped with `down --force` and then
// killed by scanning /proc for processes started from those dirs.
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyCheckout } from '../cli/helpers.ts';

const PROJECT_DIR = fileURLToPath(new URL('../../', import.meta.url));
/** What `npm pack` needs from the checkout: the build's inputs and what `files` ships. */
const PACK_INPUTS = ['package.json', 'README.md', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build.mjs', 'bin/', 'src/', 'schema/'];
/** Everything the tarball may hold (npm adds package.json, README.md and LICENSE itself). */
const SHIPPED = /^(dist\/|bin\/|schema\/|package\.json$|README\.md$|LICENSE$)/;
const TSC = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));
const NODE_TYPES = fileURLToPath(new URL('../../node_modules/@types', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command with npm's own variables removed (npm test sets npm_config_* for its scripts). */
function run(cmd: string, args: string[], cwd: string, timeoutMs = 120_000): Promise<Run> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout, stderr: err !== null && typeof err.code !== 'number' ? `${stderr}\n${err.message}` : stderr });
    });
  });
}

function ok(r: Run, what: string): Run {
  assert.equal(r.code, 0, `${what} exited ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  return r;
}

async function tempDir(t: TestContext, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The tracked and new files under PACK_INPUTS, copied as a fresh clone would hold them. */
async function checkoutCopy(t: TestContext): Promise<string> {
  return copyCheckout(await tempDir(t, 'nestor-pack-src-'), PACK_INPUTS);
}

/** Pids of processes whose command line or working directory lies under one of `dirs`. */
function processesUnder(dirs: string[]): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      if (dirs.some((d) => cmdline.includes(d) || cwd === d || cwd.startsWith(d + '/'))) pids.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

function alive(pid: number): boolean {
  try {
    return !/\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/** Problems of the source maps under `dir`: a module naming a map that is missing, a map
 * without the text of its sources (the package ships no src/ to read them from). */
function sourceMapProblems(dir: string): string[] {
  const problems: string[] = [];
  for (const file of filesUnder(dir).filter((f) => f.endsWith('.js'))) {
    const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(file, 'utf8'))?.[1];
    if (url === undefined) continue;
    const mapFile = join(dirname(file), url);
    if (!existsSync(mapFile)) {
      problems.push(`${file} names the missing map ${url}`);
      continue;
    }
    const map = JSON.parse(readFileSync(mapFile, 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
    if (map.sources.some((_s, i) => typeof map.sourcesContent?.[i] !== 'string')) problems.push(`${mapFile} lacks the text of some of its sources`);
  }
  return problems;
}

/** A consumer's program that uses the types of nestor/sdk and nestor/harness. */
const CONSUMER = `import { readServiceEnv } from 'nestor/sdk';
import { createHarness } from 'nestor/harness';
export const env: ReturnType<typeof readServiceEnv> = readServiceEnv();
export type Harness = Awaited<ReturnType<typeof createHarness>>;
`;

const SERVER = `import { createServer } from 'node:http';
createServer((_req, res) => res.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');
`;

const PROJECT = `name: installed
services:
  web:
    portStrategy: random
    ports:
      primary: { protocol: http }
    process:
      command: node
      args: [server.mjs]
      env:
        PORT: "{ports.primary}"
    health:
      type: http
      endpoint: /
      interval: 200ms
  job:
    kind: oneshot
    process:
      command: node
      args: [job.mjs]
`;

/** A job that makes itself a run with the packaged SDK, reports three steps and succeeds. */
const JOB = `import { startRun } from 'nestor/sdk';
const run = await startRun({}, { experiment: 'installed', version: '1', heartbeatIntervalMs: 1000 });
for (let step = 1; step <= 3; step++) await run.heartbeat({ step, checkpointVersion: step, metrics: { loss: 1 / step } });
await run.finish({ state: 'succeeded' });
await run.close();
`;

test('the packed package installs in an empty project and runs: --version, validate, up --detach, status, down', { timeout: 600_000 }, async (t) => {
  const started = performance.now();
  const lap = (what: string): void => t.diagnostic(`${what} at ${((performance.now() - started) / 1000).toFixed(1)}s`);
  const version = (JSON.parse(await readFile(join(PROJECT_DIR, 'package.json'), 'utf8')) as { version: string }).version;

  const source = await checkoutCopy(t);
  const out = await tempDir(t, 'nestor-pack-out-');
  const packed = ok(await run('npm', ['pack', '--json', '--pack-destination', out], source, 300_000), 'npm pack');
  // prepack's output precedes npm's JSON on stdout.
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('\n[') + 1)) as { filename: string; files: { path: string }[] }[];
  assert.ok(info, packed.stdout);
  const paths = info.files.map((f) => f.path);
  assert.deepEqual(paths.filter((p) => !SHIPPED.test(p)), [], 'the tarball ships only dist/, bin/, schema/, package.json and README.md');
  for (const p of ['bin/nestor.js', 'dist/cli/main.js', 'dist/boot/guardian.sh', 'dist/ui/web/templates/page.html', 'dist/sdk/index.d.ts', 'dist/harness/index.d.ts']) {
    assert.ok(paths.includes(p), `the tarball holds ${p}`);
  }
  lap('packed');

  const project = await tempDir(t, 'nestor-installed-');
  const nestor = (args: string[], timeoutMs?: number): Promise<Run> => run('npx', ['--no', '--', 'nestor', ...args], project, timeoutMs);
  t.after(async () => {
    if (existsSync(join(project, '.data', 'runtime.json'))) await nestor(['down', '--force'], 60_000);
    for (const pid of processesUnder([project, source])) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  ok(await run('npm', ['init', '-y'], project), 'npm init -y');
  ok(await run('npm', ['install', '--no-audit', '--no-fund', join(out, info.filename)], project, 300_000), 'npm install <tarball>');
  lap('installed');
  assert.equal(existsSync(join(project, 'node_modules', 'tsx')), false, 'the installed package does not need tsx');
  const installed = join(project, 'node_modules', 'nestor');
  assert.deepEqual(sourceMapProblems(installed), [], 'every source map a module names is shipped, with its sources inlined');

  const v = ok(await nestor(['--version']), 'nestor --version');
  assert.equal(v.stdout.trim(), version);

  const imported = ok(
    await run(process.execPath, ['--input-type=module', '-e', "const [s, h] = await Promise.all([import('nestor/sdk'), import('nestor/harness')]); console.log(typeof s.readServiceEnv, typeof h.createHarness, typeof s.startRun)"], project),
    'importing nestor/sdk and nestor/harness',
  );
  assert.equal(imported.stdout.trim(), 'function function function', 'the package exports the SDK (with the runs client) and the harness');
  await writeFile(join(project, 'consumer.ts'), CONSUMER);
  ok(
    await run(process.execPath, [TSC, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--typeRoots', NODE_TYPES, '--types', 'node', 'consumer.ts'], project),
    'tsc on a program importing the types of nestor/sdk and nestor/harness',
  );

  await writeFile(join(project, 'server.mjs'), SERVER);
  await writeFile(join(project, 'job.mjs'), JOB);
  await writeFile(join(project, 'nestor.yaml'), PROJECT);
  ok(await nestor(['validate']), 'nestor validate');

  ok(await nestor(['up', '--detach'], 120_000), 'nestor up --detach');
  lap('up');
  const status = JSON.parse(ok(await nestor(['status', '--json']), 'nestor status --json').stdout) as { services: { id: string; state: string; pid: number | null; ports: { primary?: number } }[] };
  assert.deepEqual(status.services.map((s) => [s.id, s.state]).sort(), [['job', 'completed'], ['web', 'ready']]);
  const web = status.services.find((s) => s.id === 'web');
  const runs = JSON.parse(ok(await nestor(['runs', 'list', '--json']), 'nestor runs list --json').stdout) as { runs: { experiment: string; state: string; step: number }[] };
  assert.deepEqual(runs.runs.map((r) => [r.experiment, r.state, r.step]), [['installed', 'succeeded', 3]], 'the job ran as a run through the packaged SDK');
  assert.equal(await (await fetch(`http://127.0.0.1:${web?.ports.primary}/`)).text(), 'ok', 'the service answers on its random port');
  // The dashboard reads its templates and scripts from files beside the compiled code.
  const { api } = JSON.parse(ok(await nestor(['info', '--json']), 'nestor info --json').stdout) as { api: string };
  const page = await fetch(`${api}/status`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<title>Nestor/);
  for (const asset of ['datastar.js', 'follow-log.js', 'style.css']) {
    assert.equal((await fetch(`${api}/status/assets/${asset}`)).status, 200, `the dashboard serves ${asset}`);
  }

  ok(await nestor(['down'], 60_000), 'nestor down');
  lap('down');
  assert.equal(alive(web?.pid ?? 0), false, `the service (pid ${web?.pid}) is gone`);
});
