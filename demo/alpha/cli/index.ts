// Command-line parsing of the demo services (beta reuses it with one extra flag).
export { parseFlags, formatUsage, UsageError } from './flags.ts';
export type { FlagDef, FlagValues } from './flags.ts';
export { COMMON_FLAGS, parseDemoCli } from './demo-flags.ts';
export type { DemoOptions, DemoCli } from './demo-flags.ts';
