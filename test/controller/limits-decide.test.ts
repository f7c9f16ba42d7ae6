// The two new ways a process is stopped for a restart, as decide() sees them: a log readiness
// probe that missed its deadline, and a memory limit exceeded. Both follow the liveness path;
// a failing readiness probe of another type still changes nothing but the health.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, initialControllerState } from '../../src/controller/core/index.ts';
import type { ControllerState, Effect, Input } from '../../src/controller/core/index.ts';
import { validateService } from '../../src/spec/index.ts';
import type { ServiceSpec } from '../../src/spec/index.ts';

function spec(raw: Record<string, unknown>): ServiceSpec {
  const r = validateService('api', { process: { command: 'node' }, backoff: '100ms', ...raw });
  assert.ok(r.ok);
  return r.spec;
}

class Run {
  state: ControllerState = initialControllerState();
  feed(...inputs: Input[]): Effect[] {
    const out: Effect[] = [];
    for (const input of inputs) {
      const d = decide(this.state, input, { nowMs: 0, jitter: 0.5 });
      this.state = d.next;
      out.push(...d.effects);
    }
    return out;
  }
  start(s: ServiceSpec, pid: number): void {
    this.feed({ kind: 'registered', spec: s, specVersion: 1, specHash: 'h', enabled: true, ignoreDependencies: false });
    this.feed({ kind: 'started', service: 'api', pid, attempt: 0, ports: {}, command: 'node', args: [] });
  }
}

const published = (effects: Effect[]): string[] => effects.flatMap((e) => (e.kind === 'publish' ? [e.type] : []));
const health = (pid: number, probe: 'readiness' | 'liveness'): Input => ({
  kind: 'health', service: 'api', pid, probe, status: 'failing', consecutiveFailures: 1, latencyMs: null, detail: 'x',
});
const exited = (pid: number): Input => ({ kind: 'exited', service: 'api', pid, code: null, signal: 'SIGTERM', runtimeMs: 10 });
function reasonOf(effects: Effect[], type: 'orchestrator.service.stop' | 'orchestrator.service.restart.scheduled'): string | undefined {
  const e = effects.find((x) => x.kind === 'publish' && x.type === type);
  return e?.kind === 'publish' ? (e.data as { reason: string }).reason : undefined;
}

test('a log readiness probe failing at its deadline stops the process; its exit restarts it', () => {
  const run = new Run();
  run.start(spec({ health: { type: 'log', pattern: 'up' } }), 10);
  const stop = run.feed(health(10, 'readiness'));
  assert.deepEqual(published(stop), ['orchestrator.service.health', 'orchestrator.service.stop']);
  assert.equal(reasonOf(stop, 'orchestrator.service.stop'), 'readiness');
  const after = run.feed(exited(10));
  assert.equal(reasonOf(after, 'orchestrator.service.restart.scheduled'), 'readiness log line not seen');
});

test('other failing readiness probes only report their health', () => {
  const run = new Run();
  run.start(spec({ ports: { primary: { port: 4100 } }, health: { type: 'tcp' } }), 10);
  assert.deepEqual(published(run.feed(health(10, 'readiness'))), ['orchestrator.service.health']);
  assert.equal(run.state.services['api']?.phase, 'running');
});

test('memory exceeded stops the current process with the facts, and only the current one', () => {
  const run = new Run();
  run.start(spec({ limits: { memory: '80MB' } }), 10);
  assert.deepEqual(run.feed({ kind: 'memoryExceeded', service: 'api', pid: 9, limitBytes: 1, rssBytes: 2 }), [], 'a stale pid changes nothing');
  const stop = run.feed({ kind: 'memoryExceeded', service: 'api', pid: 10, limitBytes: 80 * 1024 ** 2, rssBytes: 150 * 1024 ** 2 });
  assert.deepEqual(published(stop), ['orchestrator.service.memory.exceeded', 'orchestrator.service.stop']);
  const fact = stop[0];
  assert.ok(fact?.kind === 'publish');
  assert.deepEqual(fact.data, { service: 'api', pid: 10, limitBytes: 80 * 1024 ** 2, rssBytes: 150 * 1024 ** 2 });
  assert.equal(reasonOf(stop, 'orchestrator.service.stop'), 'memory');
  assert.deepEqual(run.feed({ kind: 'memoryExceeded', service: 'api', pid: 10, limitBytes: 1, rssBytes: 2 }), [], 'already stopping');
  const after = run.feed(exited(10));
  assert.equal(reasonOf(after, 'orchestrator.service.restart.scheduled'), 'memory limit exceeded');
  // The reason does not stick: a later liveness failure says so again.
  run.feed({ kind: 'started', service: 'api', pid: 11, attempt: 1, ports: {}, command: 'node', args: [] });
  run.feed(health(11, 'liveness'));
  assert.equal(reasonOf(run.feed(exited(11)), 'orchestrator.service.restart.scheduled'), 'liveness probe failed');
});
