// Per-line times for log files that hold raw output. Beside each log file (live or rotated) the
// sink keeps `.<file>.times`: lines `<byte offset> <epoch ms> <o|e>` (stdout or stderr), one
// whenever the millisecond or the stream of a write differs from the previous one's, so a flood writes a few entries per millisecond at most
// and a quiet service one per chunk. Entries are buffered and written in batches (on size, on a
// short timer, at rotation and close): the log path gains no syscall per chunk. Bytes from an
// entry's offset up to the next entry were written in that millisecond; bytes past the last
// entry on disk (a batch not written yet, or a file from before this index) take the file's
// mtime, the time of its last write.
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
  private fd: number;
  private pending = '';
  private lastMs = -1;
  private lastStream: OutputStream | null = null;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly logFile: string) {
    this.fd = openSync(timesFileOf(logFile), APPEND_NO_FOLLOW, 0o644);
  }

  /** Notes that bytes from `offset` of the live file are being written now, from `stream`. */
  mark(offset: number, stream: OutputStream): void {
    const now = Date.now();
    if (now === this.lastMs && stream === this.lastStream) return;
    this.lastMs = now;
    this.lastStream = stream;
    this.pending += `${offset} ${now} ${stream === 'stdout' ? 'o' : 'e'}\n`;
    if (this.pending.length >= FLUSH_BYTES) this.flush();
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  /** Writes the pending entries. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending === '') return;
    writeSync(this.fd, this.pending);
    this.pending = '';
  }

  /** Called after the log moved to `rotatedTo` (or was dropped, when null): the index follows it. */
  rotated(rotatedTo: string | null): void {
    this.flush();
    closeSync(this.fd);
    if (rotatedTo === null) rmSync(timesFileOf(this.logFile), { force: true });
    else renameIfExists(timesFileOf(this.logFile), timesFileOf(rotatedTo));
    this.fd = openSync(timesFileOf(this.logFile), APPEND_NO_FOLLOW, 0o644);
    this.lastMs = -1;
    this.lastStream = null;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
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
  let start = 0;
  let m = -1;
  while (start < buf.length) {
    let end = buf.indexOf(10, start);
    if (end < 0) end = buf.length; // a last line without its newline yet
    // A line is as old as its last byte: the write that completed it.
    while (m + 1 < marks.length && (marks[m + 1] as Mark)[0] <= end) m++;
    // The last entry's bytes may include writes whose entry is still pending: the mtime (the last
    // write; the file system's clock can lag Date.now() by a tick, hence the max) is their time; bytes before the first entry (an older sink) are no newer than it.
    const time = m === marks.length - 1 ? Math.max(Math.round(mtime), (marks[m] as Mark | undefined)?.[1] ?? 0) : m < 0 ? Math.min(Math.round(mtime), (marks[0] as Mark)[1]) : (marks[m] as Mark)[1];
    let text = buf.toString('utf8', start, end);
    if (text.endsWith('\r')) text = text.slice(0, -1);
    const mark = marks[Math.max(0, m)];
    lines.push({ time, stream: mark?.[2] === 'e' ? 'stderr' : 'stdout', text });
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
