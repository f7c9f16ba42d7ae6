// Beta's only upstream call: alpha's /api/info, with a short timeout so a hung alpha makes
// beta's page and health answer promptly rather than hang with it.
import type { DemoInfo } from '../../alpha/web/index.ts';

/** Alpha answered with its info, or did not (with why). */
export type AlphaAnswer = { ok: true; info: DemoInfo } | { ok: false; error: string };

/** Upstream call counters, exported as metrics. */
export interface UpstreamStats {
  ok: number;
  error: number;
}

/** Fetches alpha's /api/info. Never throws. */
export async function fetchAlphaInfo(alphaUrl: string, stats: UpstreamStats, timeoutMs = 1000): Promise<AlphaAnswer> {
  try {
    const res = await fetch(`${alphaUrl}/api/info`, { signal: AbortSignal.timeout(timeoutMs) });
    if (res.status !== 200) {
      await res.body?.cancel();
      stats.error++;
      return { ok: false, error: `alpha answered ${res.status}` };
    }
    const info = (await res.json()) as DemoInfo;
    stats.ok++;
    return { ok: true, info };
  } catch (err) {
    stats.error++;
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return { ok: false, error: `alpha unreachable at ${alphaUrl}: ${cause ?? (err as Error).message}` };
  }
}
