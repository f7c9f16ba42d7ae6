// Two nodes on one bus, each with its own data dir and its own Caddy: the certificate the first
// node's Caddy issues for a `tls internal` host (and the CA that signed it) is stored on the bus
// and restored into the second node's Caddy before it starts, so both serve the same certificate.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:tls';
import { createHarness } from '../../src/harness/index.ts';
import type { Harness } from '../../src/harness/index.ts';
import { buildDemos, removeDir } from '../demo/helpers.ts';
import { until } from './helpers.ts';
import { onCleanup, plainNatsServer } from '../bus/helpers.ts';
import type { CleanupContext } from '../bus/helpers.ts';

const HOST = 'certs.localhost';
let bins: { alpha: string; beta: string; depDir: string };
before(async () => {
  bins = await buildDemos();
});
after(async () => {
  await removeDir(bins.depDir);
});

const alpha = (): Record<string, unknown> => ({
  process: { command: bins.alpha, args: ['--port', '{ports.primary}'] },
  ports: { primary: { port: 0, protocol: 'http' } },
  portStrategy: 'random',
  health: { type: 'http', endpoint: 'http://127.0.0.1:{ports.primary}/health', interval: '200ms' },
  caddy: { expose: true, hosts: [HOST], routes: [{ match: `host(\`${HOST}\`)`, handle: [{ handler: 'reverse_proxy', upstreams: ['{ports.primary}'] }] }] },
});

/** The SHA-256 fingerprint of the certificate a Caddy serves for HOST. */
function fingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: HOST, rejectUnauthorized: false }, () => {
      const cert = socket.getPeerCertificate(true);
      socket.end();
      resolve(`${cert.fingerprint256} issued by ${cert.issuer?.CN ?? '?'}`);
    });
    socket.once('error', reject);
  });
}


async function node(t: CleanupContext, url: string, name: string): Promise<Harness> {
  const h = await createHarness({ name, flags: { nats: { urls: [url] } } });
  onCleanup(t, () => h.close());
  await h.register({ services: { [`alpha-${name}`]: alpha() } }, { skipDeps: true });
  await h.waitForState(`alpha-${name}`, 'ready', { timeoutMs: 30_000 });
  return h;
}

test("a second node's Caddy serves the certificate the first one's issued, restored from the bus", async (t) => {
  // Cleanups run last-registered first: the nodes stop while their bus still runs.
  const url = await plainNatsServer((fn) => onCleanup(t, fn), { jetstream: true });
  const a = await node(t, url, 'edge-a');
  const portsA = a.node.caddy.ports();
  assert.ok(portsA !== null, 'caddy runs on edge-a');
  const first = await until('edge-a serving its certificate', async () => fingerprint(portsA.https));
  const stored = await a.waitForEvent('orchestrator.caddy.cert.stored', (e) => e.data.names.some((n) => n.startsWith(`certificates/local/${HOST}/`)), { timeoutMs: 30_000 });
  assert.ok(stored.data.names.some((n) => n.startsWith('pki/authorities/local/')) || stored.data.count > 0);

  const b = await node(t, url, 'edge-b');
  const restored = await b.waitForEvent('orchestrator.caddy.cert.restored', (e) => e.data.node === b.config.node, { timeoutMs: 30_000 });
  assert.ok(restored.data.names.some((n) => n.startsWith(`certificates/local/${HOST}/`)), 'the host certificate was restored');
  const portsB = b.node.caddy.ports();
  assert.ok(portsB !== null, 'caddy runs on edge-b');
  assert.notEqual(portsB.https, portsA.https);
  const second = await until('edge-b serving a certificate', async () => fingerprint(portsB.https));
  assert.equal(second, first, 'both nodes serve the same certificate from the same CA');
  // What the nodes pane of the dashboard and the TUI list under edge-b's Caddy.
  const shown = await until('the certificate in the state', async () => {
    const certs = b.state().nodes[b.config.node]?.caddy?.certificates ?? [];
    return certs.length > 0 ? certs : null;
  });
  assert.deepEqual(shown, [`${HOST} (local)`]);
});
