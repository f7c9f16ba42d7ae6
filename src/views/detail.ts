// The detail pane of both UIs: one labelled fact per line, and the health badge the service
// table shows too, so both renderers use the same words for the same facts.
import type { ServiceState } from '../state/index.ts';
import type { ServiceDetail } from './rows.ts';
import type { Tone } from './tone.ts';

/** A health badge: both probes folded into one word. */
export interface HealthView {
  text: string;
  tone: Tone;
}

/** The health column: failing liveness wins, then readiness, then "healthy"; '-' before any probe reported. */
export function selectHealth(health: ServiceState['health']): HealthView {
  if (health.liveness === 'failing') return { text: 'unhealthy', tone: 'error' };
  if (health.readiness === 'failing') return { text: 'not ready', tone: 'warn' };
  if (health.readiness === 'passing' || health.liveness === 'passing') return { text: 'healthy', tone: 'ok' };
  return { text: '-', tone: 'muted' };
}

/** One labelled fact of the detail pane. */
export interface DetailField {
  label: string;
  value: string;
}

/** The facts of the detail pane, in order, as text. */
export function detailFields(d: ServiceDetail): DetailField[] {
  const exit = d.lastExit === null ? '-' : `${d.lastExit.code !== null ? `code ${d.lastExit.code}` : `signal ${d.lastExit.signal ?? '?'}`} at ${d.lastExit.at}`;
  const fields: DetailField[] = [
    { label: 'State', value: d.state },
    { label: 'Enabled', value: d.enabled ? 'yes' : 'no' },
    { label: 'PID', value: d.pid === null ? '-' : String(d.pid) },
    { label: 'Ports', value: d.portList.length === 0 ? '-' : d.portList.join(' ') },
    { label: 'Restarts', value: d.restartsTotal > d.restarts ? `${d.restarts} this run (${d.restartsTotal} in all)` : String(d.restarts) },
    { label: 'Uptime', value: d.uptime },
    { label: 'Health', value: selectHealth(d.health).text },
    { label: 'Node', value: d.node },
    { label: 'Kind', value: d.kind },
    { label: 'Depends on', value: d.dependencies.length === 0 ? '-' : d.dependencies.map((x) => `${x.id} (${x.condition})`).join(', ') },
    { label: 'Waiting for', value: d.blocked ?? (d.waitingFor.length === 0 ? '-' : d.waitingFor.join(', ')) },
    { label: 'Last exit', value: exit },
    { label: 'Last error', value: d.lastError ?? '-' },
    { label: 'Next restart', value: d.nextRestartAt ?? '-' },
    { label: 'Log', value: `${d.log.lines} lines, ${d.log.bytes} bytes` },
  ];
  // Only scheduled services have the line, so the pane of every other service keeps its height;
  // right under the state, where a short terminal still shows it.
  if (d.schedule !== null) fields.splice(1, 0, { label: 'Schedule', value: `${d.schedule}, ${d.nextRun ?? 'no next run'}` });
  return fields;
}
