// `nestor dep install|list|verify|prune` and the dep checks of `validate` and `up`, as a user runs
// them in a throwaway project whose release downloads come from a local server (the mirror).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../../src/harness/index.ts';
import { buildArchive, startReleaseServer, tool } from '../dep/release-server.ts';
import { tempProject } from './helpers.ts';

test('dep install downloads through NESTOR_DEP_MIRROR with progress; list, verify and prune read the manifest', async (t) => {
  const server = await startReleaseServer(t);
  const served = server.add('/acme/tool/releases/download/v1.0.0/tool.tar.gz', await buildArchive(t, 'tar.gz', { 'tool-1.0.0/tool': tool('tool') }));
  const stack = (withTool: boolean) => `services:
${withTool ? `  app:
    process: { command: "{dep.bin}/tool" }
    dep: { name: tool, source: github-release, repo: acme/tool, version: v1.0.0, asset: tool.tar.gz, sha256: ${served.sha256} }
` : ''}  shell:
    process: { command: "{dep.bin}/sh", args: ["-c", "sleep 60"] }
    dep: { name: sh, source: path }
`;
  const dir = await tempProject(t, stack(true), 'nestor-dep-cli-');
  const env = { NESTOR_DEP_MIRROR: server.base };

  const install = await runCli(['dep', 'install'], { cwd: dir, env });
  assert.equal(install.code, 0, install.stderr);
  assert.match(install.stderr, new RegExp(`dep tool: downloading ${server.base}${served.path} ${served.bytes} B of ${served.bytes} B \\(100%\\)`));
  assert.match(install.stdout, new RegExp(`^tool: installed ${join(dir, '.dep/bin/tool')}$`, 'm'));
  assert.match(install.stdout, /^sh: installed .*\/\.dep\/bin\/sh$/m);

  const again = await runCli(['dep', 'install', '--json'], { cwd: dir, env });
  assert.deepEqual(again.json<{ deps: { name: string; action: string }[] }>().deps.map((d) => [d.name, d.action]), [['tool', 'fresh'], ['sh', 'fresh']]);

  const list = await runCli(['dep', 'list'], { cwd: dir });
  assert.match(list.stdout, /^NAME\s+VERSION\s+SOURCE\s+PATH\s+CHECKSUM$/m);
  assert.match(list.stdout, /^tool\s+v1\.0\.0\s+github-release\s+\S+\/\.dep\/pkg\/tool@v1\.0\.0-[0-9a-f]{12}\/tool-1\.0\.0\/tool\s+[0-9a-f]{12}$/m);
  assert.match(list.stdout, /^sh\s+-\s+path\s+\/\S*\/sh\s+[0-9a-f]{12}$/m);

  assert.equal((await runCli(['dep', 'verify'], { cwd: dir })).stdout, 'sh: ok\ntool: ok\n');

  await writeFile(join(dir, 'nestor.yaml'), stack(false));
  const prune = await runCli(['dep', 'prune', '--json'], { cwd: dir });
  assert.equal(prune.code, 0, prune.stderr);
  const pruned = prune.json<{ records: string[]; files: string[] }>();
  assert.deepEqual(pruned.records, ['tool']);
  assert.ok(pruned.files.includes('bin/tool') && pruned.files.some((f) => f.startsWith('pkg/tool@v1.0.0-')), JSON.stringify(pruned.files));
  assert.deepEqual((await runCli(['dep', 'list', '--json'], { cwd: dir })).json<{ deps: { name: string }[] }>().deps.map((d) => d.name), ['sh']);
});

test('validate names the missing fields of a download dep; dep install fails (exit 1) naming the URL', async (t) => {
  const dir = await tempProject(t, `services:
  app:
    process: { command: "{dep.bin}/app" }
    dep: { name: app, source: github-release, asset: app.tar.gz }
`, 'nestor-dep-cli-');
  const validate = await runCli(['validate', '--json'], { cwd: dir });
  assert.equal(validate.code, 2);
  const paths = validate.json<{ errors: { path: string }[] }>().errors.map((e) => e.path);
  assert.deepEqual(paths.sort(), ['services.app.dep.repo', 'services.app.dep.sha256', 'services.app.dep.version']);

  const server = await startReleaseServer(t);
  await writeFile(join(dir, 'nestor.yaml'), `services:
  app:
    process: { command: "{dep.bin}/app" }
    dep: { name: app, source: url, url: "${server.base}/gone/app.tar.gz", sha256: "${'0'.repeat(64)}" }
`);
  const install = await runCli(['dep', 'install'], { cwd: dir });
  assert.equal(install.code, 1);
  assert.match(install.stderr, new RegExp(`dep "app": download-failed: GET ${server.base}/gone/app\\.tar\\.gz: HTTP 404 Not Found`));
});

test('up fails the start when a dep cannot be installed, naming it, instead of a spawn error later', async (t) => {
  const server = await startReleaseServer(t);
  const dir = await tempProject(t, `services:
  app:
    process: { command: "{dep.bin}/app" }
    dep: { name: app, source: url, url: "${server.base}/gone/app", sha256: "${'0'.repeat(64)}" }
`, 'nestor-dep-up-');
  // In the foreground: the failure ends `nestor up` itself, with the reason on its stderr.
  const up = await runCli(['up'], { cwd: dir, timeoutMs: 90_000 });
  assert.notEqual(up.code, 0);
  assert.match(up.stderr, new RegExp(`dep "app": download-failed: GET ${server.base}/gone/app: HTTP 404`));
});

test('up --detach names the dep that could not be installed, whichever way the node ends', async (t) => {
  const server = await startReleaseServer(t);
  const dir = await tempProject(t, `services:
  app:
    process: { command: "{dep.bin}/app" }
    dep: { name: app, source: url, url: "${server.base}/gone/app", sha256: "${'0'.repeat(64)}" }
`, 'nestor-dep-detach-');
  try {
    const up = await runCli(['up', '--detach'], { cwd: dir, timeoutMs: 90_000 });
    assert.notEqual(up.code, 0);
    assert.match(up.stderr, new RegExp(`dep "app": download-failed: GET ${server.base}/gone/app: HTTP 404`));
  } finally {
    // Before the project folder goes: a node left running would outlive the test.
    await runCli(['down'], { cwd: dir, timeoutMs: 30_000 });
  }
});

test('up installs a github-release dep from the mirror setting and runs it', async (t) => {
  const server = await startReleaseServer(t);
  const served = server.add('/acme/hello/releases/download/v2/hello.zip', await buildArchive(t, 'zip', { 'hello/bin/hello': tool('hello from the release') }));
  const dir = await tempProject(t, `services:
  hello:
    kind: oneshot
    process: { command: "{dep.bin}/hello", args: [world] }
    dep: { name: hello, source: github-release, repo: acme/hello, version: v2, asset: hello.zip, sha256: "${served.sha256}" }
`, 'nestor-dep-up-');
  const up = await runCli(['up', '--detach'], { cwd: dir, env: { NESTOR_DEP_MIRROR: server.base }, timeoutMs: 90_000 });
  assert.equal(up.code, 0, up.stderr);
  assert.match(up.stdout, /^hello\s+completed\s/m);
  // A detached up writes its progress to its log.
  assert.match(await readFile(join(dir, '.data', 'nestor-up.log'), 'utf8'), new RegExp(`dep hello: downloading ${server.base}${served.path} .*\\(100%\\)[\\s\\S]*dep hello: installed`));
  const logs = await runCli(['logs', 'hello'], { cwd: dir });
  assert.match(logs.stdout, /hello from the release world/);
});
