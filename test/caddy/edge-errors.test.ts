// What a user sees when the edge cannot be set up: caddy missing, its admin port taken, a
// route needing a module the binary lacks; and the spec errors of bad caddy blocks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createHarness } from '../../src/harness/index.ts';
import { validateProject } from '../../src/spec/index.ts';

const idle = { process: { command: 'node', args: ['-e', 'setInterval(() => {}, 1000)'] }, ports: { primary: { port: 0 } }, portStrategy: 'random' };
const exposed = (caddy: Record<string, unknown>): Record<string, unknown> => ({ services: { web: { ...idle, caddy: { expose: true, ...caddy } } } });

test('a route to a service that does not exist, a malformed matcher and an unknown handler are spec errors with field paths', () => {
  const result = validateProject(
    exposed({
      routes: [
        { match: 'host(app.localhost)', handle: [{ handler: 'reverse_proxy', upstreams: ['{services.ghost.ports.primary}'] }] },
        { match: ['path(`/x`)'], handle: [{ handler: 'teleport' }] },
      ],
    }),
  );
  assert.equal(result.ok, false);
  const errors = result.ok ? [] : result.errors;
  const byPath = new Map(errors.map((e) => [e.path, e.expected]));
  assert.match(byPath.get('services.web.caddy.routes[0].match') ?? '', /a matcher such as host\(`app.localhost`\)/);
  assert.match(byPath.get('services.web.caddy.routes[1].handle[0].handler') ?? '', /a handler: reverse_proxy, /);
  const ghost = validateProject(exposed({ routes: [{ handle: [{ handler: 'reverse_proxy', upstreams: ['{services.ghost.ports.primary}'] }] }] }));
  assert.deepEqual(ghost.ok ? [] : ghost.errors.map((e) => [e.path, e.expected]), [
    ['services.web.caddy.routes[0].handle[0].upstreams[0]', 'a service of this project in {services.<id>.ports.<name>} (a route to a service that does not exist)'],
  ]);
});

test('a template the project does not define is an error; a defined one is valid', () => {
  const templates = { web: { match: 'host(`web.localhost`)', handle: [{ handler: 'reverse_proxy', upstreams: ['{ports.primary}'] }] } };
  const bad = validateProject({ config: { caddy: { templates } }, ...exposed({ template: 'nope' }) });
  assert.deepEqual(bad.ok ? [] : bad.errors.map((e) => e.path), ['services.web.caddy.template']);
  assert.equal(validateProject({ config: { caddy: { templates } }, ...exposed({ template: 'web' }) }).ok, true);
});

test('caddy missing: registering an exposed service fails naming the binary and the install command', async (t) => {
  const h = await createHarness({ name: 'caddy-missing', flags: { caddy: { binary: '/nonexistent/caddy' } } });
  t.after(() => h.close());
  await assert.rejects(h.register(exposed({ hosts: ['app.localhost'] }), { skipDeps: true }), (err: Error) => {
    assert.equal(err.name, 'CaddyNotFoundError');
    assert.match(err.message, /\/nonexistent\/caddy, which is not an executable file/);
    assert.match(err.message, /apt-get install -y caddy/);
    return true;
  });
  assert.equal(h.state().services['web'], undefined, 'nothing was registered');
});

test("caddy's admin port taken: the error names the port", async (t) => {
  const blocker = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => blocker.once('listening', r));
  t.after(() => blocker.close());
  const port = (blocker.address() as AddressInfo).port;
  const h = await createHarness({ name: 'caddy-admin-taken', flags: { caddy: { adminPort: port } } });
  t.after(() => h.close());
  await assert.rejects(h.register(exposed({ hosts: ['app.localhost'] }), { skipDeps: true }), new RegExp(`admin port 127\\.0\\.0\\.1:${port} \\(caddy\\.adminPort\\) is already in use`));
});

test('a route needing a module the binary lacks is an error naming the module', async (t) => {
  const h = await createHarness({ name: 'caddy-module' });
  t.after(() => h.close());
  await assert.rejects(h.register(exposed({ routes: [{ handle: [{ handler: 'rate_limit', rate_limits: {} }] }] }), { skipDeps: true }), (err: Error) => {
    assert.equal(err.name, 'CaddyModuleMissingError');
    assert.match(err.message, /services\.web\.caddy\.routes\[0\]\.handle\[0\]: needs the Caddy module http\.handlers\.rate_limit/);
    return true;
  });
});
