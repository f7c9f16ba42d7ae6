// Caddy's certificates and CA in JetStream: what one node's Caddy issued is stored, restored
// into a second data dir sharing the bus, and the second Caddy serves the same certificate
// from the same CA instead of making its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kvm } from '@nats-io/kv';
import { CADDY_BUCKET, caddyKeyOf, caddyPathOfKey, connectBus, restoreCaddyFiles, storeCaddyFiles, watchCaddyData } from '../../src/bus/index.ts';
import { testConfig } from '../bus/helpers.ts';
import { TEST_HOST, peerCertificate, startCaddy } from './helpers.ts';

const CERT = `certificates/local/${TEST_HOST}/${TEST_HOST}.crt`;
const KEY = `certificates/local/${TEST_HOST}/${TEST_HOST}.key`;

async function until(cond: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test("certificates one Caddy issued are restored into another node's Caddy, which serves the same certificate from the same CA", async (t) => {
  const config = await testConfig(t, {}, 'caddy-certs');
  const bus = await connectBus(config);
  t.after(() => bus.close());
  const root = await mkdtemp(join(tmpdir(), 'nestor-caddy-certs-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const [homeA, homeB] = [join(root, 'a'), join(root, 'b')];
  const opts = { store: config.nats.store, replicas: 1, node: 'node-a' };

  // Node A watches its Caddy's data dir from before Caddy starts, as the supervisor will.
  const stored: string[][] = [];
  const errors: unknown[] = [];
  const watch = await watchCaddyData(bus, join(homeA, 'caddy'), (names) => stored.push(names), { ...opts, onError: (e) => errors.push(e) });
  t.after(() => watch.close());
  const a = await startCaddy(t, homeA);
  const certA = await peerCertificate(a);
  await until(() => stored.flat().includes(CERT) && stored.flat().includes(KEY) && stored.flat().includes('pki/authorities/local/root.key'), 'the watch to store the certificate and the CA');
  assert.deepEqual(errors, []);
  const all = stored.flat();
  assert.ok(all.includes('pki/authorities/local/root.crt') && all.includes('pki/authorities/local/intermediate.key'), all.join(', '));
  assert.ok(!all.some((n) => n.startsWith('locks/') || n === 'instance.uuid' || n === 'last_clean.json'), `instance files are not shared: ${all.join(', ')}`);
  await watch.close();
  assert.deepEqual((await storeCaddyFiles(bus, a.dataDir, opts)).names, [], 'nothing changed since the watch stored it');

  // Node B restores before its Caddy starts.
  const restored = await restoreCaddyFiles(bus, join(homeB, 'caddy'), opts);
  assert.deepEqual(restored.skipped, []);
  for (const name of [CERT, KEY, 'pki/authorities/local/root.crt', 'pki/authorities/local/root.key']) assert.ok(restored.names.includes(name), `${name} restored: ${restored.names.join(', ')}`);
  assert.equal((await stat(join(homeB, 'caddy', KEY))).mode & 0o777, 0o600, 'a key is readable by its owner only');
  assert.equal((await stat(join(homeB, 'caddy', 'pki/authorities/local/root.key'))).mode & 0o777, 0o600);
  assert.deepEqual((await restoreCaddyFiles(bus, join(homeB, 'caddy'), opts)).names, [], 'a second restore finds every file in place');

  const b = await startCaddy(t, homeB);
  const certB = await peerCertificate(b);
  assert.equal(certB.fingerprint256, certA.fingerprint256, 'both nodes serve the same certificate');
  assert.equal(certB.issuerCertificate?.fingerprint256, certA.issuerCertificate?.fingerprint256, 'signed by the same intermediate');
  const rootOf = (home: string): Promise<string> => readFile(join(home, 'caddy/pki/authorities/local/root.crt'), 'utf8');
  assert.equal(await rootOf(homeB), await rootOf(homeA), 'the second Caddy kept the restored root instead of making its own CA');
});

test('bucket keys stand for any file name, and a restore writes only inside the shared folders of the data dir', async (t) => {
  for (const name of ['certificates/acme-v02.api.letsencrypt.org-directory/wildcard_.example.com/wildcard_.example.com.json', 'pki/authorities/local/root.crt', 'acme/a..b/.hidden', 'certificates/x/é=ü name.key']) {
    const key = caddyKeyOf(name);
    assert.match(key, /^[A-Za-z0-9_/=-]+(\.[A-Za-z0-9_/=-]+)*$/, `${key}: no empty token, only key characters`);
    assert.equal(caddyPathOfKey(key), name);
  }
  const config = await testConfig(t, {}, 'caddy-certs-keys');
  const bus = await connectBus(config);
  t.after(() => bus.close());
  const root = await mkdtemp(join(tmpdir(), 'nestor-caddy-keys-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const a = join(root, 'a', 'caddy');
  await mkdir(join(a, 'certificates/local/x.test'), { recursive: true });
  await mkdir(join(a, 'locks'), { recursive: true });
  await writeFile(join(a, 'certificates/local/x.test/x.test.key'), 'key', { mode: 0o600 });
  await writeFile(join(a, 'locks/x.test.lock'), 'lock');
  await writeFile(join(a, 'instance.uuid'), 'uuid');
  const opts = { store: config.nats.store };
  assert.deepEqual((await storeCaddyFiles(bus, a, opts)).names, ['certificates/local/x.test/x.test.key']);
  await writeFile(join(a, 'certificates/local/x.test/x.test.key'), 'renewed');
  assert.deepEqual((await storeCaddyFiles(bus, a, opts)).names, ['certificates/local/x.test/x.test.key'], 'a changed file is stored again');

  // A record whose path leaves the shared folders (written by something else than a node) is not restored.
  const kv = await new Kvm(bus.js).open(CADDY_BUCKET);
  const evil = { path: 'certificates/../../escape', mode: 0o644, sha256: createHash('sha256').update('x').digest('hex'), data: Buffer.from('x').toString('base64') };
  await kv.put(caddyKeyOf('certificates/evil'), JSON.stringify(evil));
  const b = join(root, 'b', 'caddy');
  const restored = await restoreCaddyFiles(bus, b, opts);
  assert.deepEqual(restored.names, ['certificates/local/x.test/x.test.key']);
  assert.deepEqual(restored.skipped, [caddyKeyOf('certificates/evil')]);
  assert.equal(await readFile(join(b, 'certificates/local/x.test/x.test.key'), 'utf8'), 'renewed');
  await assert.rejects(stat(join(root, 'escape')));
  await assert.rejects(stat(join(b, 'instance.uuid')));
});
