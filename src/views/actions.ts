// The commands a person can give a service and the keys that give them. The dashboard's buttons
// and help and the TUI's key bar read this one list, so a key never means two things.
import type { CommandVerb } from '../events/index.ts';
import type { ServiceState } from '../state/index.ts';
import type { NodeRow } from './nodes.ts';

/** A command a person can give a service from either UI, with its key in the TUI. */
export interface ServiceAction {
  verb: Extract<CommandVerb, 'enable' | 'disable' | 'restart' | 'forget'>;
  key: string;
  label: string;
}

/** The actions both UIs offer, in display order. */
export const SERVICE_ACTIONS: readonly ServiceAction[] = [
  { verb: 'enable', key: 'e', label: 'Enable' },
  { verb: 'disable', key: 'd', label: 'Disable' },
  { verb: 'restart', key: 'r', label: 'Restart' },
  { verb: 'forget', key: 'x', label: 'Forget' },
];

// A service can be forgotten once it has no process and nothing will start it again by itself.
const FORGETTABLE: ReadonlySet<ServiceState['state']> = new Set(['stopped', 'completed', 'failed', 'disabled']);

/** Keys of the TUI besides the actions; the web page lists the same in its help. */
export const NAVIGATION_KEYS: readonly { key: string; label: string }[] = [
  { key: '↑/↓ j/k', label: 'select a service' },
  { key: 'l', label: 'show or hide log events in the feeds' },
  { key: 'a', label: "the log pane: every service's log, interleaved by time, or the selected one's" },
  { key: 'n', label: 'show or hide the nodes (j/k then select a node)' },
  { key: 'R', label: 'the runs (long jobs): j/k select, p r t u pause, resume, terminate, tune' },
  { key: '?', label: 'show or hide help' },
  { key: 'q', label: 'quit' },
];

/** Which actions make sense now: enable a disabled service, disable or restart an enabled one, forget one at rest. */
export function availableActions(service: Pick<ServiceState, 'enabled' | 'state'>): ServiceAction['verb'][] {
  const forget: ServiceAction['verb'][] = FORGETTABLE.has(service.state) ? ['forget'] : [];
  if (!service.enabled) return ['enable', ...forget];
  return service.state === 'starting' ? ['disable'] : ['disable', 'restart', ...forget];
}

/** A request a person can send a node from either UI, with its key in the TUI's nodes pane. */
export interface NodeUiAction {
  action: 'drain' | 'undrain';
  key: string;
  label: string;
}

/** The node actions both UIs offer, in display order. */
export const NODE_UI_ACTIONS: readonly NodeUiAction[] = [
  { action: 'drain', key: 'd', label: 'Drain' },
  { action: 'undrain', key: 'u', label: 'Undrain' },
];

/** Which node actions make sense now: drain a live node, undrain a draining one. */
export function availableNodeActions(node: Pick<NodeRow, 'state'>): NodeUiAction['action'][] {
  if (node.state === 'draining') return ['undrain'];
  return node.state === 'alive' || node.state === 'suspect' ? ['drain'] : [];
}
