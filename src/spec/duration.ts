// Durations and sizes as people write them in a spec ("250ms", "5s", "10MB") or as plain
// numbers (milliseconds, bytes). Parsing is total over what the schema accepts.

/** A duration: a number with one unit (ms, s, m, h, d), e.g. "250ms", "1.5s", "2m". */
export const DURATION_PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
/** A size: a number with an optional unit (B, KB, MB, GB; powers of 1024), e.g. "10MB". */
export const SIZE_PATTERN = /^(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB|GB|GiB)?$/;

/** Text used wherever a duration is expected, so every message reads the same. */
export const DURATION_EXPECTED = 'duration such as "250ms", "5s", "2m", "1h" or a number of milliseconds';
/** Text used wherever a size is expected. */
export const SIZE_EXPECTED = 'size such as "512KB", "10MB", "1GB" or a number of bytes';

const MS_PER_UNIT: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const BYTES_PER_UNIT: Record<string, number> = {
  B: 1,
  KB: 1024,
  KiB: 1024,
  MB: 1024 ** 2,
  MiB: 1024 ** 2,
  GB: 1024 ** 3,
  GiB: 1024 ** 3,
};

/** Milliseconds of a duration (a number is taken as milliseconds); null when it is not one. */
export function parseDuration(value: string | number): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value) : null;
  const m = DURATION_PATTERN.exec(value);
  if (!m) return null;
  return Math.round(Number(m[1]) * (MS_PER_UNIT[m[2] as string] as number));
}

/** Bytes of a size (a number is taken as bytes); null when it is not one. */
export function parseSize(value: string | number): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value) : null;
  const m = SIZE_PATTERN.exec(value);
  if (!m) return null;
  return Math.round(Number(m[1]) * (BYTES_PER_UNIT[m[2] ?? 'B'] as number));
}
