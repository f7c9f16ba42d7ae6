// One service's file watcher: chokidar on the spec's paths, the default and the spec's ignores,
// and a trailing debounce, so a burst of writes (an editor's save, a build) is one report.
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { watch } from 'chokidar';
import type { FSWatcher } from 'chokidar';
import picomatch from 'picomatch';
import type { WatchSpec } from '../spec/index.ts';

/** Directory names never watched: dependencies and VCS metadata change in bulk and are not the service's source. */
const ALWAYS_IGNORED = new Set(['node_modules', '.git']);

/** Where a watcher resolves paths and what it always leaves out. */
export interface FileWatchOptions {
  projectDir: string;
  /** The node's data dir: logs and pid files are written there all the time. */
  dataDir: string;
  onError(err: unknown): void;
}

/** A running watcher of one service; `close` stops it and drops a pending report. */
export interface FileWatch {
  close(): Promise<void>;
}

/** Whether a path is left out: under node_modules, .git or the data dir, or matching an ignore glob. */
export function ignoredBy(spec: WatchSpec, opts: Pick<FileWatchOptions, 'projectDir' | 'dataDir'>): (path: string) => boolean {
  const dataDir = resolve(opts.projectDir, opts.dataDir);
  const matches = spec.ignore.length > 0 ? picomatch(spec.ignore, { dot: true, basename: true }) : () => false;
  return (path) => {
    const abs = resolve(opts.projectDir, path);
    if (abs === dataDir || abs.startsWith(dataDir + sep)) return true;
    const rel = relative(opts.projectDir, abs);
    if (rel.split(sep).some((segment) => ALWAYS_IGNORED.has(segment))) return true;
    return rel !== '' && matches(rel.split(sep).join('/'));
  };
}

/** Watches a spec's paths; `onBurst` gets the changed paths (relative to the project) once a burst is over. */
export function watchFiles(spec: WatchSpec, opts: FileWatchOptions, onBurst: (files: string[]) => void): FileWatch {
  const paths = spec.paths.map((p) => (isAbsolute(p) ? p : resolve(opts.projectDir, p)));
  const ignored = ignoredBy(spec, opts);
  const watcher: FSWatcher = watch(paths, { ignoreInitial: true, ignored: (path: string) => ignored(path) });
  let changed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const flush = (): void => {
    timer = undefined;
    const files = [...changed];
    changed = new Set();
    if (!closed && files.length > 0) onBurst(files);
  };
  watcher.on('all', (event, path) => {
    // A new, empty directory changes nothing the service reads; the files put in it are reported.
    if (closed || event === 'addDir') return;
    const rel = relative(opts.projectDir, path);
    changed.add(rel.startsWith('..') || isAbsolute(rel) ? path : rel.split(sep).join('/'));
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(flush, spec.debounceMs);
  });
  watcher.on('error', (err) => opts.onError(err));
  return {
    close: async () => {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      await watcher.close();
    },
  };
}
