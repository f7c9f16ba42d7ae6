// The TUI's runs view as a hook of the live TUI: whether it is open (key R), the selected run,
// its registry record (asked of the API while the view is open, for its transitions and
// commands), the tune prompt, and the keys: j/k select, p/r/t/u send pause, resume, terminate
// (t twice, it ends the job) and tune (u opens a prompt for key=value pairs; Enter sends it).
import { useEffect, useRef, useState } from 'react';
import type { CommandInput, Run, RunCommandType } from '../../runs/core/index.ts';
import { runById, runList } from '../../state/index.ts';
import type { State } from '../../state/index.ts';
import { RUN_UI_ACTIONS, availableRunActions, initialRunSelection, parseTunePairs, selectRunRows } from '../../views/index.ts';
import type { TuiView } from './view.ts';

/** What the runs view needs of the API client. */
export interface RunsClient {
  run(id: string): Promise<Run>;
  sendRunCommand(id: string, input: CommandInput): Promise<unknown>;
}

/** A key as Ink reports it (the parts the view reads). */
export interface RunsKey {
  upArrow: boolean;
  downArrow: boolean;
  return: boolean;
  escape: boolean;
  backspace: boolean;
  delete: boolean;
}

/** The runs view's state and its key handler. */
export interface RunsView {
  /** The view's part of TuiView (null when closed). */
  view: TuiView['runs'];
  /** The view is open. */
  open(): boolean;
  /** The tune prompt is open: every key is text for it. */
  typing(): boolean;
  toggle(): void;
  onKey(input: string, key: RunsKey): void;
}

/** The runs view over `client`, for the state `stateRef` holds; outcomes go to `toast`. */
export function useRunsView(client: RunsClient, stateRef: { current: State }, readOnly: () => boolean, toast: (t: { ok: boolean; text: string }) => void, everyMs = 2_000): RunsView {
  const [open, setOpen] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);
  const [full, setFull] = useState<Run | null>(null);
  const [tune, setTune] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<string | null>(null);
  const ref = useRef({ open, selected, tune, confirm });
  ref.current = { open, selected, tune, confirm };

  const rows = (): ReturnType<typeof selectRunRows> => selectRunRows(runList(stateRef.current.runs), new Date());
  const select = (id: string | null): void => {
    ref.current.selected = id;
    setSelected(id);
    setConfirm(null);
  };

  // The selection follows the runs: the first that needs a look until a person picks one.
  const runs = stateRef.current.runs;
  useEffect(() => {
    if (!open) return;
    if (selected === null || runById(runs, selected) === undefined) select(initialRunSelection(rows()));
  }, [open, runs, selected]);

  // The selected run's record, asked again while the view is open.
  useEffect(() => {
    if (!open || selected === null) {
      setFull(null);
      return;
    }
    let live = true;
    const poll = (): void => {
      client.run(selected).then(
        (r) => live && setFull(r),
        () => live && setFull(null),
      );
    };
    poll();
    const timer = setInterval(poll, everyMs);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [client, open, selected, everyMs]);

  const send = (id: string, type: RunCommandType, params: Record<string, unknown> = {}): void => {
    client.sendRunCommand(id, { type, params }).then(
      () => toast({ ok: true, text: `${type} sent to ${id}; it changes when the job acknowledges` }),
      (err: unknown) => toast({ ok: false, text: `${type} ${id}: ${(err as Error).message}` }),
    );
  };

  const onKey = (input: string, key: RunsKey): void => {
    const cur = ref.current;
    const id = cur.selected;
    if (cur.tune !== null) {
      // Keys come faster than renders (a paste is many): the ref holds the text typed so far.
      const type = (text: string | null): void => {
        ref.current.tune = text;
        setTune(text);
      };
      if (key.escape) return type(null);
      if (key.backspace || key.delete) return type(cur.tune.slice(0, -1));
      // Text and Enter read together (a fast terminal, a paste) arrive as one input, "\r" included.
      const end = input.search(/[\r\n]/);
      if (key.return || end >= 0) {
        const text = end >= 0 ? cur.tune + input.slice(0, end) : cur.tune;
        type(null);
        const parsed = parseTunePairs(text.split(/\s+/).filter((p) => p !== ''));
        if (!parsed.ok) return toast({ ok: false, text: `tune: ${parsed.message}` });
        if (id !== null) send(id, 'tune', parsed.params);
        return;
      }
      return type(cur.tune + input);
    }
    const list = rows().map((r) => r.id);
    const i = id === null ? -1 : list.indexOf(id);
    if (input === 'j' || key.downArrow) return select(list[Math.min(list.length - 1, i + 1)] ?? null);
    if (input === 'k' || key.upArrow) return select(list[Math.max(0, i - 1)] ?? null);
    const action = RUN_UI_ACTIONS.find((a) => a.key === input);
    const run = id === null ? undefined : runById(stateRef.current.runs, id);
    if (action === undefined || run === undefined || id === null) return;
    if (readOnly()) return toast({ ok: false, text: 'read-only: this API refuses commands' });
    if (!availableRunActions(run).includes(action.type)) return toast({ ok: false, text: `${action.label.toLowerCase()} is not available for ${id} (${run.state})` });
    if (action.type === 'tune') {
      ref.current.tune = '';
      return setTune('');
    }
    if (action.type === 'terminate' && cur.confirm !== id) {
      setConfirm(id);
      return toast({ ok: false, text: `press t again to terminate ${id}` });
    }
    setConfirm(null);
    send(id, action.type);
  };

  return {
    view: open ? { selected, full, tune } : null,
    open: () => ref.current.open,
    typing: () => ref.current.open && ref.current.tune !== null,
    toggle: () => {
      ref.current.open = !ref.current.open;
      ref.current.tune = null;
      setOpen((o) => !o);
      setTune(null);
    },
    onKey,
  };
}
