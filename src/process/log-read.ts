// Reads log files written by the sink: the last lines (walking back into rotated files) and a
// follower that survives rotation. Both treat file.N … file.1, file as one byte stream.
import { closeSync, existsSync, fstatSync, openSync, readSync, statSync, watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { LineSplitter } from './log-lines.ts';

const BLOCK = 64 * 1024;
/** Rotated files are looked up as file.1, file.2, … up to this many. */
const MAX_ROTATED = 1000;

/** The last n lines of a log, reading backwards from the end and into rotated files as needed. */
export function tailLog(file: string, n: number): string[] {
  if (n <= 0) return [];
  const { lines, partial } = readTail(file, n, null);
  // A last line without its newline yet is still a line to someone reading the log.
  return partial.length > 0 ? [...lines, partial.toString('utf8')].slice(-n) : lines;
}

/**
 * Reads backwards over file (up to `end.size` bytes of `end.fd` when given) then file.1, file.2, …
 * until n complete lines are in hand. A trailing partial line is returned apart: a follower
 * continues it.
 */
function readTail(file: string, n: number, end: { fd: number; size: number } | null): { lines: string[]; partial: Buffer } {
  const chunks: Buffer[] = [];
  let newlines = 0;
  // n complete lines are certain once n + 1 newlines are seen: the first one closes the line before.
  for (let i = 0; i <= MAX_ROTATED && newlines <= n; i++) {
    const given = i === 0 && end !== null;
    const fd = given ? end.fd : openIfExists(i === 0 ? file : `${file}.${i}`);
    if (fd === null) {
      if (i === 0) continue; // the live file may be missing while rotated ones exist
      break;
    }
    try {
      let pos = given ? end.size : fstatSync(fd).size;
      while (pos > 0 && newlines <= n) {
        const len = Math.min(BLOCK, pos);
        pos -= len;
        const buf = Buffer.alloc(len);
        readFully(fd, buf, pos);
        chunks.unshift(buf);
        newlines += countNl(buf);
      }
    } finally {
      if (!given) closeSync(fd);
    }
  }
  const all = Buffer.concat(chunks);
  const lastNl = all.lastIndexOf(10);
  const partial = Buffer.from(all.subarray(lastNl + 1));
  if (n <= 0 || lastNl < 0) return { lines: [], partial };
  const lines = all.subarray(0, lastNl).toString('utf8').split('\n');
  return { lines: lines.slice(-n).map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)), partial };
}

function openIfExists(path: string): number | null {
  try {
    return openSync(path, 'r');
  } catch {
    return null;
  }
}

function readFully(fd: number, buf: Buffer, position: number): void {
  let off = 0;
  while (off < buf.length) {
    const got = readSync(fd, buf, off, buf.length - off, position + off);
    if (got === 0) break;
    off += got;
  }
}

function countNl(buf: Buffer): number {
  let c = 0;
  for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) c++;
  return c;
}

/** Rotated files newer than the one with inode `ino` (which now sits at file.k): file.(k-1) … file.1. */
function skippedFiles(file: string, ino: number): string[] {
  for (let k = 1; k <= MAX_ROTATED; k++) {
    let st;
    try {
      st = statSync(`${file}.${k}`);
    } catch {
      return []; // not found among the kept files (dropped, or truncated with keep 0)
    }
    if (st.ino === ino) return Array.from({ length: k - 1 }, (_, i) => `${file}.${k - 1 - i}`);
  }
  return [];
}

/** Options of followLog. */
export interface FollowOptions {
  /** Emit this many existing lines first (default 0: only new lines). */
  lines?: number;
  /** Fallback poll period; file-system notifications drive reads, this catches missed ones. */
  pollMs?: number;
}

/**
 * Calls onLine for each new complete line appended to file, following it across rotation (the
 * rest of the old file is read before switching). Returns a function that stops following.
 */
export function followLog(file: string, onLine: (line: string) => void, options: FollowOptions = {}): () => void {
  const splitter = new LineSplitter();
  let fd: number | null = openIfExists(file);
  let ino = fd === null ? -1 : fstatSync(fd).ino;
  let pos = 0;
  let stopped = false;

  const want = options.lines ?? 0;
  if (fd !== null) {
    pos = fstatSync(fd).size;
    const tail = readTail(file, want, { fd, size: pos });
    for (const line of tail.lines) onLine(line);
    splitter.push(tail.partial);
  } else if (want > 0) {
    const tail = readTail(file, want, null);
    for (const line of tail.lines) onLine(line);
  }

  const drain = (): void => {
    if (fd === null) return;
    const buf = Buffer.alloc(BLOCK);
    for (;;) {
      const got = readSync(fd, buf, 0, BLOCK, pos);
      if (got === 0) break;
      pos += got;
      for (const line of splitter.push(buf.subarray(0, got))) if (!stopped) onLine(line);
    }
  };

  const tick = (): void => {
    if (stopped) return;
    drain();
    let current: number | null = null;
    try {
      current = statSync(file).ino;
    } catch {
      return; // between rotation's rename and the new file's creation
    }
    if (fd !== null && current === ino) {
      // Same file but shorter than what we read: it was truncated in place.
      if (fstatSync(fd).size < pos) pos = 0;
      return;
    }
    if (fd !== null) {
      closeSync(fd);
      // Several rotations may have happened since the last read: the files between the one we
      // were reading and the new live file are read whole, oldest first.
      for (const path of skippedFiles(file, ino)) {
        fd = openIfExists(path);
        pos = 0;
        drain();
        if (fd !== null) closeSync(fd);
      }
    }
    fd = openIfExists(file);
    ino = fd === null ? -1 : fstatSync(fd).ino;
    pos = 0;
    drain();
  };

  let watcher: FSWatcher | null = null;
  const name = basename(file);
  if (existsSync(dirname(file))) {
    try {
      watcher = watch(dirname(file), (_event, changed) => {
        if (changed === null || changed === name || changed.startsWith(`${name}.`)) tick();
      });
      watcher.on('error', () => {}); // the poll below keeps working without notifications
    } catch {
      watcher = null;
    }
  }
  const poll = setInterval(tick, options.pollMs ?? 250);

  return () => {
    if (stopped) return;
    stopped = true;
    clearInterval(poll);
    watcher?.close();
    if (fd !== null) closeSync(fd);
    fd = null;
  };
}
