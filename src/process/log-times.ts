// Per-line times for log files that hold raw output. Beside each log file (live or rotated) the
// sink keeps `.<file>.times`: lines `<end offset> <epoch ms> <o|e>`, each saying that the bytes
// after the previous entry's end up to this end were written in that millisecond by stdout or
// stderr. Consecutive writes in the same millisecond and stream extend one entry, so a flood adds
// a few entries per millisecond at most and a quiet service one per chunk. Entries are buffered
// and written in batches (on size, on a short timer, at rotation and close): the log path gains
// no syscall per chunk. Bytes past the last entry on disk (a batch not written yet, or a file
// from before this index) take the file's mtime, the time of its last write.
import { closeSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { constants } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { OutputStream } from './spawn.ts';

const APPEND_NO_FOLLOW = constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_NOFOLLOW;
/** Entries wait at most this long before they are written. */
const FLUSH_MS = 250;
const FLUSH_BYTES = 4096;
const MAX_ROTATED = 1000;

/**
 * The time index of a log file: hidden (`.web.log.times`), so listings of the logs, globs on
 * `web.log*` and followers watching `web.log.*` see only the logs.
 */
export function timesFileOf(file: string): string {
  return join(dirname(file), `.${basename(file)}.times`);
}

/** Writes the time index of one live log file; rotation moves it along with the log. */
export class TimeIndex {
  // Opened at the first batch, not with the sink: the sink is opened off the event loop on the
  // spawn path (openLogSink), where a synchronous open per service would cost a start of hundreds.
  private fd: number | null = null;
  private pending = '';
  /** The newest entry, still open to extension by writes in the same millisecond and stream. */
  private last: { end: number; ms: number; stream: OutputStream } | null = null;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly logFile: string) {}

  /** Notes that the live file's bytes up to `end` were just written, from `stream`. */
  mark(end: number, stream: OutputStream): void {
    const now = Date.now();
    const last = this.last;
    if (last !== null && last.ms === now && last.stream === stream) {
      last.end = end;
      return;
    }
    if (last !== null) this.pending += entry(last);
    this.last = { end, ms: now, stream };
    if (this.pending.length >= FLUSH_BYTES) this.flush();
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  /** Writes the pending entries, the open one included. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.last !== null) this.pending += entry(this.last);
    this.last = null;
    if (this.pending === '') return;
    const batch = this.pending;
    this.pending = '';
    // The index only refines times: a batch that cannot be written (the logs dir removed, a full
    // disk) is dropped, its lines read with the file's mtime, and the log itself goes on.
    try {
      this.fd ??= openSync(timesFileOf(this.logFile), APPEND_NO_FOLLOW, 0o644);
      writeSync(this.fd, batch);
    } catch {
      // dropped, see above
    }
  }

  /** Called after the log moved to `rotatedTo` (or was dropped, when null): the index follows it. */
  rotated(rotatedTo: string | null): void {
    this.close();
    if (rotatedTo === null) rmSync(timesFileOf(this.logFile), { force: true });
    else renameIfExists(timesFileOf(this.logFile), timesFileOf(rotatedTo));
  }

  close(): void {
    this.flush();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

function entry(e: { end: number; ms: number; stream: OutputStream }): string {
  return `${e.end} ${e.ms} ${e.stream === 'stdout' ? 'o' : 'e'}\n`;
}

/** Moves a file if it exists. */
export function renameIfExists(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/**
 * Removes rotated files (file.1 … file.N and their indexes) last written before `now - retentionMs`.
 * Older files carry higher numbers, so what goes is always the oldest end of the series.
 */
export function pruneRotated(file: string, retentionMs: number, now = Date.now()): void {
  for (let k = 1; k <= MAX_ROTATED; k++) {
    const path = `${file}.${k}`;
    let mtime: number;
    try {
      mtime = statSync(path).mtimeMs;
    } catch {
      return;
    }
    if (mtime < now - retentionMs) {
      rmSync(path, { force: true });
      rmSync(timesFileOf(path), { force: true });
    }
  }
}

/** A log line with the time it was written. */
export interface TimedLine {
  time: number;
  /** The stream that wrote it; stdout for files written before the index existed. */
  stream: OutputStream;
  text: string;
}

/** Options of readTimedLog. */
export interface TimedReadOptions {
  /** Keep only the last this many lines (default: all). */
  lines?: number;
  /** Keep only lines written at or after this epoch ms. */
  sinceMs?: number;
}

/**
 * The lines of a log (rotated files first, then the live one) with their write times, oldest
 * first. Files are read newest first and reading stops once enough lines are in hand.
 */
export function readTimedLog(file: string, options: TimedReadOptions = {}): TimedLine[] {
  const want = options.lines ?? Infinity;
  const since = options.sinceMs ?? -Infinity;
  const out: TimedLine[][] = [];
  let count = 0;
  for (let k = 0; k <= MAX_ROTATED && count < want; k++) {
    const path = k === 0 ? file : `${file}.${k}`;
    const lines = readOne(path);
    if (lines === null) {
      if (k === 0) continue; // the live file may be missing while rotated ones exist
      break;
    }
    const kept = lines.filter((l) => l.time >= since);
    out.unshift(kept);
    count += kept.length;
    if (kept.length < lines.length) break; // older files are older still
  }
  const all = out.flat();
  return Number.isFinite(want) ? all.slice(Math.max(0, all.length - want)) : all;
}

function readOne(path: string): TimedLine[] | null {
  let buf: Buffer;
  let mtime: number;
  try {
    mtime = statSync(path).mtimeMs;
    buf = readFileSync(path);
  } catch {
    return null;
  }
  const marks = readMarks(timesFileOf(path));
  const lines: TimedLine[] = [];
  // The file system's clock can lag Date.now() by a tick: never before the last entry.
  const afterMarks = Math.max(Math.round(mtime), marks.at(-1)?.[1] ?? 0);
  let start = 0;
  let m = 0;
  while (start < buf.length) {
    let end = buf.indexOf(10, start);
    if (end < 0) end = buf.length - 1; // a last line without its newline yet
    // A line is as old as its last byte: the write that completed it.
    while (m < marks.length && (marks[m] as Mark)[0] <= end) m++;
    const mark = marks[m];
    let text = buf.toString('utf8', start, buf[end] === 10 ? end : end + 1);
    if (text.endsWith('\r')) text = text.slice(0, -1);
    // Past the last entry: written since the last batch of entries (or before the index existed).
    lines.push(mark === undefined ? { time: afterMarks, stream: 'stdout', text } : { time: mark[1], stream: mark[2] === 'e' ? 'stderr' : 'stdout', text });
    start = end + 1;
  }
  return lines;
}

type Mark = [offset: number, ms: number, stream: string];

function readMarks(path: string): Mark[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const marks: Mark[] = [];
  for (const line of text.split('\n')) {
    const [offset, ms, stream] = line.split(' ').map((f, i) => (i < 2 ? Number(f) : f)) as [number, number, string?];
    if (Number.isFinite(offset) && Number.isFinite(ms)) marks.push([offset, ms, stream ?? 'o']);
  }
  return marks;
}

/** A line of one of several services' logs. */
export interface MergedLine extends TimedLine {
  service: string;
}

/**
 * The logs of several services as one, oldest first: each service's last `lines` (since
 * `sinceMs`), interleaved by write time; lines written in the same millisecond keep the order
 * of the sources.
 */
export function readMergedLogs(sources: { service: string; file: string }[], options: TimedReadOptions = {}): MergedLine[] {
  const all: (MergedLine & { order: number })[] = [];
  sources.forEach(({ service, file }, order) => {
    for (const line of readTimedLog(file, options)) all.push({ ...line, service, order });
  });
  all.sort((a, b) => a.time - b.time || a.order - b.order);
  return all.map(({ order: _order, ...line }) => line);
}
