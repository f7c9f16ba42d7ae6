// A small flag parser for the demo services (node:util's parseArgs has no env fallbacks or
// typed numbers). Flags: `--name`, `--name value`, `--name=value`. A flag given on the command
// line wins over its environment variable.

/** One flag: its kind, optional environment variable, and help line. */
export interface FlagDef {
  name: string;
  kind: 'boolean' | 'number' | 'string';
  /** Environment variable with the same meaning (booleans: 1/true/yes vs 0/false/no). */
  env?: string;
  /** Placeholder shown in the usage, e.g. `<ms>`. */
  arg?: string;
  help: string;
}

/** Parsed values by flag name; absent flags are missing. */
export type FlagValues = Record<string, string | number | boolean>;

/** The command line is wrong; the service prints `message` and the usage and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Parses argv (without node and the script) against `defs`, then fills gaps from `env`. */
export function parseFlags(argv: readonly string[], defs: readonly FlagDef[], env: NodeJS.ProcessEnv): { values: FlagValues; help: boolean } {
  const byName = new Map(defs.map((d) => [d.name, d]));
  const values: FlagValues = {};
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (token === '--help' || token === '-h') {
      help = true;
      continue;
    }
    if (!token.startsWith('--')) throw new UsageError(`unexpected argument ${JSON.stringify(token)}`);
    const eq = token.indexOf('=');
    const name = token.slice(2, eq === -1 ? undefined : eq);
    const def = byName.get(name);
    if (def === undefined) throw new UsageError(`unknown flag --${name}`);
    let raw: string | undefined = eq === -1 ? undefined : token.slice(eq + 1);
    if (def.kind === 'boolean') {
      values[name] = raw === undefined ? true : toBoolean(raw, `--${name}`);
      continue;
    }
    if (raw === undefined) {
      raw = argv[i + 1];
      if (raw === undefined) throw new UsageError(`--${name} needs a value ${def.arg ?? ''}`.trim());
      i++;
    }
    values[name] = convert(def, raw, `--${name}`);
  }
  for (const def of defs) {
    const raw = def.env === undefined ? undefined : env[def.env];
    if (values[def.name] !== undefined || raw === undefined || raw === '') continue;
    values[def.name] = def.kind === 'boolean' ? toBoolean(raw, def.env as string) : convert(def, raw, def.env as string);
  }
  return { values, help };
}

/** The usage text printed by --help. */
export function formatUsage(program: string, summary: string, defs: readonly FlagDef[]): string {
  const rows = defs.map((d) => [`--${d.name}${d.arg ? ` ${d.arg}` : ''}`, d.help + (d.env ? ` (env ${d.env})` : '')] as const);
  const width = Math.max(...rows.map(([left]) => left.length), 6) + 2;
  const lines = rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`);
  return [`Usage: ${program} [options]`, '', summary, '', 'Options:', ...lines, `  ${'--help'.padEnd(width)}Show this help and exit`, ''].join('\n');
}

function convert(def: FlagDef, raw: string, where: string): string | number {
  if (def.kind === 'string') return raw;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n < 0) throw new UsageError(`${where} expects a non-negative integer, got ${JSON.stringify(raw)}`);
  return n;
}

function toBoolean(raw: string, where: string): boolean {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
  throw new UsageError(`${where} expects a boolean (1/0, true/false), got ${JSON.stringify(raw)}`);
}
