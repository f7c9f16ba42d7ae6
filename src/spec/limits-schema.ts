// Resource limits of a service (`limits`), as written and as normalized. Memory is written like
// other sizes but with its own message, so an error names the format a limit expects.
import { z } from 'zod';

/** A memory amount: a number with a unit (powers of 1024), e.g. "512MB", "1.5GB", "64MiB". */
export const MEMORY_PATTERN = /^(\d+(?:\.\d+)?)\s*(KB|KiB|MB|MiB|GB|GiB)$/;
/** Text used wherever a memory amount is expected. */
export const MEMORY_EXPECTED = 'memory size such as "512MB", "1.5GB" or "64MiB" (KB, MB, GB or KiB, MiB, GiB; powers of 1024), or a number of bytes';

const BYTES: Record<string, number> = { KB: 1024, KiB: 1024, MB: 1024 ** 2, MiB: 1024 ** 2, GB: 1024 ** 3, GiB: 1024 ** 3 };

/** Bytes of a memory amount (a number is bytes); null when it is not one or not above 0. */
export function parseMemory(value: string | number): number | null {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : null;
  const m = MEMORY_PATTERN.exec(value.trim());
  if (!m) return null;
  const bytes = Math.round(Number(m[1]) * (BYTES[m[2] as string] as number));
  return bytes > 0 ? bytes : null;
}

const memorySchema = z.union([z.number(), z.string()], { error: MEMORY_EXPECTED }).refine((v) => parseMemory(v) !== null, { error: MEMORY_EXPECTED });

/** `limits` of a service spec. */
export const limitsSchema = z
  .strictObject({
    memory: memorySchema
      .optional()
      .describe('Resident memory of the whole process group; above it for two samples in a row (every 2s), the service is restarted per restartPolicy.'),
  })
  .describe('Resource limits enforced while the service runs.');

/** Normalized limits. */
export interface ServiceLimits {
  /** RSS of the process group above which the service is restarted. */
  memoryBytes?: number;
}
