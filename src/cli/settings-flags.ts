// The setting flags of `nestor up` (`--data-dir`, `--nats-port`, `--api-port`, ...), built from
// the config module's SETTINGS table so that every setting reachable by an environment variable
// is reachable by its flag too, spelled in one place (docs/config.md lists them).
import type { Command } from 'commander';
// The light entry: every invocation builds `up`'s flags from the table, schema or not.
import { SETTINGS, parseSettingValue, setSettingPath } from '../config/light.ts';
import type { Setting } from '../config/light.ts';
import type { ConfigInput } from '../config/index.ts';

const collectValues = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Adds one option per setting; list settings may be repeated or comma-separated. */
export function addSettingOptions(cmd: Command): Command {
  for (const s of SETTINGS) {
    const text = `setting ${s.path} (env ${s.env})`;
    if (s.kind === 'bool') cmd.option(s.flag, text);
    else if (s.kind === 'list') cmd.option(`${s.flag} <value>`, `${text}; repeatable`, collectValues);
    else cmd.option(`${s.flag} <value>`, text);
  }
  cmd.option('--join <url>', 'join the NATS cluster at this route URL (like --cluster-route; cluster name "nestor" and port 6222 unless given); repeatable', collectValues);
  return cmd;
}

/** The `--join` URLs given, for loadConfig's `join` option. */
export function joinFromOptions(opts: Record<string, unknown>): string[] {
  const raw = opts.join;
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((v) => parseSettingValue('list', String(v)) as string[]);
}

/** The settings given as flags, as a config layer (loadConfig validates it and names the flag). */
export function settingsFromOptions(opts: Record<string, unknown>): ConfigInput {
  const layer: Record<string, unknown> = {};
  for (const s of SETTINGS) {
    const raw = opts[optionKey(s)];
    if (raw === undefined) continue;
    const value = s.kind === 'bool' ? raw === true : parseSettingValue(s.kind, Array.isArray(raw) ? raw.join(',') : String(raw));
    setSettingPath(layer, s.path, value);
  }
  return layer as ConfigInput;
}

/** The command-line words of the settings given, to pass them on to a child `nestor up`. */
export function settingsArgv(opts: Record<string, unknown>): string[] {
  const argv: string[] = [];
  for (const s of SETTINGS) {
    const raw = opts[optionKey(s)];
    if (raw === undefined) continue;
    if (s.kind === 'bool') argv.push(s.flag);
    else for (const v of Array.isArray(raw) ? raw : [raw]) argv.push(s.flag, String(v));
  }
  for (const url of joinFromOptions(opts)) argv.push('--join', url);
  return argv;
}

// commander's attribute name: `--nats-port` → natsPort.
function optionKey(s: Setting): string {
  return s.flag.replace(/^--/, '').replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}
