// The event contract: encode/decode round trips, skip reasons, subject layout and filters, ids.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  ALL_EVENTS,
  ENVELOPE_VERSION,
  EVENT_TYPES,
  countDecoded,
  decode,
  emptyDecodeStats,
  encode,
  makeEventId,
  nodeFilter,
  serviceFilter,
  subjectFor,
  typeFilter,
  validatePayload,
} from '../../src/events/index.ts';
import type { NestorEvent } from '../../src/events/index.ts';
import { sampleEvent } from '../events/samples.ts';

/** NATS subject matching: `*` is one token, `>` one or more trailing tokens. */
function matches(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return s.length > i;
    if (i >= s.length) return false;
    if (f[i] !== '*' && f[i] !== s[i]) return false;
  }
  return f.length === s.length;
}

const samples: NestorEvent[] = EVENT_TYPES.map((type) => sampleEvent(type));

function decodeOk(input: unknown): NestorEvent {
  const res = decode(input);
  assert.ok(res.ok, `expected to decode, got ${res.ok ? '' : `${res.reason}: ${res.detail}`}`);
  return res.event;
}

test('the NATS matcher used below behaves like the server', () => {
  assert.ok(matches('a.*.c', 'a.b.c'));
  assert.ok(!matches('a.*.c', 'a.b.c.d'));
  assert.ok(matches('a.>', 'a.b.c'));
  assert.ok(!matches('a.>', 'a'));
  assert.ok(!matches('a.b', 'a'));
});

test('every event type survives encode then decode unchanged', () => {
  for (const event of samples) {
    assert.deepEqual(decodeOk(encode(event)), event, event.type);
    assert.deepEqual(decodeOk(JSON.stringify(event)), event, `${event.type} from a string`);
  }
});

test('unknown fields in the envelope and the payload are tolerated', () => {
  const event = sampleEvent('orchestrator.service.start');
  const raw = { ...event, traceId: 'abc', data: { ...event.data, cgroup: '/nestor/api' } };
  const decoded = decodeOk(JSON.stringify(raw));
  assert.equal(decoded.type, 'orchestrator.service.start');
  assert.deepEqual(
    { ...decoded.data, cgroup: undefined },
    { ...event.data, cgroup: undefined },
    'known fields decode as sent',
  );
});

test('a registered spec decodes with every key it was sent with, __proto__ included, so the validator judges what the client sent', () => {
  const event = sampleEvent('orchestrator.service.register');
  const json = JSON.stringify(event).replace('"spec":{', '"spec":{"__proto__":[],');
  const decoded = decodeOk(json);
  assert.equal(decoded.type, 'orchestrator.service.register');
  const spec = (decoded.data as { spec: Record<string, unknown> }).spec;
  assert.ok(Object.hasOwn(spec, '__proto__'), 'the __proto__ key is still an own key');
  assert.deepEqual(Object.getPrototypeOf(spec), Object.prototype, 'and did not become the prototype');
});

test('a newer major version is skipped with reason "version"; a minor-looking version is not', () => {
  const event = sampleEvent('orchestrator.service.ready');
  const res = decode(JSON.stringify({ ...event, version: ENVELOPE_VERSION + 1 }));
  assert.equal(res.ok, false);
  assert.equal(!res.ok && res.reason, 'version');
  assert.ok(decode(JSON.stringify({ ...event, version: ENVELOPE_VERSION + 0.5 })).ok);
});

test('invalid JSON is skipped with reason "json"', () => {
  const res = decode('{"version":1,"id":');
  assert.equal(!res.ok && res.reason, 'json');
  const bytes = decode(new TextEncoder().encode('not json'));
  assert.equal(!bytes.ok && bytes.reason, 'json');
});

test('a missing envelope field is skipped with reason "envelope" naming it', () => {
  const { origin: _origin, ...rest } = sampleEvent('orchestrator.service.ready');
  const res = decode(JSON.stringify(rest));
  assert.equal(!res.ok && res.reason, 'envelope');
  assert.match(!res.ok ? res.detail : '', /origin/);
});

test('an unknown type is skipped with reason "type"', () => {
  const res = decode(JSON.stringify({ ...sampleEvent('orchestrator.service.ready'), type: 'orchestrator.service.teleported' }));
  assert.equal(!res.ok && res.reason, 'type');
  assert.match(!res.ok ? res.detail : '', /teleported/);
});

test('a bad payload is skipped with reason "payload" naming the type and the field', () => {
  const event = sampleEvent('orchestrator.service.start');
  const res = decode(JSON.stringify({ ...event, data: { ...event.data, pid: 'x' } }));
  assert.equal(!res.ok && res.reason, 'payload');
  assert.match(!res.ok ? res.detail : '', /^orchestrator\.service\.start: pid: /);
  const badId = decode(JSON.stringify({ ...event, data: { ...event.data, service: 'a.b' } }));
  assert.match(!badId.ok ? badId.detail : '', /service: /, 'a dotted id would break subjects');
  assert.deepEqual(validatePayload('orchestrator.service.start', { ...event.data, attempt: -1 }).length, 1);
  assert.deepEqual(validatePayload('orchestrator.service.start', event.data), []);
});

test('decode outcomes are counted by reason', () => {
  const stats = emptyDecodeStats();
  countDecoded(stats, decode(encode(samples[0] as NestorEvent)));
  countDecoded(stats, decode('{'));
  countDecoded(stats, decode('{'));
  assert.deepEqual(stats, { decoded: 1, skipped: { json: 2, envelope: 0, version: 0, type: 0, payload: 0 } });
});

test('subjectFor puts the node and the service at fixed positions, and the type is recoverable', () => {
  for (const event of samples) {
    const subject = subjectFor(event);
    const tokens = subject.split('.');
    const [root, family, ...tail] = event.type.split('.');
    assert.equal(tokens[0], root);
    assert.equal(tokens[1], family);
    assert.equal(tokens[2], 'n1', `${subject}: node at position 2`);
    if (family === 'service' || family === 'command') {
      assert.equal(tokens[3], 'api', `${subject}: service at position 3`);
      assert.deepEqual(tokens.slice(4), tail);
    } else if (family === 'run') {
      assert.equal(tokens[3], 'r-1', `${subject}: run id at position 3`);
      assert.deepEqual(tokens.slice(4), tail);
    } else {
      assert.deepEqual(tokens.slice(3), tail);
    }
    assert.ok(matches(ALL_EVENTS, subject));
  }
  assert.equal(subjectFor(sampleEvent('orchestrator.service.start.failed')), 'orchestrator.service.n1.api.start.failed');
  assert.equal(subjectFor(sampleEvent('orchestrator.command.restart')), 'orchestrator.command.n1.api.restart');
  assert.equal(subjectFor(sampleEvent('orchestrator.node.up')), 'orchestrator.node.n1.up');
  assert.equal(subjectFor(sampleEvent('orchestrator.run.command.sent')), 'orchestrator.run.n1.r-1.command.sent');
});

test('serviceFilter selects exactly the events about that service', () => {
  const events = [
    ...samples,
    sampleEvent('orchestrator.service.start', { service: 'worker' }),
    sampleEvent('orchestrator.service.start', {}, 0, 'n2'),
  ];
  for (const event of events) {
    const about = 'service' in event.data ? event.data.service : null;
    const subject = subjectFor(event);
    assert.equal(matches(serviceFilter('api'), subject), about === 'api', subject);
    assert.equal(matches(serviceFilter('api', 'n2'), subject), about === 'api' && event.origin.node === 'n2', subject);
  }
  // A service named like a node-event tail must not pick up node events.
  for (const name of ['up', 'down', 'broker', 'saved']) {
    for (const event of samples.filter((e) => !('service' in e.data))) {
      assert.ok(!matches(serviceFilter(name), subjectFor(event)), `${name} vs ${event.type}`);
    }
  }
});

test('nodeFilter selects exactly the events of that node', () => {
  const onN2 = EVENT_TYPES.map((t) => sampleEvent(t, 'service' in sampleEvent(t).data ? {} : { node: 'n2' }, 0, 'n2'));
  const events = [...samples, ...onN2];
  for (const event of events) {
    const subject = subjectFor(event);
    assert.equal(matches(nodeFilter('n1'), subject), event.origin.node === 'n1', subject);
    assert.equal(matches(nodeFilter('n2'), subject), event.origin.node === 'n2', subject);
  }
});

test('typeFilter selects exactly one type, on any node and service', () => {
  for (const type of EVENT_TYPES) {
    for (const event of samples) {
      assert.equal(matches(typeFilter(type), subjectFor(event)), event.type === type, `${type} vs ${event.type}`);
    }
    const elsewhere = sampleEvent(type, type.includes('.service.') || type.includes('.command.') ? { service: 'db' } : {}, 0, 'n9');
    assert.ok(matches(typeFilter(type), subjectFor(elsewhere)), `${type} on another node/service`);
  }
});

test('makeEventId sorts by time and is unique', () => {
  const ids: { ms: number; id: string }[] = [];
  for (let i = 0; i < 2000; i++) {
    const ms = 1_700_000_000_000 + Math.floor(i / 4) * 7;
    ids.push({ ms, id: makeEventId(ms, randomBytes(10)) });
  }
  assert.equal(new Set(ids.map((x) => x.id)).size, ids.length, 'unique');
  for (const { id } of ids) assert.match(id, /^[0-9A-HJKMNP-TV-Z]{26}$/);
  for (let i = 1; i < ids.length; i++) {
    const a = ids[i - 1] as { ms: number; id: string };
    const b = ids[i] as { ms: number; id: string };
    if (a.ms < b.ms) assert.ok(a.id < b.id, `${a.id} < ${b.id}`);
  }
  assert.ok(makeEventId(1, new Uint8Array(10).fill(255)) < makeEventId(2, new Uint8Array(10)), 'time dominates randomness');
  assert.throws(() => makeEventId(1, new Uint8Array(9)), RangeError);
});
