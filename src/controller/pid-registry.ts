// Pids of the service processes this data dir's controller started, kept on disk so a later run
// can tell its own leftovers (stale processes to reclaim) from someone else's (a conflict).
import { closeSync, constants, fstatSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** How long a clear may wait for its write (a record() in between writes it sooner). */
const CLEAR_FLUSH_MS = 100;

/** One recorded process: the group leader's pid and its /proc start time (guards pid reuse). */
export interface PidRecord {
  pid: number;
  startTime: number | null;
  ports: Record<string, number>;
}

/** The recorded pids of one data dir. */
export class PidRegistry {
  private records: Record<string, PidRecord>;
  /** Each record's line as format() writes it, kept so a flush joins lines instead of serializing every record again. */
  private readonly lines = new Map<string, string>();
  private pendingFlush: NodeJS.Timeout | undefined;
  /** The open registry file and the bytes it holds, once the first flush opened it. */
  private out: { fd: number; size: number } | null = null;

  constructor(private readonly file: string) {
    this.records = PidRegistry.read(file);
    for (const [service, r] of Object.entries(this.records)) this.lines.set(service, PidRegistry.line(service, r));
  }

  /** The registry file of a data dir. */
  static pathIn(dataDir: string): string {
    return join(dataDir, 'pids.json');
  }

  private static read(file: string): Record<string, PidRecord> {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return {};
    }
    try {
      return JSON.parse(text) as Record<string, PidRecord>;
    } catch {
      // A write cut short by a crash (see flush) mixes whole lines of two versions: every whole
      // record line is still worth reclaiming, as the guardian does.
      const records: Record<string, PidRecord> = {};
      for (const line of text.split('\n')) {
        try {
          Object.assign(records, JSON.parse(`{${line.trim().replace(/,$/, '')}}`) as Record<string, PidRecord>);
        } catch {
          // not a whole record
        }
      }
      return records;
    }
  }

  /** The record left for a service (by this run or an earlier one). */
  get(service: string): PidRecord | undefined {
    return this.records[service];
  }

  /** Every recorded pid, for telling stale port holders from foreign ones. */
  pids(): number[] {
    return Object.values(this.records).map((r) => r.pid);
  }

  /** Records a started process (on disk at once: a crash right after must still find it). */
  record(service: string, rec: PidRecord): void {
    this.records[service] = rec;
    this.lines.set(service, PidRegistry.line(service, rec));
    this.flush();
  }

  /**
   * Forgets a service's process once it (and its group) is gone. Written to disk a moment
   * later, not at once: the write sits between an exit and the restart that follows (a
   * millisecond, ten on a busy disk), the restart's record() writes it anyway, and a record
   * outliving its process is harmless (readers compare its start time with /proc).
   */
  clear(service: string, pid: number): void {
    if (this.records[service]?.pid !== pid) return;
    delete this.records[service];
    this.lines.delete(service);
    this.pendingFlush ??= setTimeout(() => this.flush(), CLEAR_FLUSH_MS).unref();
  }

  /** Writes a clear still waiting for its write (at shutdown). */
  settle(): void {
    if (this.pendingFlush !== undefined) this.flush();
  }

  /**
   * JSON with one record per line, pid and startTime first: the guardian (a POSIX sh script)
   * reads it line by line with sed.
   */
  static format(records: Record<string, PidRecord>): string {
    return PidRegistry.join(Object.entries(records).map(([service, r]) => PidRegistry.line(service, r)));
  }

  private static line(service: string, r: PidRecord): string {
    return `${JSON.stringify(service)}:${JSON.stringify({ pid: r.pid, startTime: r.startTime, ports: r.ports })}`;
  }

  private static join(lines: Iterable<string>): string {
    return `{\n${[...lines].join(',\n')}\n}\n`;
  }

  /** Closes the registry file (its content stays for the guardian and the next run). */
  close(): void {
    this.settle();
    if (this.out !== null) closeSync(this.out.fd);
    this.out = null;
  }

  // Rewritten in place, in one write at offset 0, padded with spaces to the old length (JSON and
  // the guardian's sed both skip them) and only then cut to size, so a crash leaves a whole file.
  // (A SIGKILL inside the write may stop it at a page boundary; read() then keeps every whole
  // line, and the guardian checks each pid's start time.) Write-then-rename was atomic too, but
  // the rename over the old file costs several ms on ext4 (it starts the new file's writeback)
  // and ran synchronously for every spawn and exit, on the loop starting hundreds of services.
  private flush(): void {
    clearTimeout(this.pendingFlush);
    this.pendingFlush = undefined;
    if (this.out === null) {
      mkdirSync(dirname(this.file), { recursive: true });
      const fd = openSync(this.file, constants.O_RDWR | constants.O_CREAT, 0o644);
      this.out = { fd, size: fstatSync(fd).size };
    }
    const text = Buffer.from(PidRegistry.join(this.lines.values()));
    const padded = text.length >= this.out.size ? text : Buffer.concat([text, Buffer.alloc(this.out.size - text.length, 0x20)]);
    for (let done = 0; done < padded.length; ) done += writeSync(this.out.fd, padded, done, padded.length - done, done);
    if (padded.length > text.length) ftruncateSync(this.out.fd, text.length);
    this.out.size = text.length;
  }
}
