// The Caddy module registry, the Go sources `nestor caddy build` generates from it, and the two
// verbs against the real caddy binary of the machine and a machine without Go.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CADDY_MODULES, DEFAULT_CADDY_VERSION, findCaddy, generateBuildSources, parseListModules, selectModules } from '../../src/caddy/index.ts';
import { runMain } from '../cli/helpers.ts';

const exec = promisify(execFile);
// A Go module version: a release tag or a pseudo-version.
const GO_VERSION = /^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nestor-caddy-build-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('the registry names the seed modules with their module ids, Go import paths and pinned versions', () => {
  const ids = CADDY_MODULES.flatMap((m) => m.ids);
  for (const id of ['http.handlers.acme_server', 'dns.providers.cloudflare', 'dns.providers.route53', 'http.handlers.authenticator', 'http.handlers.rate_limit', 'http.handlers.crowdsec', 'http.handlers.forward_proxy']) {
    assert.ok(ids.includes(id), `${id} in the registry`);
  }
  for (const m of CADDY_MODULES) {
    if (m.goModule === null) continue;
    assert.match(m.version ?? '', GO_VERSION, `${m.name} pins a Go module version`);
    assert.ok(m.importPath?.startsWith(m.goModule), `${m.name}: its import path is inside its Go module`);
  }
  assert.deepEqual(selectModules(['ratelimit', 'dns.providers.cloudflare', 'github.com/caddy-dns/route53', 'nope']).unknown, ['nope']);
  assert.deepEqual(
    selectModules(['ratelimit', 'http.handlers.rate_limit']).modules.map((m) => m.name),
    ['ratelimit'],
    'a module named twice is built once',
  );
});

test('the generated main.go and go.mod are what a Go build of Caddy with the registry needs', () => {
  const { 'main.go': main, 'go.mod': mod } = generateBuildSources(CADDY_MODULES);
  assert.match(main, /^package main$/m);
  assert.match(main, /^\tcaddycmd "github\.com\/caddyserver\/caddy\/v2\/cmd"$/m);
  assert.match(main, /^\t_ "github\.com\/caddyserver\/caddy\/v2\/modules\/standard"$/m);
  assert.match(main, /^func main\(\) \{\n\tcaddycmd\.Main\(\)\n\}$/m);
  for (const m of CADDY_MODULES) if (m.importPath !== null) assert.ok(main.includes(`\t_ "${m.importPath}"\n`), `main.go imports ${m.importPath}`);

  assert.match(mod, /^module \S+$/m);
  assert.match(mod, /^go 1\.\d+$/m);
  const requires = [...mod.matchAll(/^\t(\S+) (\S+)$/gm)].map(([, path, version]) => [path, version]);
  assert.deepEqual(requires[0], ['github.com/caddyserver/caddy/v2', DEFAULT_CADDY_VERSION]);
  for (const [, version] of requires) assert.match(version ?? '', GO_VERSION);
  const modules = CADDY_MODULES.filter((m) => m.goModule !== null);
  assert.deepEqual(requires.slice(1), modules.map((m) => [m.goModule, m.version]), 'one require line per Go module, at its pinned version');
  // Every non-standard import is covered by a required module.
  for (const [, imp] of main.matchAll(/^\t_ "(\S+)"$/gm)) assert.ok(requires.some(([p]) => imp === p || imp?.startsWith(`${p}/`)), `${imp} is required in go.mod`);

  const one = generateBuildSources(selectModules(['ratelimit']).modules, 'v2.6.2');
  assert.ok(one['main.go'].includes('"github.com/mholt/caddy-ratelimit"') && !one['main.go'].includes('cloudflare'));
  assert.ok(one['go.mod'].includes('\tgithub.com/caddyserver/caddy/v2 v2.6.2\n'));
  assert.throws(() => generateBuildSources([], 'latest'), /a Caddy version such as/);
});

test("caddy list-modules output is parsed into the binary's module ids", async () => {
  const { stdout } = await exec(await findCaddy(process.env.NESTOR_CADDY_BINARY), ['list-modules']);
  const parsed = parseListModules(stdout);
  assert.ok(parsed.standard.includes('http.handlers.reverse_proxy') && parsed.standard.includes('http.handlers.acme_server'));
  assert.equal(parsed.standard.length, Number(/Standard modules: (\d+)/.exec(stdout)?.[1]));
  const custom = parseListModules('admin.api.load\nhttp.handlers.file_server\n\n  Standard modules: 2\n\ndns.providers.cloudflare v0.2.4\nhttp.handlers.rate_limit\n\n  Non-standard modules: 2\n\n  Unknown modules: 0\n');
  assert.deepEqual(custom.standard, ['admin.api.load', 'http.handlers.file_server']);
  assert.deepEqual(custom.nonStandard, ['dns.providers.cloudflare', 'http.handlers.rate_limit']);
});

test('nestor caddy modules shows the registry beside the installed binary; a missing binary exits 1 with the install command', async (t) => {
  const cwd = await tempDir(t);
  const env = { PATH: process.env.PATH ?? '', ...(process.env.NESTOR_CADDY_BINARY === undefined ? {} : { NESTOR_CADDY_BINARY: process.env.NESTOR_CADDY_BINARY }) };
  const json = await runMain(['caddy', 'modules', '--json'], { cwd, env });
  assert.equal(json.code, 0, json.stderr);
  const doc = json.json<{ binary: { path: string; version: string; standard: number }; registry: { name: string; present: boolean; missing: string[] }[] }>();
  assert.equal(doc.binary.path, await findCaddy(process.env.NESTOR_CADDY_BINARY));
  assert.match(doc.binary.version, /^v?\d+\.\d+/);
  assert.ok(doc.binary.standard > 50);
  assert.deepEqual(doc.registry.map((r) => r.name), CADDY_MODULES.map((m) => m.name));
  assert.equal(doc.registry.find((r) => r.name === 'acme_server')?.present, true, 'a standard module is in every caddy');

  const text = await runMain(['caddy', 'modules'], { cwd, env });
  assert.equal(text.code, 0);
  assert.match(text.stdout, /^acme_server\s+http\.handlers\.acme_server\s+standard\s+yes$/m);
  assert.match(text.stdout, /^ratelimit\s+http\.handlers\.rate_limit\s+github\.com\/mholt\/caddy-ratelimit@v\S+\s+(yes|no)$/m);

  const missing = await runMain(['caddy', 'modules', '--caddy-binary', join(cwd, 'no-caddy')], { cwd, env });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /caddy not found: .*no-caddy.*apt-get install -y caddy/);
  assert.match(missing.stdout, /^ratelimit\s/m, 'the registry is still listed');
  const fromEnv = await runMain(['caddy', 'modules', '--json'], { cwd, env: { ...env, NESTOR_CADDY_BINARY: '/nonexistent/caddy' } });
  assert.equal(fromEnv.code, 1);
  assert.match(fromEnv.json<{ error: string }>().error, /caddy\.binary \(NESTOR_CADDY_BINARY\) points at \/nonexistent\/caddy/);
  assert.equal(fromEnv.json<{ binary: unknown }>().binary, null);
});

test('nestor caddy build without Go leaves the sources in place and exits 1 naming what is missing', async (t) => {
  const cwd = await tempDir(t);
  const out = join(cwd, 'build');
  // A PATH without a Go toolchain, as on this project's CI.
  const env = { PATH: '/nonexistent' };
  const r = await runMain(['caddy', 'build', '-o', 'build', '--modules', 'ratelimit,cloudflare', '--caddy-version', 'v2.6.2'], { cwd, env });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no Go toolchain: `go` is not on PATH/);
  assert.ok(r.stderr.includes(out), 'the error names where the sources are');
  const main = await readFile(join(out, 'main.go'), 'utf8');
  const mod = await readFile(join(out, 'go.mod'), 'utf8');
  assert.deepEqual({ 'main.go': main, 'go.mod': mod }, generateBuildSources(selectModules(['ratelimit', 'cloudflare']).modules, 'v2.6.2'));
  await assert.rejects(stat(join(out, 'caddy')), 'no binary was made');

  const byDefault = await runMain(['caddy', 'build'], { cwd, env });
  assert.equal(byDefault.code, 1);
  assert.ok(byDefault.stderr.includes(join(cwd, '.data', 'caddy-build')), byDefault.stderr);
  assert.equal(await readFile(join(cwd, '.data', 'caddy-build', 'main.go'), 'utf8'), generateBuildSources(CADDY_MODULES)['main.go']);

  const unknown = await runMain(['caddy', 'build', '-o', 'build', '--modules', 'ratelimit,nope'], { cwd, env });
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /--modules: nope is not in the registry/);
  const badVersion = await runMain(['caddy', 'build', '-o', 'build', '--caddy-version', 'latest'], { cwd, env });
  assert.equal(badVersion.code, 2);
  assert.match(badVersion.stderr, /--caddy-version "latest"/);
});

test('with a go on PATH, nestor caddy build runs go mod tidy and go build in the build dir; a failing go step exits 1 with its output', async (t) => {
  const cwd = await tempDir(t);
  // A stand-in for the Go toolchain (this machine has none): it logs its arguments and
  // directory, makes the binary `go build -o` names, and fails when told to.
  const bin = join(cwd, 'bin');
  await mkdir(bin);
  const log = join(cwd, 'go.log');
  await writeFile(
    join(bin, 'go'),
    `#!/bin/sh\necho "$PWD $*" >> ${JSON.stringify(log)}\n[ -n "$GO_FAIL" ] && { echo "go: github.com/mholt/caddy-ratelimit: no network" >&2; exit 1; }\n[ "$1" = build ] && { echo built > "$3"; }\nexit 0\n`,
    { mode: 0o755 },
  );
  const env = { PATH: `${bin}:/usr/bin:/bin` };
  const r = await runMain(['caddy', 'build', '-o', 'out', '--modules', 'ratelimit'], { cwd, env });
  assert.equal(r.code, 0, r.stderr);
  const out = join(cwd, 'out');
  assert.deepEqual((await readFile(log, 'utf8')).trim().split('\n'), [`${out} mod tidy`, `${out} build -o ${join(out, 'caddy')} .`]);
  assert.match(r.stdout, new RegExp(`built ${join(out, 'caddy').replace(/[/.]/g, '\\$&')}`));
  assert.equal(await readFile(join(out, 'caddy'), 'utf8'), 'built\n');

  const failed = await runMain(['caddy', 'build', '-o', 'out'], { cwd, env: { ...env, GO_FAIL: '1' } });
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /`go mod tidy` failed in .*out.*\n.*no network/);
});
