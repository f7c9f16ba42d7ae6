// Pids of the service processes this data dir's controller started, kept on disk so a later run
// can tell its own leftovers (stale processes to reclaim) from someone else's (a conflict).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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
  private pendingFlush: NodeJS.Timeout | undefined;

  constructor(private readonly file: string) {
    this.records = PidRegistry.read(file);
  }

  /** The registry file of a data dir. */
  static pathIn(dataDir: string): string {
    return join(dataDir, 'pids.json');
  }

  private static read(file: string): Record<string, PidRecord> {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as Record<string, PidRecord>;
    } catch {
      return {};
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
    this.records = { ...this.records, [service]: rec };
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
    const { [service]: _gone, ...rest } = this.records;
    this.records = rest;
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
    const lines = Object.entries(records).map(([service, r]) => `${JSON.stringify(service)}:${JSON.stringify({ pid: r.pid, startTime: r.startTime, ports: r.ports })}`);
    return `{\n${lines.join(',\n')}\n}\n`;
  }

  private flush(): void {
    clearTimeout(this.pendingFlush);
    this.pendingFlush = undefined;
    // Write then rename, so a crash never leaves half a file for the next run to misread.
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, PidRegistry.format(this.records));
    renameSync(tmp, this.file);
  }
}
