// Facts about resource limits: they change no lifecycle state (the stop that follows does), but
// the reason a service is being restarted stays visible until it is ready again.
import type { ServiceMemoryExceeded } from '../events/index.ts';
import { cloneService } from './clone.ts';
import type { ServiceState } from './types.ts';

const WITH_PROCESS = new Set<ServiceState['state']>(['running', 'ready', 'stopping']);

/** `memory.exceeded` for the current process: recorded as the last error; null when stale. */
export function memoryExceeded(s: ServiceState, e: ServiceMemoryExceeded): ServiceState | null {
  if (!WITH_PROCESS.has(s.state) || s.pid !== e.data.pid) return null;
  const n = cloneService(s);
  n.lastError = `memory ${mib(e.data.rssBytes)} above the limit of ${mib(e.data.limitBytes)}`;
  return n;
}

function mib(bytes: number): string {
  return `${Math.round(bytes / 1024 ** 2)}MiB`;
}
