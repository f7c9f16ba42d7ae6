// Progress lines of the installers for a terminal: one line per phase, and for a download a line
// at its start, then at most one a second with the bytes so far, so a slow download shows it moves
// without flooding a log.
import type { DepProgress } from './types.ts';

/** Returns an onProgress callback that writes readable lines through `write`. */
export function formatProgress(write: (line: string) => void, intervalMs = 1000): (p: DepProgress) => void {
  const lastAt = new Map<string, number>();
  return (p) => {
    if (p.phase === 'checking') return;
    if (p.phase !== 'downloading') {
      write(`dep ${p.name}: ${p.phase}${p.detail === undefined ? '' : ` (${p.detail})`}`);
      return;
    }
    const now = Date.now();
    const last = lastAt.get(p.name);
    const done = p.total !== undefined && p.bytes === p.total;
    if (last !== undefined && now - last < intervalMs && !done) return;
    lastAt.set(p.name, now);
    const size = p.total === undefined ? bytesText(p.bytes ?? 0) : `${bytesText(p.bytes ?? 0)} of ${bytesText(p.total)} (${Math.floor(((p.bytes ?? 0) * 100) / p.total)}%)`;
    write(`dep ${p.name}: downloading ${p.detail ?? ''} ${size}`);
  };
}

function bytesText(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
