import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { allocatePort, parseHostPort, readProcStat, runProbe } from '../../src/process/index.ts';
import { probe, tempDir, until } from './support.ts';

async function httpServer(t: TestContext): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    if (req.url === '/ok') res.end('fine');
    else if (req.url === '/created') res.writeHead(201).end();
    else if (req.url === '/hang') return; // never answers
    else res.writeHead(503).end('down');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

test('http probe passes on an expected status and fails otherwise', async (t) => {
  const { base } = await httpServer(t);
  const ok = await runProbe(probe({ endpoint: `${base}/ok` }));
  assert.equal(ok.ok, true);
  assert.equal(ok.detail, 'HTTP 200');
  assert.ok(ok.latencyMs >= 0);
  const down = await runProbe(probe({ endpoint: `${base}/down` }));
  assert.deepEqual([down.ok, down.detail], [false, 'HTTP 503']);
  assert.equal((await runProbe(probe({ endpoint: `${base}/created`, expectedStatus: [200, 201] }))).ok, true);
  assert.equal((await runProbe(probe({ endpoint: `${base}/created`, expectedStatus: [] }))).ok, true, 'no list: any 2xx/3xx');
});

test('http probe fails on timeout and on a refused connection', async (t) => {
  const { base } = await httpServer(t);
  const hang = await runProbe(probe({ endpoint: `${base}/hang`, timeoutMs: 100 }));
  assert.equal(hang.ok, false);
  assert.match(hang.detail, /timed out after 100ms/);
  const port = await allocatePort();
  const refused = await runProbe(probe({ endpoint: `http://127.0.0.1:${port}/` }));
  assert.equal(refused.ok, false);
  assert.match(refused.detail, /ECONNREFUSED/);
});

test('tcp probe passes when something listens and fails when nothing does', async (t) => {
  const server = createTcpServer((s) => s.destroy());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const { port } = server.address() as AddressInfo;
  assert.equal((await runProbe(probe({ type: 'tcp', endpoint: `127.0.0.1:${port}` }))).ok, true);
  const free = await allocatePort();
  const refused = await runProbe(probe({ type: 'tcp', endpoint: `127.0.0.1:${free}` }));
  assert.equal(refused.ok, false);
  assert.match(refused.detail, /ECONNREFUSED/);
  const bad = await runProbe(probe({ type: 'tcp', endpoint: 'no-port-here' }));
  assert.equal(bad.ok, false);
  assert.match(bad.detail, /host:port/);
});

test('parseHostPort understands host:port, [v6]:port and tcp:// URLs', () => {
  assert.deepEqual(parseHostPort('localhost:80'), { host: 'localhost', port: 80 });
  assert.deepEqual(parseHostPort('[::1]:4222'), { host: '::1', port: 4222 });
  assert.deepEqual(parseHostPort('tcp://10.0.0.1:9'), { host: '10.0.0.1', port: 9 });
  assert.deepEqual(parseHostPort(':5000'), { host: '127.0.0.1', port: 5000 });
  assert.equal(parseHostPort('host:0'), null);
  assert.equal(parseHostPort('host'), null);
});

test('exec probe: exit 0 passes, other codes fail with output, no shell is involved', async () => {
  const node = process.execPath;
  assert.equal((await runProbe(probe({ type: 'exec', command: [node, '-e', 'process.exit(0)'] }))).ok, true);
  const failed = await runProbe(probe({ type: 'exec', command: [node, '-e', 'console.error("not yet"); process.exit(3)'] }));
  assert.equal(failed.ok, false);
  assert.equal(failed.detail, 'exit 3: not yet');
  // With a shell, "$X" would expand to nothing and exit 0; without one the argument is literal.
  const literal = await runProbe(probe({ type: 'exec', command: [node, '-e', 'process.exit(process.argv[1] === "$X" ? 0 : 1)', '$X'] }));
  assert.equal(literal.ok, true);
  const missing = await runProbe(probe({ type: 'exec', command: ['nestor-no-such-probe-xyz'] }));
  assert.equal(missing.ok, false);
  assert.match(missing.detail, /ENOENT/);
});

test('exec probe on timeout kills the command and what it forked', async (t) => {
  const dir = await tempDir(t);
  const pidFile = join(dir, 'grandchild.pid');
  const script = `
    const { spawn } = require('node:child_process');
    const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(c.pid));
    setInterval(() => {}, 1000);`;
  const result = await runProbe(probe({ type: 'exec', command: [process.execPath, '-e', script], timeoutMs: 2000 }));
  assert.equal(result.ok, false);
  assert.match(result.detail, /timed out/);
  const grandchild = Number(readFileSync(pidFile, 'utf8'));
  assert.ok(grandchild > 0);
  await until(() => {
    const st = readProcStat(grandchild);
    return st === null || st.state === 'Z';
  }, 'the grandchild of the timed-out probe to be killed');
});
