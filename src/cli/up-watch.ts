// `nestor up --watch`: the running node applies its project file again on every save. The file
// and the files its services include are watched (chokidar: editors that save by renaming
// are followed too); a burst of saves is applied once, DEBOUNCE_MS after the last. An edit that
// does not load or validate is reported with its field paths, on the terminal (the log file of a
// detached `up`) and as orchestrator.project.rejected, and nothing running is touched.
import { dirname, resolve } from 'node:path';
import { watch } from 'chokidar';
import type { FSWatcher } from 'chokidar';
import type { NodeHandle, SelectionOptions } from '../boot/index.ts';
import { createEventFactory } from '../bus/index.ts';
import { ConfigError, loadProjectFile, readProjectFile } from '../config/index.ts';
import { planLines } from './apply.ts';
import type { Terminal } from './terminal.ts';

/** Saves closer together than this are applied once. */
export const DEBOUNCE_MS = 300;

/** A running watch; close() stops it (and waits for an apply under way). */
export interface ProjectWatch {
  close(): Promise<void>;
}

/** Watches `path` (and its includes) and applies it to `node` on every change. */
export async function watchProject(node: NodeHandle, path: string, selection: SelectionOptions, term: Pick<Terminal, 'info' | 'error'>): Promise<ProjectWatch> {
  let watched = new Set([path, ...(await includesOf(path))]);
  const watcher: FSWatcher = watch([...watched], { ignoreInitial: true });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let closed = false;

  const applyNow = async (): Promise<void> => {
    const outcome = await node.apply({ raw: (await loadProjectFile(path)).raw, source: path, ...selection });
    if (!outcome.ok) {
      term.error(`${path} changed but is invalid; nothing was applied:`);
      for (const e of outcome.errors) term.error(`  ${e.path}: expected ${e.expected}${e.got === undefined ? '' : `, got ${String(e.got)}`}`);
      return;
    }
    for (const line of planLines(outcome.diff, path, true)) term.info(line);
  };
  const onChange = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      // One apply at a time, in the order of the saves.
      running = running.then(async () => {
        if (closed) return;
        try {
          await applyNow();
        } catch (err) {
          await reportUnloadable(node, path, err, term);
        }
        await rewatch();
      });
    }, DEBOUNCE_MS);
  };
  // An include added or dropped by the edit joins or leaves the watched files.
  const rewatch = async (): Promise<void> => {
    const next = new Set([path, ...(await includesOf(path).catch(() => [...watched]))]);
    const added = [...next].filter((p) => !watched.has(p));
    const gone = [...watched].filter((p) => !next.has(p));
    if (added.length > 0) watcher.add(added);
    if (gone.length > 0) watcher.unwatch(gone);
    watched = next;
  };
  watcher.on('change', onChange).on('add', onChange).on('unlink', onChange);
  watcher.on('error', (err) => term.error(`watching ${path}: ${(err as Error).message}`));
  await new Promise<void>((ready) => watcher.once('ready', ready));
  term.info(`watching ${[...watched].join(', ')}: every save is applied`);
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      await watcher.close();
      await running;
    },
  };
}

/** The files a project's services include, as absolute paths. */
async function includesOf(path: string): Promise<string[]> {
  const file = await readProjectFile(path);
  const services = (file.raw as { services?: unknown } | null)?.services;
  if (typeof services !== 'object' || services === null) return [];
  return Object.values(services as Record<string, unknown>).flatMap((entry) => {
    const include = (entry as { include?: unknown } | null)?.include;
    return typeof include === 'string' && include !== '' ? [resolve(dirname(path), include)] : [];
  });
}

// A file that does not even load (a YAML syntax error, a missing include) is rejected like an
// invalid one, with the path of the setting at fault when the loader knows it.
async function reportUnloadable(node: NodeHandle, path: string, err: unknown, term: Pick<Terminal, 'error'>): Promise<void> {
  const message = err instanceof Error ? err.message : String(err);
  term.error(`${path} changed but could not be applied: ${message}`);
  if (!(err instanceof ConfigError)) return;
  const events = createEventFactory({ node: node.node, component: 'apply' });
  const where = err.path ?? (err.line === undefined ? '(file)' : `line ${err.line}`);
  await node.bus
    .publish(events('orchestrator.project.rejected', { node: node.node, source: path, errors: [{ path: where, expected: err.expected, ...(err.detail === undefined ? {} : { got: err.detail }) }] }))
    .catch(() => {});
}
