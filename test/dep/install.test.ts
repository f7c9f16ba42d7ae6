// ensureDeps: builds `local` deps into <depDir>/bin, skips fresh ones, rebuilds when an input's
// content changes or the binary disappears, and refuses sources it does not know.
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { DepError, depBinDir, ensureDeps, readManifest } from '../../src/dep/index.ts';
import type { DepEntry, DepProgress } from '../../src/dep/index.ts';

const run = promisify(execFile);
const PROJECT_DIR = fileURLToPath(new URL('../../', import.meta.url));

async function tempDir(t: TestContext, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A tiny project: app/main.ts imports app/lib.ts and prints its greeting. */
async function tinyProject(t: TestContext): Promise<string> {
  const dir = await tempDir(t, 'nestor-dep-project-');
  await mkdir(join(dir, 'app'));
  await writeFile(join(dir, 'app/main.ts'), "import { greeting } from './lib.ts';\nconsole.log(greeting(process.argv[2] ?? 'world'));\n");
  await writeFile(join(dir, 'app/lib.ts'), 'export function greeting(who: string): string {\n  return `hello ${who}`;\n}\n');
  return dir;
}

const APP: DepEntry = { name: 'app', version: '1.0.0', source: 'local', entry: 'app/main.ts' };

describe('ensureDeps', () => {
  test('builds once, then is fresh; an input edit, a deleted binary or manifest rebuild it, a touch does not', async (t) => {
    const projectDir = await tinyProject(t);
    const depDir = join(await tempDir(t, 'nestor-dep-out-'), 'dep');
    const phases: DepProgress[] = [];
    const opts = { projectDir, depDir, onProgress: (p: DepProgress) => phases.push(p) };

    const [first] = await ensureDeps([APP], opts);
    assert.equal(first?.action, 'built');
    assert.equal(first?.path, join(depDir, 'bin', 'app'));
    assert.deepEqual(phases.map((p) => p.phase), ['checking', 'building', 'built']);
    assert.equal((await stat(first.path)).mode & 0o777, 0o755);
    assert.equal((await run(first.path, ['nestor'])).stdout, 'hello nestor\n');
    assert.match(await readFile(first.path, 'utf8'), /^#!\/usr\/bin\/env node\n/);

    const record = (await readManifest(depDir)).app;
    assert.ok(record);
    assert.equal(record.version, '1.0.0');
    assert.equal(record.source, 'local');
    assert.equal(record.entry, 'app/main.ts');
    assert.equal(record.path, 'bin/app');
    assert.match(record.hash ?? '', /^[0-9a-f]{64}$/);
    assert.ok(!Number.isNaN(Date.parse(record.builtAt)));
    assert.deepEqual([...(record.inputs ?? [])].sort(), ['app/lib.ts', 'app/main.ts']);

    assert.equal((await ensureDeps([APP], opts))[0]?.action, 'fresh');

    const lib = join(projectDir, 'app/lib.ts');
    const later = new Date(Date.now() + 60_000);
    await utimes(lib, later, later);
    assert.equal((await ensureDeps([APP], opts))[0]?.action, 'fresh', 'a new mtime with the same content is still fresh');

    await writeFile(lib, 'export function greeting(who: string): string {\n  return `hi ${who}`;\n}\n');
    assert.equal((await ensureDeps([APP], opts))[0]?.action, 'built');
    assert.equal((await run(join(depDir, 'bin/app'), ['again'])).stdout, 'hi again\n');
    assert.notEqual((await readManifest(depDir)).app?.hash, record.hash);
    assert.equal((await ensureDeps([APP], opts))[0]?.action, 'fresh');

    await rm(join(depDir, 'bin/app'));
    assert.equal((await ensureDeps([APP], opts))[0]?.action, 'built');
    await stat(join(depDir, 'bin/app'));

    await rm(join(depDir, 'manifest.json'));
    assert.equal((await ensureDeps([APP], opts))[0]?.action, 'built');
    await writeFile(join(depDir, 'manifest.json'), '{ not json');
    assert.equal((await ensureDeps([APP], opts))[0]?.action, 'built', 'a corrupt manifest means rebuild, not a crash');
  });

  test('defaults the dep dir to <projectDir>/.dep, whose bin is depBinDir(projectDir)', async (t) => {
    const projectDir = await tinyProject(t);
    const [result] = await ensureDeps([APP], { projectDir });
    assert.equal(result?.path, join(depBinDir(projectDir), 'app'));
    assert.equal(depBinDir(projectDir), join(projectDir, '.dep', 'bin'));
  });

  test('builds the real alpha demo, whose --help prints its usage', async (t) => {
    const depDir = await tempDir(t, 'nestor-dep-alpha-');
    const [alpha] = await ensureDeps([{ name: 'alpha', version: '0.1.0', source: 'local', entry: 'demo/alpha/main.ts' }], { projectDir: PROJECT_DIR, depDir });
    assert.equal(alpha?.action, 'built');
    const { stdout } = await run(alpha.path, ['--help']);
    assert.match(stdout, /^Usage: alpha \[options\]/);
    assert.match(stdout, /--fail-at-start/);
    const inputs = (await readManifest(depDir)).alpha?.inputs ?? [];
    assert.ok(inputs.includes('demo/alpha/main.ts') && inputs.includes('demo/alpha/service.json'), 'the service.json is a hashed input');
  });

  test('concurrent calls on one dep dir keep every record in a valid manifest', async (t) => {
    const projectDir = await tinyProject(t);
    await writeFile(join(projectDir, 'app/other.ts'), "console.log('other');\n");
    const depDir = await tempDir(t, 'nestor-dep-concurrent-');
    const other: DepEntry = { name: 'other', source: 'local', entry: 'app/other.ts' };
    const results = await Promise.all([ensureDeps([APP], { projectDir, depDir }), ensureDeps([other], { projectDir, depDir })]);
    assert.deepEqual(results.flat().map((r) => r.action), ['built', 'built']);
    const manifest = JSON.parse(await readFile(join(depDir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(manifest).sort(), ['app', 'other']);
    assert.equal((await run(join(depDir, 'bin/other'))).stdout, 'other\n');
  });
});

/** Pids of this process's children whose command line names esbuild. */
function esbuildChildren(): Set<number> {
  const pids = new Set<number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('esbuild')) pids.add(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

describe('the esbuild service', () => {
  test('no esbuild child process outlives the builds, concurrent or failed', async (t) => {
    const projectDir = await tinyProject(t);
    const depDir = await tempDir(t, 'nestor-dep-esbuild-');
    await writeFile(join(projectDir, 'app/other.ts'), "console.log('other');\n");
    await writeFile(join(projectDir, 'app/broken.ts'), 'export const = ;\n');
    // tsx, which loads this test, may run an esbuild service of its own: only new ones count.
    const before = esbuildChildren();
    const seen = new Set<number>();
    let building = true;
    const watch = (async () => {
      while (building) {
        for (const pid of esbuildChildren()) if (!before.has(pid)) seen.add(pid);
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    try {
      await ensureDeps([APP, { name: 'other', source: 'local', entry: 'app/other.ts' }], { projectDir, depDir });
      await assert.rejects(ensureDeps([{ name: 'broken', source: 'local', entry: 'app/broken.ts' }], { projectDir, depDir }));
    } finally {
      building = false;
      await watch;
    }
    assert.ok(seen.size > 0, 'the builds ran in an esbuild service child (so the scan does see one)');
    let left = [...esbuildChildren()].filter((pid) => !before.has(pid));
    for (let i = 0; i < 100 && left.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      left = [...esbuildChildren()].filter((pid) => !before.has(pid));
    }
    assert.deepEqual(left, [], 'every esbuild service started by the builds has stopped');
  });
});

describe('ensureDeps errors', () => {
  const isDepError = (reason: DepError['reason'], pattern: RegExp) => (err: unknown) =>
    err instanceof DepError && err.reason === reason && pattern.test(err.message);

  test('an unknown source is refused, never skipped, and installs nothing', async (t) => {
    const projectDir = await tinyProject(t);
    const depDir = join(projectDir, 'out');
    await assert.rejects(
      ensureDeps([{ name: 'redis', version: '7.2.4', source: 'ftp', asset: 'redis.tar.gz' }], { projectDir, depDir }),
      isDepError('unsupported-source', /"ftp" is not one of local, path, apt, npm, url, github-release/),
    );
    await assert.rejects(stat(join(depDir, 'bin')), { code: 'ENOENT' });
  });

  test('a failing entry does not stop the others; the first failure is thrown', async (t) => {
    const projectDir = await tinyProject(t);
    const depDir = await tempDir(t, 'nestor-dep-partial-');
    await assert.rejects(
      ensureDeps([{ name: 'gone', source: 'local', entry: 'app/missing.ts' }, APP], { projectDir, depDir }),
      isDepError('invalid-entry', /app\/missing\.ts does not exist/),
    );
    assert.equal((await readManifest(depDir)).app?.entry, 'app/main.ts');
  });

  test('entries outside the project, duplicate names, bad names and syntax errors are DepErrors', async (t) => {
    const projectDir = await tinyProject(t);
    const depDir = await tempDir(t, 'nestor-dep-bad-');
    const opts = { projectDir, depDir };
    await assert.rejects(ensureDeps([{ name: 'x', source: 'local', entry: '../escape.ts' }], opts), isDepError('invalid-entry', /outside the project/));
    await assert.rejects(ensureDeps([APP, APP], opts), isDepError('invalid-entry', /twice/));
    await assert.rejects(ensureDeps([{ name: '../x', source: 'local', entry: 'app/main.ts' }], opts), isDepError('invalid-entry', /name must be/));
    await assert.rejects(ensureDeps([{ name: 'y', source: 'local' }], opts), isDepError('invalid-entry', /needs "entry"/));
    await writeFile(join(projectDir, 'app/broken.ts'), 'export const = ;\n');
    await assert.rejects(ensureDeps([{ name: 'broken', source: 'local', entry: 'app/broken.ts' }], opts), isDepError('build-failed', /app\/broken\.ts:1:/));
  });
});
