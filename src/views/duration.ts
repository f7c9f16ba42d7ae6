// Durations as people read them, the same in tables, feeds and event lines.

/** A compact duration: 850ms, 42s, 3m 12s, 2h 05m, 4d 07h. Negative durations read as 0s. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '0s';
  if (ms < 1000) return `${Math.floor(ms)}ms`;
  const sec = Math.floor(ms / 1000);
  if (sec < 60) return `${sec}s`;
  const min = Math.floor(sec / 60);
  if (min < 60) return `${min}m ${pad(sec % 60)}s`;
  const hours = Math.floor(min / 60);
  if (hours < 24) return `${hours}h ${pad(min % 60)}m`;
  return `${Math.floor(hours / 24)}d ${pad(hours % 24)}h`;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
