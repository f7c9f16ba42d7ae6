import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/index.ts';
import { defaultNodeAddress } from '../../src/config/load.ts';

async function project(t: { after: (fn: () => Promise<void>) => void }, yaml?: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nestor-config-membership-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  if (yaml !== undefined) await writeFile(join(dir, 'nestor.yaml'), yaml);
  return dir;
}

function configError(check: (err: ConfigError) => void): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    check(err);
    return true;
  };
}

test('without any setting a node has no tags, a loopback address and the default timings', async (t) => {
  const dir = await project(t);
  const c = await loadConfig({ cwd: dir, env: {} });
  assert.deepEqual(c.nodeTags, []);
  assert.equal(c.nodeAddress, '127.0.0.1');
  assert.deepEqual(c.membership, { heartbeatMs: 1000, leaseTtlMs: 5000, fenceAfterMs: 3000 });
  assert.equal(typeof c.node, 'string');
});

test('node is the id alone or a mapping, and its parts merge across layers', async (t) => {
  const asString = await project(t, 'config:\n  node: edge-1\n');
  assert.equal((await loadConfig({ cwd: asString, env: {} })).node, 'edge-1');
  const withTags = await loadConfig({ cwd: asString, env: { NESTOR_NODE_TAGS: 'gpu' } });
  assert.equal(withTags.node, 'edge-1', 'a tag from the env keeps the id of the file');
  assert.deepEqual(withTags.nodeTags, ['gpu']);

  const asMapping = await project(t, 'config:\n  node:\n    id: edge-2\n    tags: [gpu, zone=eu-1]\n    address: 10.0.0.5\n');
  const c = await loadConfig({ cwd: asMapping, env: {} });
  assert.equal(c.node, 'edge-2');
  assert.deepEqual(c.nodeTags, ['gpu', 'zone=eu-1']);
  assert.equal(c.nodeAddress, '10.0.0.5');
  const renamed = await loadConfig({ cwd: asMapping, env: { NESTOR_NODE: 'edge-3' }, flags: { node: 'edge-4' } });
  assert.equal(renamed.node, 'edge-4', 'the flag names the node');
  assert.deepEqual(renamed.nodeTags, ['gpu', 'zone=eu-1'], 'renaming the node keeps the tags of the file');

  const noId = await project(t, 'config:\n  node:\n    tags: [ssd]\n');
  const generated = await loadConfig({ cwd: noId, env: {} });
  assert.match(generated.node, /^[A-Za-z0-9_-]+$/);
  assert.deepEqual(generated.nodeTags, ['ssd']);
});

test('tags, address and timings: flags win over env, env over the project file', async (t) => {
  const dir = await project(
    t,
    [
      'config:',
      '  node:',
      '    tags: [from-file]',
      '    address: file.lan',
      '  membership:',
      '    heartbeatMs: 100',
      '    fenceAfterMs: 400',
      '    leaseTtlMs: 3000',
      '',
    ].join('\n'),
  );
  const file = await loadConfig({ cwd: dir, env: {} });
  assert.deepEqual(file.nodeTags, ['from-file']);
  assert.equal(file.nodeAddress, 'file.lan');
  assert.deepEqual(file.membership, { heartbeatMs: 100, leaseTtlMs: 3000, fenceAfterMs: 400 });

  const env = { NESTOR_NODE_TAGS: 'a, b', NESTOR_NODE_ADDRESS: 'env.lan', NESTOR_HEARTBEAT_MS: '200', NESTOR_LEASE_TTL_MS: '4000' };
  const fromEnv = await loadConfig({ cwd: dir, env });
  assert.deepEqual(fromEnv.nodeTags, ['a', 'b'], 'a list from the env replaces the list of the file');
  assert.equal(fromEnv.nodeAddress, 'env.lan');
  assert.deepEqual(fromEnv.membership, { heartbeatMs: 200, leaseTtlMs: 4000, fenceAfterMs: 400 });

  const flags = { node: { tags: ['c'], address: '10.1.2.3' }, membership: { fenceAfterMs: 1000 } };
  const fromFlags = await loadConfig({ cwd: dir, env, flags });
  assert.deepEqual(fromFlags.nodeTags, ['c']);
  assert.equal(fromFlags.nodeAddress, '10.1.2.3');
  assert.deepEqual(fromFlags.membership, { heartbeatMs: 200, leaseTtlMs: 4000, fenceAfterMs: 1000 });
});

test('a bad tag, too many tags or a bad address names the field and its source', async (t) => {
  const dir = await project(t, 'config:\n  node:\n    tags: [gpu, "has space"]\n');
  await assert.rejects(
    loadConfig({ cwd: dir, env: {} }),
    configError((err) => {
      assert.equal(err.path, 'config.node.tags.1');
      assert.equal(err.got, 'has space');
      assert.equal(err.line, 3);
      assert.match(err.expected, /zone=eu-1/);
    }),
  );
  const clean = await project(t);
  await assert.rejects(
    loadConfig({ cwd: clean, env: { NESTOR_NODE_TAGS: 'ok,bad/tag' } }),
    configError((err) => {
      assert.equal(err.source, 'NESTOR_NODE_TAGS');
      assert.equal(err.path, 'node.tags.1');
    }),
  );
  const many = Array.from({ length: 33 }, (_v, i) => `t${i}`);
  await assert.rejects(
    loadConfig({ cwd: clean, env: {}, flags: { node: { tags: many } } }),
    configError((err) => {
      assert.equal(err.source, '--tag');
      assert.equal(err.path, 'node.tags');
      assert.equal(err.expected, 'at most 32 tags');
    }),
  );
  assert.deepEqual((await loadConfig({ cwd: clean, env: {}, flags: { node: { tags: many.slice(0, 32) } } })).nodeTags.length, 32);
  for (const address of ['http://10.0.0.5', '10.0.0.5:8080', 'a b']) {
    await assert.rejects(
      loadConfig({ cwd: clean, env: { NESTOR_NODE_ADDRESS: address } }),
      configError((err) => {
        assert.equal(err.source, 'NESTOR_NODE_ADDRESS');
        assert.equal(err.path, 'node.address');
        assert.match(err.message, /without a port/);
      }),
      address,
    );
  }
  assert.equal((await loadConfig({ cwd: clean, env: { NESTOR_NODE_ADDRESS: 'fe80::1' } })).nodeAddress, 'fe80::1');
  await assert.rejects(
    loadConfig({ cwd: clean, env: { NESTOR_NODE: 'my.node' } }),
    configError((err) => assert.equal(err.path, 'node')),
  );
});

test('timings out of step are refused, naming the field and why', async (t) => {
  const dir = await project(t);
  await assert.rejects(
    loadConfig({ cwd: dir, env: { NESTOR_FENCE_AFTER_MS: '4500' } }),
    configError((err) => {
      assert.equal(err.path, 'membership.leaseTtlMs');
      assert.match(err.expected, /membership\.fenceAfterMs \+ 1000 \(5500\): fencing must complete before the lease can expire/);
    }),
  );
  await assert.rejects(
    loadConfig({ cwd: dir, env: { NESTOR_HEARTBEAT_MS: '2000' } }),
    configError((err) => {
      assert.equal(err.path, 'membership.fenceAfterMs');
      assert.match(err.expected, /twice membership\.heartbeatMs \(4000\)/);
    }),
  );
  await assert.rejects(
    loadConfig({ cwd: dir, env: {}, flags: { membership: { heartbeatMs: 20 } } }),
    configError((err) => assert.equal(err.path, 'membership.heartbeatMs')),
  );
  await assert.rejects(
    loadConfig({ cwd: dir, env: { NESTOR_HEARTBEAT_MS: '5' } }),
    configError((err) => {
      assert.equal(err.source, 'NESTOR_HEARTBEAT_MS');
      assert.equal(err.path, 'membership.heartbeatMs');
    }),
  );
  const onEdge = { heartbeatMs: 50, fenceAfterMs: 100, leaseTtlMs: 1100 };
  assert.deepEqual((await loadConfig({ cwd: dir, env: {}, flags: { membership: onEdge } })).membership, onEdge);
});

test('test mode allows short timings', async (t) => {
  const dir = await project(t);
  const short = { heartbeatMs: 20, fenceAfterMs: 50, leaseTtlMs: 150 };
  const c = await loadConfig({ cwd: dir, env: {}, test: true, flags: { membership: short } });
  assert.deepEqual(c.membership, short);
  await assert.rejects(
    loadConfig({ cwd: dir, env: {}, test: true, flags: { membership: { ...short, leaseTtlMs: 100 } } }),
    configError((err) => assert.equal(err.path, 'membership.leaseTtlMs')),
  );
  await assert.rejects(loadConfig({ cwd: dir, env: {}, flags: { membership: short } }), ConfigError);
});

test('with cluster routes, replicas default to one per server up to three; a given count wins', async (t) => {
  const dir = await project(t);
  const cluster = (routes: string[]) => ({ nats: { cluster: { name: 'c1', port: 6333, routes } } });
  const r1 = 'nats://10.0.0.2:6222';
  const r2 = 'nats://10.0.0.3:6222';
  const r3 = 'nats://10.0.0.4:6222';
  assert.equal((await loadConfig({ cwd: dir, env: {}, flags: cluster([r1, r2]) })).events.replicas, 3);
  assert.equal((await loadConfig({ cwd: dir, env: {}, flags: cluster([r1]) })).events.replicas, 2);
  assert.equal((await loadConfig({ cwd: dir, env: {}, flags: cluster([r1, r2, r3]) })).events.replicas, 3);
  assert.equal((await loadConfig({ cwd: dir, env: {}, flags: cluster([]) })).events.replicas, 1, 'a cluster without routes is one server so far');
  assert.equal((await loadConfig({ cwd: dir, env: { NESTOR_EVENTS_REPLICAS: '1' }, flags: cluster([r1, r2]) })).events.replicas, 1);
  const inFile = await project(t, 'config:\n  events:\n    replicas: 2\n');
  assert.equal((await loadConfig({ cwd: inFile, env: {}, flags: cluster([r1, r2]) })).events.replicas, 2);
  await assert.rejects(
    loadConfig({ cwd: dir, env: { NESTOR_EVENTS_REPLICAS: '3' } }),
    configError((err) => assert.equal(err.path, 'events.replicas')),
  );
});

test('--join adds routes and names the cluster "nestor" on 6222 unless a layer says otherwise', async (t) => {
  const dir = await project(t);
  const c = await loadConfig({ cwd: dir, env: {}, join: ['nats://10.0.0.2:6222'] });
  assert.deepEqual(c.nats.cluster, { name: 'nestor', host: '127.0.0.1', port: 6222, routes: ['nats://10.0.0.2:6222'] });
  assert.equal(c.events.replicas, 2);
  assert.equal(c.nodeAddress, defaultNodeAddress(true, networkInterfaces(), hostname()));

  const named = await project(t, 'config:\n  nats:\n    cluster:\n      name: prod\n      routes: [nats://10.0.0.9:6222]\n');
  const merged = await loadConfig({ cwd: named, env: { NESTOR_CLUSTER_PORT: '7222' }, join: ['nats://10.0.0.2:6222', 'nats://10.0.0.9:6222'] });
  assert.deepEqual(merged.nats.cluster, { name: 'prod', host: '127.0.0.1', port: 7222, routes: ['nats://10.0.0.9:6222', 'nats://10.0.0.2:6222'] });
  assert.equal(merged.events.replicas, 3);

  await assert.rejects(
    loadConfig({ cwd: dir, env: {}, join: [''] }),
    configError((err) => {
      assert.equal(err.source, '--join');
      assert.equal(err.path, 'nats.cluster.routes.0');
    }),
  );
  await assert.rejects(
    loadConfig({ cwd: dir, env: { NESTOR_NATS_URLS: 'nats://10.0.0.1:4222' }, join: ['nats://10.0.0.2:6222'] }),
    configError((err) => assert.equal(err.path, 'nats.cluster')),
  );
});

test('a clustered node defaults to its first external IPv4 address, else its host name', () => {
  const lo = { address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' } as const;
  const v6 = { address: 'fe80::1', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:00:00:00:00:01', internal: false, cidr: 'fe80::1/64', scopeid: 2 } as const;
  const eth = { address: '10.0.0.5', netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr: '10.0.0.5/24' } as const;
  assert.equal(defaultNodeAddress(false, { eth0: [eth] }, 'box'), '127.0.0.1');
  assert.equal(defaultNodeAddress(true, { lo: [lo], eth0: [v6, eth] }, 'box'), '10.0.0.5');
  assert.equal(defaultNodeAddress(true, { lo: [lo], eth0: [v6] }, 'box'), 'box');
});
