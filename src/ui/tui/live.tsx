// The live terminal UI: the App fed from a node's HTTP API. It starts from the state snapshot
// (`/api/v1/state`, with its seq), then applies the event stream from seq + 1 (the events just
// before it only fill the feed), reconnecting with Last-Event-ID so that no event is missed or
// applied twice (docs/api.md, *The event stream*). Keys send the same commands as the
// dashboard's buttons, through the same REST route; with the nodes pane open (n), j/k move among
// the nodes and d/u drain or undrain the selected one; with the runs view open (R, runs-view.ts),
// j/k move among the runs and p/r/t/u send them commands through the runs API.
import { useApp, useInput } from 'ink';
import { useEffect, useRef, useState } from 'react';
import type { ReactElement } from 'react';
import type { ApiClient } from '../../api/index.ts';
import type { NestorEvent, Stored } from '../../events/index.ts';
import { emptyState, reduce } from '../../state/index.ts';
import { NODE_UI_ACTIONS, SERVICE_ACTIONS, appendRecent, availableActions, availableNodeActions, initialSelection, selectNodes, selectService, selectServiceRows } from '../../views/index.ts';
import type { State } from '../../state/index.ts';
import type { HeaderView, NodeRow } from '../../views/index.ts';
import { App } from './app.tsx';
import type { TuiView } from './view.ts';
import { useRunsView } from './runs-view.ts';
import { useTerminalSize } from './terminal-size.ts';

/** Props of the live TUI. */
export interface LiveTuiProps {
  client: ApiClient;
  /** Events kept for the feed and the detail pane. */
  recentLimit?: number;
  /** How often /healthz is asked for the broker link (ms). */
  healthEveryMs?: number;
}

const BACKFILL = 50;
/** Lines in the detail pane's log section. */
const LOG_LINES = 8;

/** The key-bar message, and the service whose next `ready` makes it old news. */
type Toast = (NonNullable<TuiView['toast']> & { clearOnReady?: string }) | null;

/** The TUI connected to an API. */
export function LiveTui({ client, recentLimit = 200, healthEveryMs = 2_000 }: LiveTuiProps): ReactElement {
  const { exit } = useApp();
  const size = useTerminalSize();
  const [state, setState] = useState<State>(emptyState);
  const [recent, setRecent] = useState<Stored<NestorEvent>[]>([]);
  const [link, setLink] = useState<TuiView['link']>('connecting');
  const [health, setHealth] = useState<{ node: string; broker: HeaderView['broker']; readOnly: boolean }>({ node: '', broker: 'unknown', readOnly: false });
  const [selected, setSelected] = useState<string | null>(null);
  const [logs, setLogs] = useState<string[]>([]);
  const [help, setHelp] = useState(false);
  const [toast, setToast] = useState<Toast>(null);
  const [showLogs, setShowLogs] = useState(false);
  const [allLogs, setAllLogs] = useState(false);
  const allLogsRef = useRef(false);
  allLogsRef.current = allLogs;
  const [now, setNow] = useState(() => new Date());
  const [logTick, setLogTick] = useState(0);
  const [nodesOpen, setNodesOpen] = useState(false);
  const [nodeRows, setNodeRows] = useState<NodeRow[] | null>(null);
  const [selectedNode, setSelectedNode] = useState<string | null>(null);
  // Key and stream handlers read the latest state through refs: a handler subscribed by an
  // earlier render must not act on the selection or state that render saw.
  const selectedRef = useRef<string | null>(null);
  selectedRef.current = selected;
  const stateRef = useRef<State>(state);
  stateRef.current = state;
  const readOnlyRef = useRef(false);
  readOnlyRef.current = health.readOnly;
  const toastRef = useRef<Toast>(toast);
  toastRef.current = toast;
  const nodesOpenRef = useRef(false);
  nodesOpenRef.current = nodesOpen;
  const selectedNodeRef = useRef<string | null>(null);
  selectedNodeRef.current = selectedNode;
  // The API's rows carry the membership's judgement; the events alone stand in until they come.
  const shownNodes = nodeRows ?? selectNodes(state, null);
  const nodesRef = useRef<NodeRow[]>(shownNodes);
  nodesRef.current = shownNodes;
  const runsView = useRunsView(client, stateRef, () => readOnlyRef.current, setToast, healthEveryMs);

  // Snapshot, then the live stream.
  useEffect(() => {
    const abort = new AbortController();
    void (async () => {
      let snapshot: State;
      try {
        snapshot = await client.state();
      } catch (err) {
        setToast({ ok: false, text: `cannot reach ${client.url}: ${(err as Error).message}` });
        setLink('reconnecting');
        return;
      }
      setState(snapshot);
      let current = snapshot;
      for await (const item of client.follow({ since: Math.max(0, snapshot.seq - BACKFILL), signal: abort.signal })) {
        if (item.kind === 'link') setLink(item.link);
        if (item.kind !== 'event') continue;
        const e = item.event;
        setRecent((r) => appendRecent(r, e, recentLimit));
        if (e.seq > current.seq) {
          current = reduce(current, e);
          setState(current);
        }
        if (e.type === 'orchestrator.service.log' && (allLogsRef.current || e.data.service === selectedRef.current)) setLogTick((t) => t + 1);
        // "alpha restarting" is true until alpha is ready again; then it would only mislead.
        if (e.type === 'orchestrator.service.ready' && toastRef.current?.clearOnReady === e.data.service) {
          toastRef.current = null;
          setToast(null);
        }
      }
    })();
    return () => abort.abort();
  }, [client, recentLimit]);

  // Broker link and node id, as the API sees them; the clock for uptimes.
  useEffect(() => {
    const poll = async (): Promise<void> => {
      try {
        const res = await fetch(`${client.url}/healthz`, { signal: AbortSignal.timeout(1_500) });
        const body = (await res.json()) as { node: string; broker: HeaderView['broker']; readOnly: boolean };
        setHealth({ node: body.node, broker: body.broker, readOnly: body.readOnly });
      } catch {
        setHealth((h) => ({ ...h, broker: 'unknown' }));
      }
    };
    void poll();
    const timer = setInterval(() => {
      void poll();
      setNow(new Date());
    }, Math.min(healthEveryMs, 1_000));
    return () => clearInterval(timer);
  }, [client, healthEveryMs]);

  // The nodes, asked of the API while their pane is open.
  useEffect(() => {
    if (!nodesOpen) return;
    const poll = (): void => {
      client.nodes().then(setNodeRows, () => setNodeRows(null));
    };
    poll();
    const timer = setInterval(poll, healthEveryMs);
    return () => clearInterval(timer);
  }, [client, nodesOpen, healthEveryMs]);

  // Select a service once there is one: the one that needs a look (the dashboard's rule).
  useEffect(() => {
    if (selected === null || selectService(state, selected) === null) setSelected(initialSelection(state));
  }, [state, selected]);

  useEffect(() => {
    if (selectedNode === null || !shownNodes.some((n) => n.id === selectedNode)) setSelectedNode(shownNodes[0]?.id ?? null);
  }, [shownNodes, selectedNode]);

  // The selected service's log tail, refreshed on its log events.
  useEffect(() => {
    if (selected === null) {
      setLogs([]);
      return;
    }
    const abort = new AbortController();
    if (allLogs) {
      // The last LOG_LINES of each service, merged; the pane shows the newest LOG_LINES of them.
      const width = Math.max(0, ...Object.keys(stateRef.current.services).map((id) => id.length));
      client.allLogs(LOG_LINES, abort.signal).then(
        (lines) => setLogs(lines.slice(-LOG_LINES).map((l) => `${l.service.padEnd(width)} | ${l.level === undefined ? l.text : `${l.level.toUpperCase().padEnd(5)} ${l.message ?? ''}`}`)),
        () => setLogs([]),
      );
    } else {
      client.logs(selected, LOG_LINES, abort.signal).then(setLogs, () => setLogs([]));
    }
    return () => abort.abort();
  }, [client, selected, logTick, allLogs]);

  useInput((input, key) => {
    const state = stateRef.current;
    const selected = selectedRef.current;
    // The tune prompt takes every key; the runs view (R) its own j/k and commands.
    if (runsView.typing()) return runsView.onKey(input, key);
    if (input === 'q') return exit();
    if (input === 'R') return runsView.toggle();
    if (runsView.open()) return runsView.onKey(input, key);
    const rows = selectServiceRows(state, new Date());
    const ids = rows.map((r) => r.id);
    const i = selected === null ? -1 : ids.indexOf(selected);
    if (input === '?') return setHelp((h) => !h);
    if (key.escape) return setHelp(false);
    if (input === 'l') return setShowLogs((s) => !s);
    if (input === 'a') return setAllLogs((s) => !s);
    if (input === 'n') return setNodesOpen((open) => !open);
    if (nodesOpenRef.current) return onNodeKey(input, key);
    const select = (id: string | null): void => {
      selectedRef.current = id;
      setSelected(id);
    };
    if (input === 'j' || key.downArrow) return select(ids[Math.min(ids.length - 1, i + 1)] ?? null);
    if (input === 'k' || key.upArrow) return select(ids[Math.max(0, i - 1)] ?? null);
    const action = SERVICE_ACTIONS.find((a) => a.key === input);
    // A service's row acts on every instance of it, an instance's row on that one (as in the CLI).
    const svc = rows.find((r) => r.id === selected);
    if (action === undefined || svc === undefined) return;
    if (readOnlyRef.current) return setToast({ ok: false, text: 'read-only: this API refuses commands' });
    if (!availableActions(svc).includes(action.verb)) return setToast({ ok: false, text: `${action.label.toLowerCase()} is not available for ${svc.id} (${svc.state})` });
    // A restart or an enable is under way until the service is ready again.
    const clearOnReady = action.verb === 'disable' ? undefined : svc.service;
    client.command(action.verb, svc.id).then(
      ({ body }) => setToast('ok' in body ? { ok: body.ok, text: body.message, ...(body.ok ? { clearOnReady } : {}) } : { ok: false, text: body.error.message }),
      (err: unknown) => setToast({ ok: false, text: (err as Error).message }),
    );
  });

  function onNodeKey(input: string, key: { downArrow: boolean; upArrow: boolean }): void {
    const nodes = nodesRef.current;
    const ids = nodes.map((n) => n.id);
    const i = selectedNodeRef.current === null ? -1 : ids.indexOf(selectedNodeRef.current);
    const select = (id: string | null): void => {
      selectedNodeRef.current = id;
      setSelectedNode(id);
    };
    if (input === 'j' || key.downArrow) return select(ids[Math.min(ids.length - 1, i + 1)] ?? null);
    if (input === 'k' || key.upArrow) return select(ids[Math.max(0, i - 1)] ?? null);
    const action = NODE_UI_ACTIONS.find((a) => a.key === input);
    const node = nodes[i];
    if (action === undefined || node === undefined) return;
    if (readOnlyRef.current) return setToast({ ok: false, text: 'read-only: this API refuses node requests' });
    if (!availableNodeActions(node).includes(action.action)) return setToast({ ok: false, text: `${action.label.toLowerCase()} is not available for ${node.id} (${node.state})` });
    client.nodeAction(node.id, action.action).then(
      ({ body }) => setToast({ ok: body.ok, text: body.message ?? body.error?.message ?? `${action.action} ${node.id}` }),
      (err: unknown) => setToast({ ok: false, text: (err as Error).message }),
    );
  }

  const view: TuiView = {
    state,
    recent,
    node: health.node,
    broker: health.broker,
    link,
    selected,
    logs,
    help,
    toast,
    now,
    columns: size.columns,
    rows: size.rows,
    readOnly: health.readOnly,
    showLogs,
    allLogs,
    nodes: nodesOpen ? { rows: shownNodes, selected: selectedNode } : null,
    runs: runsView.view,
  };
  return <App view={view} />;
}
