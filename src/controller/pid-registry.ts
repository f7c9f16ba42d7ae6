// Pids of the service processes this data dir's controller started, kept on disk so a later run
// can tell its own leftovers (stale processes to reclaim) from someone else's (a conflict).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** One recorded process: the group leader's pid and its /proc start time (guards pid reuse). */
export interface PidRecord {
  pid: number;
  startTime: number | null;
  ports: Record<string, number>;
}

/** The recorded pids of one data dir. */
export class PidRegistry {
  private records: Record<string, PidRecord>;

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

  /** Records a started process. */
  record(service: string, rec: PidRecord): void {
    this.records = { ...this.records, [service]: rec };
    this.flush();
  }

  /** Forgets a service's process once it (and its group) is gone. */
  clear(service: string, pid: number): void {
    if (this.records[service]?.pid !== pid) return;
    const { [service]: _gone, ...rest } = this.records;
    this.records = rest;
    this.flush();
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
    // Write then rename, so a crash never leaves half a file for the next run to misread.
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, PidRegistry.format(this.records));
    renameSync(tmp, this.file);
  }
}
