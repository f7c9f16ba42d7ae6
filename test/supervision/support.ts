// Shared pieces of the supervision tests: the real demo specs with random ports and fast
// probes, so tests never collide with a `nestor up` on 7101/7102 and never wait on 1 s probes.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

type Spec = Record<string, unknown>;

/** A demo service's own service.json, with random ports, 100 ms probes and extra args. */
export function demo(name: 'alpha' | 'beta', over: { args?: string[]; spec?: Spec; process?: Spec; health?: Spec } = {}): Spec {
  // The key in `services:` names the service; the file's own id would clash when reused.
  const { id: _id, ...spec } = JSON.parse(readFileSync(join(root, 'demo', name, 'service.json'), 'utf8')) as Spec;
  const process = spec.process as Spec;
  const health = spec.health as Spec;
  return {
    ...spec,
    portStrategy: 'random',
    ports: { primary: { port: 0, protocol: 'http' } },
    process: { ...process, args: [...(process.args as string[]), ...(over.args ?? [])], ...over.process },
    health: { ...health, interval: '100ms', timeout: '500ms', ...over.health },
    ...over.spec,
  };
}

/** Restart tuning small enough for tests: 20 ms, doubling, at most 3 restarts. */
export const fastRestarts: Spec = { backoff: { initial: '20ms', multiplier: 2, max: '1s' }, maxRestarts: 3 };

/** True while a process exists and is not a zombie (this machine's init does not reap them). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Pids of every live process in a process group, read from /proc. */
export function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSafe('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
