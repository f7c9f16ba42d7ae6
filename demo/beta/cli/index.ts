// Beta's command line: the demo flags shared with alpha, plus where alpha is.
import type { FlagDef, FlagValues } from '../../alpha/cli/index.ts';

export { parseDemoCli, UsageError } from '../../alpha/cli/index.ts';

/** Default alpha URL, matching alpha's fixed spec port. */
export const DEFAULT_ALPHA_URL = 'http://127.0.0.1:7101';

/** Flags only beta has. */
export const BETA_FLAGS: readonly FlagDef[] = [
  { name: 'alpha-url', kind: 'string', arg: '<url>', env: 'DEMO_ALPHA_URL', help: `Base URL of alpha (default ${DEFAULT_ALPHA_URL})` },
];

/** The alpha URL from parsed values, without a trailing slash; throws on a malformed URL. */
export function alphaUrlFrom(values: FlagValues): string {
  const raw = (values['alpha-url'] as string | undefined) ?? DEFAULT_ALPHA_URL;
  const url = new URL(raw);
  return url.href.replace(/\/+$/, '');
}
