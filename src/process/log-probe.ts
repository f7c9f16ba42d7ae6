// Readiness from a log line: watches a service's output, split into lines the way the log sink
// and the console see them, for the first line matching the probe's pattern, within a deadline.
// Contract:
//   in:  the same chunks the log sink receives, in arrival order (feed), from spawn on
//   out: onMatch once with the line, or onTimeout once when the deadline passes first
//   never: looks at output after deciding: feed() is then a single flag check, so the log path
//          of a ready service costs what it costs without the probe.
import { LineSplitter } from './log-lines.ts';
import type { OutputStream } from './spawn.ts';
import type { ProbeSpec } from '../spec/index.ts';

/** A matched line is cut to this many characters for events and views. */
export const MATCHED_LINE_MAX = 200;

/** Callbacks of a log probe; set on the watcher once the runner knows the process. */
export interface LogProbeHooks {
  onMatch(line: string, elapsedMs: number): void;
  onTimeout(elapsedMs: number): void;
}

/** A watcher of one process's output for a log readiness probe. */
export interface LogProbeWatch {
  /** Passes one chunk of output; call with every chunk the log sink gets. */
  feed(stream: OutputStream, chunk: Buffer | string): void;
  /**
   * Starts the deadline and routes the outcome to hooks. A match that came before (output can
   * arrive while the spawn is being reported) is delivered at once.
   */
  attach(hooks: LogProbeHooks): void;
  /** Stops watching; no hook runs afterwards. */
  stop(): void;
}

/** Creates a watcher for a `type: log` probe; output is watched from this moment. */
export function watchLogProbe(probe: ProbeSpec): LogProbeWatch {
  const pattern = new RegExp(probe.pattern ?? '');
  const wanted = probe.stream ?? 'both';
  const splitters: Record<OutputStream, LineSplitter> = { stdout: new LineSplitter(), stderr: new LineSplitter() };
  const startedAt = performance.now();
  let done = false;
  let matched: string | null = null;
  let hooks: LogProbeHooks | null = null;
  let timer: NodeJS.Timeout | undefined;

  const finish = (line: string): void => {
    done = true;
    clearTimeout(timer);
    matched = line.length > MATCHED_LINE_MAX ? `${line.slice(0, MATCHED_LINE_MAX - 1)}…` : line;
    hooks?.onMatch(matched, Math.round(performance.now() - startedAt));
  };

  return {
    feed(stream, chunk) {
      if (done || (wanted !== 'both' && wanted !== stream)) return;
      for (const line of splitters[stream].push(chunk)) {
        if (pattern.test(line)) return finish(line);
      }
    },
    attach(h) {
      hooks = h;
      if (matched !== null) return h.onMatch(matched, Math.round(performance.now() - startedAt));
      if (done) return;
      const left = Math.max(0, probe.timeoutMs - (performance.now() - startedAt));
      timer = setTimeout(() => {
        done = true;
        h.onTimeout(Math.round(performance.now() - startedAt));
      }, left);
    },
    stop() {
      done = true;
      hooks = null;
      clearTimeout(timer);
    },
  };
}
