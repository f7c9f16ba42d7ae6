// The controller shell hands each model over to the next decision (ctx.handOver), which then
// edits the services map in place. Every decision must come out exactly as the pure one does,
// and a decision without handOver must leave its input untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, initialControllerState } from '../../src/controller/core/index.ts';
import type { ControllerState, Effect, Input } from '../../src/controller/core/index.ts';
import type { ServiceSpec } from '../../src/spec/index.ts';
import { spec } from './specs.ts';

const registered = (s: ServiceSpec): Input => ({ kind: 'registered', spec: s, specVersion: 1, specHash: JSON.stringify(s), enabled: true, ignoreDependencies: false });
const started = (service: string, pid: number): Input => ({ kind: 'started', service, pid, attempt: 1, ports: {}, command: 'node', args: [] });
const ready = (service: string, pid: number): Input => ({ kind: 'ready', service, pid, ports: {}, elapsedMs: 1, probe: 'tcp' });
const health = (service: string, pid: number, status: 'passing' | 'failing'): Input => ({ kind: 'health', service, pid, probe: 'liveness', status, consecutiveFailures: status === 'failing' ? 1 : 0, latencyMs: null, detail: '' });
const exited = (service: string, pid: number): Input => ({ kind: 'exited', service, pid, code: null, signal: 'SIGTERM', runtimeMs: 10 });

// A base with dependents, a scaled service, a liveness failure, a release and a shutdown: every
// path that copies, adds or removes a record.
const base = spec('base');
const inputs: Input[] = [
  registered(base),
  registered(spec('web', { dependencies: [{ id: 'base', condition: 'ready' }] })),
  registered(spec('api', { dependencies: [{ id: 'base', condition: 'started' }] })),
  { ...registered(spec('worker', { replicas: 2 })), instance: 1 } as Input,
  { ...registered(spec('worker', { replicas: 2 })), instance: 2 } as Input,
  started('base', 10),
  started('api', 11),
  ready('base', 10),
  started('web', 12),
  started('worker', 13),
  started('worker@2', 14),
  health('web', 12, 'passing'),
  health('web', 99, 'failing'),
  health('api', 11, 'failing'),
  exited('api', 11),
  started('api', 15),
  { kind: 'release', service: 'worker@2', reason: 'scaled down', retire: true },
  exited('worker@2', 14),
  { kind: 'shutdown' },
  exited('web', 12),
  exited('api', 15),
  exited('worker', 13),
  exited('base', 10),
];

test('a decision editing the handed-over model comes out as the pure decision, input by input', () => {
  let pure: ControllerState = initialControllerState();
  let handed: ControllerState = initialControllerState();
  const pureEffects: Effect[][] = [];
  for (const [i, input] of inputs.entries()) {
    const before = structuredClone(pure);
    const p = decide(pure, input, { nowMs: i, jitter: 0.5 });
    assert.deepEqual(pure, before, `input ${i} (${input.kind}) left the pure input as it was`);
    const h = decide(handed, input, { nowMs: i, jitter: 0.5, handOver: true });
    assert.deepEqual(h.next, p.next, `input ${i} (${input.kind}): same model`);
    assert.deepEqual(h.effects, p.effects, `input ${i} (${input.kind}): same effects`);
    pure = p.next;
    handed = h.next;
    pureEffects.push(p.effects);
  }
  assert.equal(handed.shutdown, 'done');
  assert.deepEqual(Object.keys(handed.services).sort(), ['api', 'base', 'web', 'worker']);
  assert.ok(pureEffects.flat().some((e) => e.kind === 'shutdownComplete'));
});
