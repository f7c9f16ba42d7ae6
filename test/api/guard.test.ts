// The guard's address rules for listen addresses a test node does not use: every interface
// (any IP and the machine's name, never a foreign name), IPv6 loopback, one named interface.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { HttpError } from '../../src/api/index.ts';
import { RequestGuard } from '../../src/api/guard.ts';

function req(method: string, headers: Record<string, string>): IncomingMessage {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { method, headers: lower } as unknown as IncomingMessage;
}

function status(fn: () => void): number {
  try {
    fn();
    return 200;
  } catch (err) {
    if (err instanceof HttpError) return err.status;
    throw err;
  }
}

test('listening on every interface: loopback names, the machine name and IP literals, not other names', () => {
  const g = new RequestGuard({ host: '0.0.0.0', port: 4000, machineName: 'Build-01' });
  for (const host of ['127.0.0.1:4000', 'localhost:4000', '[::1]:4000', 'build-01:4000', '192.168.1.20:4000', '0.0.0.0:4000', '[fe80::1]:4000', '10.0.0.5']) {
    assert.equal(status(() => g.checkHost(req('GET', { Host: host }))), 200, host);
  }
  for (const host of ['evil.example:4000', 'build-01.evil.example:4000', '192.168.1.20.evil.example', '[not-v6]:4000', '']) {
    assert.equal(status(() => g.checkHost(req('GET', { Host: host }))), 421, host);
  }
  // A page of the machine's address is the API's own origin; one elsewhere is not.
  assert.equal(status(() => g.checkOrigin(req('POST', { Host: '192.168.1.20:4000', Origin: 'http://192.168.1.20:4000' }))), 200);
  assert.equal(status(() => g.checkOrigin(req('POST', { Host: '192.168.1.20:4000', Origin: 'http://192.168.1.20:8080' }))), 403);
});

test('listening on IPv6 loopback or on one named interface', () => {
  const v6 = new RequestGuard({ host: '::1', port: 4000 });
  assert.equal(status(() => v6.checkHost(req('GET', { Host: '[::1]:4000' }))), 200);
  assert.equal(status(() => v6.checkHost(req('GET', { Host: 'localhost:4000' }))), 200);
  assert.equal(status(() => v6.checkHost(req('GET', { Host: '10.0.0.5:4000' }))), 421, 'an IP is only any IP on every interface');
  const named = new RequestGuard({ host: 'nestor.lan', port: 4000, allowedHosts: ['ops.example.com'] });
  assert.equal(status(() => named.checkHost(req('GET', { Host: 'nestor.lan:4000' }))), 200);
  assert.equal(status(() => named.checkHost(req('GET', { Host: 'ops.example.com' }))), 200);
  assert.equal(status(() => named.checkHost(req('GET', { Host: 'localhost:4000' }))), 421);
  assert.equal(status(() => named.checkOrigin(req('POST', { Host: 'nestor.lan:4000', Origin: 'http://nestor.lan:4000' }))), 200);
  assert.equal(status(() => named.checkOrigin(req('POST', { Host: 'nestor.lan:4000', Origin: 'https://ops.example.com' }))), 200);
});

test('reads are never refused for their Origin; other methods are', () => {
  const g = new RequestGuard({ host: '127.0.0.1', port: 4000 });
  const evil = { Host: '127.0.0.1:4000', Origin: 'http://evil.example', 'Sec-Fetch-Site': 'cross-site' };
  for (const method of ['GET', 'HEAD', 'OPTIONS']) assert.equal(status(() => g.checkOrigin(req(method, evil))), 200, method);
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) assert.equal(status(() => g.checkOrigin(req(method, evil))), 403, method);
  assert.equal(status(() => g.checkOrigin(req('POST', { Host: '127.0.0.1:4000', Origin: 'http://127.0.0.1:4000/path' }))), 403, 'an Origin has no path');
  assert.equal(status(() => g.checkOrigin(req('POST', { Host: '127.0.0.1:4000', Origin: 'ftp://127.0.0.1:4000' }))), 403);
  assert.equal(status(() => g.checkContentType(req('PUT', { 'Transfer-Encoding': 'chunked', 'Content-Type': 'multipart/form-data; boundary=x' }))), 415);
  assert.equal(status(() => g.checkContentType(req('POST', { 'Content-Length': '0', 'Content-Type': 'text/plain' }))), 200, 'no body, nothing to misread');
});
