// `nestor up`: the composition root of a running node. config → bus → controller → services,
// then a progress display until every service has settled, then the services' prefixed logs.
// Ctrl-C or SIGTERM stops the stack in reverse dependency order and then the bus; a second
// Ctrl-C kills every process group at once. Before the node is up (a cluster waiting for its
// peers, say) the same signals call the boot off and stop what it started.
import { bootNode, prepareProject } from '../boot/index.ts';
import type { BootOptions, NodeHandle, PreparedProject } from '../boot/index.ts';
import { loadConfig, loadProjectFile, readRuntimeInfo } from '../config/index.ts';
import { followState } from '../bus/index.ts';
import { keyOf } from '../events/index.ts';
import type { NestorEvent } from '../events/index.ts';
import { checkEnvFiles, isProcessAlive } from '../process/index.ts';
import { SpecError } from '../spec/index.ts';
import { blockedBy, getService, isSettled, sortedServices } from '../state/index.ts';
import { selectServiceRows } from '../views/index.ts';
import type { State } from '../state/index.ts';
import type { NestorConfig, RuntimeInfo } from '../config/index.ts';
import { definedEnv } from './context.ts';
import type { CliContext } from './context.ts';
import { CliFailure, UsageError } from './errors.ts';
import { joinFromOptions, settingsFromOptions } from './settings-flags.ts';
import { StopOrderedOutput } from './stop-order.ts';
import { renderRows } from './table.ts';
import type { Terminal } from './terminal.ts';
import type { ProjectWatch } from './up-watch.ts';

/** Flags of `nestor up` (setting flags such as `--nats-port` are in `settings`). */
export interface UpFlags {
  file?: string;
  profile?: string;
  only?: string[];
  disable?: string[];
  detach?: boolean;
  /** Show the terminal UI instead of logs (service output stays in the log files). */
  tui?: boolean;
  /** Apply the project file again on every save (and its includes). */
  watch?: boolean;
  /** commander's parsed options, setting flags included. */
  settings?: Record<string, unknown>;
}

/**
 * What `up` checks before it starts anything: the config, a valid project file, and whether an
 * instance already runs in this project (`running`: then `up` applies the file to it instead).
 */
export async function prepareUp(flags: UpFlags, ctx: CliContext): Promise<{ config: NestorConfig; project: PreparedProject; running: RuntimeInfo | null }> {
  const config = await loadConfig({ cwd: ctx.cwd, env: ctx.env, projectFile: flags.file, flags: settingsFromOptions(flags.settings ?? {}), join: joinFromOptions(flags.settings ?? {}) });
  if (config.projectFile === null) {
    throw new UsageError(`no nestor.yaml, nestor.yml or nestor.json in ${config.projectDir}; pass -f FILE`);
  }
  const file = await loadProjectFile(config.projectFile);
  const project = prepareProject(file.raw, { profile: flags.profile, only: flags.only, disable: flags.disable }, config.projectFile);
  // The runner reads them again at every start; checked here so a typo fails `up` at once (exit 2).
  const envIssues = checkEnvFiles(project.project, config.projectDir, definedEnv(ctx.env), project.order);
  if (envIssues.length > 0) throw new SpecError(envIssues);
  const running = await readRuntimeInfo(config.dataDir).catch(() => null);
  const alive = running !== null && running.pid !== process.pid && (await isProcessAlive(running.pid));
  return { config, project, running: alive ? running : null };
}

/** `up` in a project that is up already: the file is applied to the running node, which keeps running. */
export async function applyAgain(flags: UpFlags & { json?: boolean }, running: RuntimeInfo, ctx: CliContext, term: Terminal): Promise<number> {
  if (flags.watch === true) throw new CliFailure(`Nestor is already running in this project (pid ${running.pid}); --watch belongs to the \`nestor up\` that starts it`);
  term.info(`Nestor is already running in this project (pid ${running.pid}, bus ${running.nats}): applying the project file to it`);
  const { runApply } = await import('./apply.ts');
  return runApply({ file: flags.file, profile: flags.profile, only: flags.only, disable: flags.disable, json: flags.json }, ctx, term);
}

/** Runs the stack in the foreground until a signal; resolves with the exit code. */
export async function runUp(flags: UpFlags, ctx: CliContext, term: Terminal): Promise<number> {
  const { config, project, running } = await prepareUp(flags, ctx);
  if (running !== null) return applyAgain(flags, running, ctx, term);

  if (flags.tui) return runUpWithTui(config, project, flags, term);
  const output = new StopOrderedOutput((line) => term.out(line));
  const node = await bootStoppable(term, {
    config,
    console: { write: (line, service) => output.write(line, service), colour: term.colour },
    onProgress: (line) => term.info(line),
    onError: (err) => term.error(`internal error: ${(err as Error).message}`),
    // `nestor down --all` from another node stopped this one: end as a signal would (the
    // shutdown it runs is the one already done).
    onRemoteShutdown: () => process.kill(process.pid, 'SIGTERM'),
  });
  if (node === null) return 0;
  const following = new AbortController();
  const progress = watchProgress(node, term, following.signal, output);
  const stopping = handleSignals(node, term, () => {
    progress.quiet();
    output.stopping();
  }, output);
  const settled = progress.settled;
  try {
    const result = await node.register(project);
    term.info(`registered ${result.enabled.length} service(s)${result.disabled.length ? `, ${result.disabled.length} disabled` : ''}`);
    if (result.retired.length > 0) term.info(`retired ${result.retired.join(', ')}: no longer in ${config.projectFile ?? 'the project'}`);
  } catch (err) {
    following.abort();
    await node.shutdown('registration failed');
    throw err;
  }
  const watching = flags.watch === true ? await startWatch(node, config, flags, term) : null;
  await Promise.race([settled, stopping]);
  const code = await stopping;
  await watching?.close();
  following.abort();
  return code;
}

/** `up --watch`: applies the project file on every save while the node runs. */
async function startWatch(node: NodeHandle, config: NestorConfig, flags: UpFlags, term: Pick<Terminal, 'info' | 'error'>): Promise<ProjectWatch> {
  const { watchProject } = await import('./up-watch.ts');
  return watchProject(node, config.projectFile as string, { profile: flags.profile, only: flags.only, disable: flags.disable }, term);
}

/** `up --tui`: the same node, with the terminal UI in place of the logs; quitting it stops the stack. */
async function runUpWithTui(config: NestorConfig, project: PreparedProject, flags: UpFlags, term: Terminal): Promise<number> {
  if (process.stdin.isTTY !== true || process.stdout.isTTY !== true) {
    throw new UsageError('nestor up --tui needs an interactive terminal; drop --tui to get the logs');
  }
  // No console sink: service output would tear Ink's screen; it stays in the log files.
  const node = await bootStoppable(term, { config, onError: (err) => term.error(`internal error: ${(err as Error).message}`) });
  if (node === null) return 0;
  const closeUi = new AbortController();
  const onSignal = (): void => closeUi.abort();
  process.once('SIGTERM', onSignal);
  let watching: ProjectWatch | null = null;
  try {
    await node.register(project);
    // Lines would tear the screen: what an apply did shows in the UI's feed (its event).
    if (flags.watch === true) watching = await startWatch(node, config, flags, { info: () => {}, error: () => {} });
    const { loadTui } = await import('../ui/tui/load.ts');
    const { runTui } = await loadTui(true);
    await runTui({ url: node.api.url, signal: closeUi.signal, ...(config.api.token === undefined ? {} : { token: config.api.token }) });
  } finally {
    process.off('SIGTERM', onSignal);
    await watching?.close();
    term.info('stopping the stack (dependents first)');
    await node.shutdown('tui closed');
  }
  return 0;
}

/** A signal ends the boot, not the process: the node's server and guardian are let go of in order. */
class BootStopped extends Error {
  constructor(readonly sig: NodeJS.Signals) {
    super(`${sig} while starting`);
    this.name = 'BootStopped';
  }
}

/**
 * Boots the node with SIGINT/SIGTERM handled from the first moment: a signal calls the boot off
 * (null: stopped cleanly, exit 0 as a signal while running); a second one exits at once, the
 * exit hook still stopping the broker.
 */
async function bootStoppable(term: Terminal, opts: BootOptions): Promise<NodeHandle | null> {
  const boot = new AbortController();
  const onSignal = (sig: NodeJS.Signals): void => {
    if (!boot.signal.aborted) {
      term.info(`${sig}: stopping before the node has started; press Ctrl-C again to force`);
      boot.abort(new BootStopped(sig));
      return;
    }
    term.error('forced: exiting without waiting for the broker to stop');
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const node = await bootNode({ ...opts, signal: boot.signal });
    // The last step may have finished just as the signal came.
    if (!boot.signal.aborted) return node;
    await node.shutdown(`signal ${(boot.signal.reason as BootStopped).sig}`);
  } catch (err) {
    if (!boot.signal.aborted) throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  term.info('stopped');
  return null;
}

/** Prints each service's transitions until everything has settled, then a summary table. */
function watchProgress(node: NodeHandle, term: Terminal, signal: AbortSignal, output: StopOrderedOutput): { settled: Promise<void>; quiet(): void } {
  let announced = false;
  let shown = '';
  let resolveSettled: () => void = () => {};
  const settled = new Promise<void>((resolve) => (resolveSettled = resolve));
  const allSettled = settledCheck();
  void followState(node.bus, {
    fromSeq: node.bootSeq + 1,
    signal,
    onEvent: (event, state, previous) => {
      if (!announced && term.status !== undefined) {
        // On a terminal: one line per service, redrawn in place below the services' output.
        const width = Math.max(0, ...Object.keys(state.services).map((id) => id.length));
        const lines = sortedServices(state).map((svc) => `  ${svc.id.padEnd(width)}  ${svc.state}${detail(state, svc.id)}`);
        if (lines.join('\n') !== shown) term.status(lines);
        shown = lines.join('\n');
      } else if (state.services !== previous.services) {
        // An event about one instance changes only its record: looking at that one keeps a start
        // of hundreds from scanning every service per event. Others (registrations, node
        // events) compare all, where an unchanged record is the same object.
        const key = singleInstanceKey(event);
        const changed = key === null ? Object.values(state.services) : [getService(state, key)];
        for (const svc of changed) {
          if (svc === undefined || svc === previous.services[svc.id]) continue;
          const before = getService(previous, svc.id)?.state;
          if (before !== svc.state) term.info(`${svc.id.padEnd(12)} ${before ?? 'registered'} → ${svc.state}${detail(state, svc.id)}`);
        }
      }
      if (!announced && allSettled(state)) {
        announced = true;
        term.status?.([]);
        term.info('stack settled:');
        for (const line of renderRows(selectServiceRows(state, new Date(event.timestamp)))) term.info(line);
        resolveSettled();
      }
      output.shown(state);
    },
  }).catch((err: unknown) => {
    output.flush();
    if (!signal.aborted) term.error(`event feed stopped: ${(err as Error).message}`);
  });
  // Once stopping, transitions are lines again: the status block would hide the shutdown.
  const quiet = (): void => {
    announced = true;
    term.status?.([]);
  };
  return { settled, quiet };
}

/**
 * Whether every service has settled. The service found unsettled last time is looked at first:
 * while hundreds start, it is usually still unsettled, which answers without a pass over all.
 */
function settledCheck(): (state: State) => boolean {
  let hint: string | null = null;
  return (state) => {
    const held = hint === null ? undefined : getService(state, hint);
    if (held !== undefined && !isSettled(state, held)) return false;
    const services = Object.values(state.services);
    const open = services.find((s) => !isSettled(state, s));
    hint = open?.id ?? null;
    return services.length > 0 && open === undefined;
  };
}

// The reducer changes only the named instance's record for a service-scoped event, except for a
// registration (every instance of the service) and a retirement naming no instance (all of them).
function singleInstanceKey(event: NestorEvent): string | null {
  if (event.type === 'orchestrator.service.register') return null;
  const data = event.data as { service?: unknown; instance?: unknown };
  if (typeof data.service !== 'string') return null;
  if (event.type === 'orchestrator.service.retired' && data.instance === undefined) return null;
  return keyOf(data as { service: string; instance?: number });
}

function detail(state: State, id: string): string {
  const svc = getService(state, id);
  if (svc === undefined) return '';
  const blocked = blockedBy(state, svc);
  if (blocked !== null) return ` (${blocked.reason})`;
  if (svc.state === 'pending' && svc.waitingFor.length > 0) return ` (waiting for ${svc.waitingFor.join(', ')})`;
  if (svc.state === 'running' || svc.state === 'ready') {
    const ports = Object.entries(svc.ports).map(([n, p]) => `${n}=${p}`).join(' ');
    return ` (pid ${svc.pid}${ports ? `, ${ports}` : ''})`;
  }
  if (svc.state === 'backoff' && svc.nextRestartAt) return ` (restart ${svc.attempt} at ${svc.nextRestartAt})`;
  if (svc.state === 'failed' || svc.state === 'stopped') return svc.lastError ? ` (${svc.lastError})` : '';
  return '';
}

/** Resolves with the exit code once a signal has stopped the stack. */
function handleSignals(node: NodeHandle, term: Terminal, quiet: () => void, output: StopOrderedOutput): Promise<number> {
  return new Promise((resolve) => {
    let signals = 0;
    const onSignal = (sig: NodeJS.Signals): void => {
      signals++;
      if (signals === 1) {
        quiet();
        term.info(`${sig}: stopping the stack (dependents first); press Ctrl-C again to force`);
        node.shutdown(`signal ${sig}`).then(
          () => {
            output.flush();
            term.info('stopped');
            resolve(0);
          },
          (err: unknown) => {
            output.flush();
            term.error(`shutdown failed: ${(err as Error).message}`);
            resolve(1);
          },
        );
        return;
      }
      output.flush();
      term.error('forced: killing every service process group');
      for (const pid of Object.values(node.controller.runningPids())) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      resolve(130);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
