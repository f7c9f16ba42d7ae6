// Where a service's output goes: one combined file with size-based rotation, an optional
// prefixed console copy, and throttled metadata for the event stream. Contract:
//   in:  raw chunks tagged stdout/stderr, in arrival order
//   out: <dir>/<service>.log (both streams, raw bytes, whole lines in arrival order) rotated to
//        .1 … .<keep>, each with its hidden time index `.<file>.times` (when and from which stream, see
//        log-times.ts); rotated files older than retentionMs removed;
//        console lines `name | text`, one console write per chunk; onMetadata at most once per interval per stream, sooner
//        (ROTATION_NOTICE_MS after the previous one) once the file has rotated, and at close
//   never: a file above maxBytes, more than keep+1 files, one metadata call per line.
// Each stream's partial last line is held back until its newline arrives (or it grows past
// MAX_LINE_CHARS, or the stream stays quiet for PARTIAL_FLUSH_MS), so lines of stdout and stderr
// never splice into each other in the shared file.
// Writes are synchronous on purpose: rotation and size accounting stay exact, and a child that
// floods its pipe is slowed down by the pipe filling up while we write, not buffered in memory.
// They cost little as long as they are per chunk, never per line: a chunk's complete lines go to
// the file in one write (writev beside the held partial line, without copying the chunk) and to
// the console in one write; the pipe is read again as soon as they return.
import { closeSync, constants, fstat, fstatSync, mkdirSync, open, openSync, renameSync, rmSync, writeSync, writevSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LineSplitter, MAX_LINE_CHARS, consolePrefix } from './log-lines.ts';
import { TimeIndex, pruneRotated, renameIfExists, timesFileOf } from './log-times.ts';
import type { OutputStream } from './spawn.ts';

// O_NOFOLLOW: a symlink planted at the log path must not carry service output out of the data dir.
const APPEND_NO_FOLLOW = constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_NOFOLLOW;

/** What onMetadata receives: the activity of one stream since the previous call for it. */
export interface LogMetadata {
  stream: OutputStream;
  file: string;
  /** Bytes of this stream written since the previous call. */
  bytes: number;
  /** Newlines of this stream written since the previous call. */
  lines: number;
  /** Bytes of this stream written since the sink was created. */
  totalBytes: number;
  /** Whether the file rotated since the previous call for this stream. */
  rotated: boolean;
}

/** Where console lines go. */
export interface LogConsole {
  /**
   * One or more prefixed lines, joined by `\n` (no trailing newline): every line a chunk of the
   * service's output completed. `service` says whose, for a console that orders lines by service.
   */
  write(lines: string, service: string): void;
  colour: boolean;
  /** Pad service names to this width so columns line up across services (default: name length). */
  width?: number;
}

/** Options of createLogSink. */
export interface LogSinkOptions {
  service: string;
  dir: string;
  /** Largest size of one file, in bytes (at least 1). */
  maxBytes: number;
  /** Rotated files kept beside the live one (0: the live file is truncated when full). */
  keep: number;
  console?: LogConsole;
  onMetadata?(meta: LogMetadata): void;
  metadataIntervalMs: number;
  /** Rotated files last written longer ago than this are removed at start and at each rotation. */
  retentionMs?: number;
}

/** An open log sink for one service. */
export interface LogSink {
  /** Path of the live log file. */
  readonly file: string;
  /** Appends one chunk; safe to pass straight from SpawnHooks.onOutput. */
  write(stream: OutputStream, chunk: Buffer | string): void;
  /** Flushes partial console lines and pending metadata, then closes the file. Idempotent. */
  close(): void;
}

/** The live log file of a service in a directory. */
export function logFileOf(dir: string, service: string): string {
  return join(dir, `${service}.log`);
}

/**
 * A rotation is reported this long after the previous report at the latest, even when the
 * interval is longer: whoever follows the file (`nestor logs -f`, the dashboard) learns of the
 * new file promptly. Not at once: a flood rotates many times a second, and one event per
 * rotation would flood the stream instead; the counts and the rotated flag accumulate meanwhile.
 */
export const ROTATION_NOTICE_MS = 1000;

const EMPTY = Buffer.alloc(0);

/** How long a partial line waits for its newline before it is written to the file anyway. */
const PARTIAL_FLUSH_MS = 500;

interface StreamMeta {
  /** Bytes after the last newline, not yet in the file. */
  held: Buffer;
  heldTimer: NodeJS.Timeout | undefined;
  bytes: number;
  lines: number;
  totalBytes: number;
  rotated: boolean;
  lastEmit: number;
  timer: NodeJS.Timeout | undefined;
  /** When the pending timer fires (performance.now() time). */
  due: number;
  splitter: LineSplitter;
}

/**
 * createLogSink with the file opened off the event loop: opening a file took a few ms of the
 * loop per spawn on a loaded machine, where a start of hundreds of services spends its time.
 */
export async function openLogSink(options: LogSinkOptions): Promise<LogSink> {
  checkLogOptions(options);
  await mkdir(options.dir, { recursive: true });
  const file = logFileOf(options.dir, options.service);
  const fd = await new Promise<number>((resolve, reject) => open(file, APPEND_NO_FOLLOW, 0o644, (err, fd) => (err ? reject(err) : resolve(fd))));
  try {
    const size = await new Promise<number>((resolve, reject) => fstat(fd, (err, st) => (err ? reject(err) : resolve(st.size))));
    return sinkOn(options, file, new RotatingFile(file, options.maxBytes, options.keep, options.retentionMs, { fd, size }));
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

function checkLogOptions(options: LogSinkOptions): void {
  if (!(options.maxBytes >= 1)) throw new RangeError(`maxBytes must be at least 1, got ${options.maxBytes}`);
  if (!Number.isInteger(options.keep) || options.keep < 0) throw new RangeError(`keep must be a whole number, got ${options.keep}`);
  if (options.retentionMs !== undefined && !(options.retentionMs >= 0)) throw new RangeError(`retentionMs must be 0 or more, got ${options.retentionMs}`);
}

/** Opens (appending) the log file of a service and returns its sink. */
export function createLogSink(options: LogSinkOptions): LogSink {
  checkLogOptions(options);
  mkdirSync(options.dir, { recursive: true });
  const file = logFileOf(options.dir, options.service);
  return sinkOn(options, file, new RotatingFile(file, options.maxBytes, options.keep, options.retentionMs));
}

function sinkOn(options: LogSinkOptions, file: string, rotator: RotatingFile): LogSink {
  const prefix = options.console
    ? consolePrefix(options.service, options.console.width ?? options.service.length, options.console.colour)
    : '';
  const meta: Record<OutputStream, StreamMeta> = { stdout: newMeta(), stderr: newMeta() };
  let closed = false;

  const emit = (stream: OutputStream): void => {
    const m = meta[stream];
    clearTimeout(m.timer);
    m.timer = undefined;
    m.lastEmit = performance.now();
    if (m.bytes === 0 && !m.rotated) return;
    const out: LogMetadata = { stream, file, bytes: m.bytes, lines: m.lines, totalBytes: m.totalBytes, rotated: m.rotated };
    m.bytes = 0;
    m.lines = 0;
    m.rotated = false;
    options.onMetadata?.(out);
  };

  // parts: consecutive pieces of one stream's output, written as one (one syscall when no
  // rotation falls inside them).
  const toFile = (stream: OutputStream, ...parts: Buffer[]): void => {
    if (rotator.write(parts, stream)) {
      meta.stdout.rotated = true;
      meta.stderr.rotated = true;
    }
  };

  const flushHeld = (stream: OutputStream): void => {
    const m = meta[stream];
    clearTimeout(m.heldTimer);
    m.heldTimer = undefined;
    const held = m.held;
    m.held = EMPTY;
    toFile(stream, held);
  };

  // The chunk itself is never copied: the held partial line and the chunk's complete lines go to
  // the file side by side; only the chunk's own partial tail (shorter than a line) is copied.
  const hold = (stream: OutputStream, buf: Buffer): void => {
    const m = meta[stream];
    const cut = buf.lastIndexOf(10);
    const tail = cut < 0 ? m.held.length + buf.length : buf.length - (cut + 1);
    if (tail > MAX_LINE_CHARS) {
      toFile(stream, m.held, buf);
      m.held = EMPTY;
    } else if (cut < 0) {
      m.held = Buffer.concat([m.held, buf]);
    } else {
      toFile(stream, m.held, buf.subarray(0, cut + 1));
      m.held = cut + 1 === buf.length ? EMPTY : Buffer.from(buf.subarray(cut + 1));
    }
    if (m.held.length === 0) return;
    // One timer per stream, pushed back on every write: the partial line waits for quiet.
    if (m.heldTimer === undefined) {
      m.heldTimer = setTimeout(() => flushHeld(stream), PARTIAL_FLUSH_MS);
      m.heldTimer.unref();
    } else {
      m.heldTimer.refresh();
    }
  };

  const schedule = (stream: OutputStream): void => {
    const m = meta[stream];
    if (options.onMetadata === undefined) return;
    const due = m.lastEmit + (m.rotated ? Math.min(options.metadataIntervalMs, ROTATION_NOTICE_MS) : options.metadataIntervalMs);
    if (m.timer !== undefined) {
      if (m.due <= due) return;
      clearTimeout(m.timer);
      m.timer = undefined;
    }
    const wait = due - performance.now();
    if (wait <= 0) return emit(stream);
    m.due = due;
    m.timer = setTimeout(() => emit(stream), wait);
    m.timer.unref();
  };

  return {
    file,
    write(stream, chunk) {
      if (closed) return;
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (buf.length === 0) return;
      hold(stream, buf);
      const m = meta[stream];
      m.bytes += buf.length;
      m.totalBytes += buf.length;
      m.lines += countNewlines(buf);
      if (options.console) {
        // One console write per chunk, not per line: a write per line is a syscall per line on
        // the thread that reads the service's pipe, and the service waits while it happens.
        const lines = m.splitter.push(buf);
        if (lines.length > 0) options.console.write(prefix + lines.join(`\n${prefix}`), options.service);
      }
      schedule(stream);
    },
    close() {
      if (closed) return;
      closed = true;
      for (const stream of ['stdout', 'stderr'] as const) {
        flushHeld(stream);
        const rest = meta[stream].splitter.flush();
        if (rest !== null && options.console) options.console.write(prefix + rest, options.service);
        emit(stream);
      }
      rotator.close();
    },
  };
}

function newMeta(): StreamMeta {
  return { held: EMPTY, heldTimer: undefined, bytes: 0, lines: 0, totalBytes: 0, rotated: false, lastEmit: -Infinity, timer: undefined, due: Infinity, splitter: new LineSplitter() };
}

function countNewlines(buf: Buffer): number {
  let n = 0;
  for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

/** A file that never grows past maxBytes: when full it moves to .1, .1 to .2, … and .keep is dropped. */
class RotatingFile {
  private fd: number;
  private size: number;
  private readonly times: TimeIndex;
  /** The stream of the parts being written, for the time index. */
  private stream: OutputStream = 'stdout';

  constructor(
    private readonly path: string,
    private readonly maxBytes: number,
    private readonly keep: number,
    private readonly retentionMs: number | undefined,
    opened?: { fd: number; size: number },
  ) {
    this.fd = opened?.fd ?? openSync(path, APPEND_NO_FOLLOW, 0o644);
    this.size = opened?.size ?? fstatSync(this.fd).size;
    this.times = new TimeIndex(path);
    if (retentionMs !== undefined) pruneRotated(path, retentionMs);
  }

  /** Appends the parts in order, rotating as often as needed; returns whether a rotation happened. */
  write(parts: Buffer[], stream: OutputStream): boolean {
    this.stream = stream;
    let total = 0;
    for (const part of parts) total += part.length;
    if (total === 0) return false;
    if (total <= this.maxBytes - this.size) {
      this.append(parts, total);
      return false;
    }
    // A rotation falls inside: rare enough that joining the parts costs nothing that matters.
    let rest = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
    let rotated = false;
    while (rest.length > 0) {
      const room = this.maxBytes - this.size;
      if (rest.length <= room) {
        this.append([rest], rest.length);
        break;
      }
      // Prefer cutting after the last newline that fits, so files hold whole lines.
      const cut = room > 0 ? rest.lastIndexOf(10, room - 1) : -1;
      if (cut >= 0) {
        this.append([rest.subarray(0, cut + 1)], cut + 1);
        rest = rest.subarray(cut + 1);
      } else if (this.size === 0) {
        // One line longer than a whole file: it has to be split.
        this.append([rest.subarray(0, room)], room);
        rest = rest.subarray(room);
      }
      this.rotate();
      rotated = true;
    }
    return rotated;
  }

  close(): void {
    this.times.close();
    closeSync(this.fd);
  }

  private append(parts: Buffer[], total: number): void {
    const nonEmpty = parts.filter((p) => p.length > 0);
    const done = nonEmpty.length === 1 ? writeSync(this.fd, nonEmpty[0] as Buffer) : writevSync(this.fd, nonEmpty);
    if (done < total) {
      // A short write (a full disk, a signal): finish the rest piece by piece.
      const rest = Buffer.concat(nonEmpty).subarray(done);
      for (let off = 0; off < rest.length; ) off += writeSync(this.fd, rest, off, rest.length - off);
    }
    this.size += total;
    this.times.mark(this.size, this.stream);
  }

  private rotate(): void {
    closeSync(this.fd);
    if (this.keep === 0) {
      rmSync(this.path, { force: true });
    } else {
      // rename over an existing target replaces it, which is how the oldest file is dropped.
      for (let i = this.keep - 1; i >= 1; i--) {
        renameIfExists(`${this.path}.${i}`, `${this.path}.${i + 1}`);
        renameIfExists(timesFileOf(`${this.path}.${i}`), timesFileOf(`${this.path}.${i + 1}`));
      }
      renameSync(this.path, `${this.path}.1`);
    }
    this.times.rotated(this.keep === 0 ? null : `${this.path}.1`);
    if (this.retentionMs !== undefined) pruneRotated(this.path, this.retentionMs);
    this.fd = openSync(this.path, APPEND_NO_FOLLOW, 0o644);
    this.size = 0;
  }
}
