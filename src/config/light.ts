// The config module's light entry: what every `nestor` invocation needs before it knows its verb
// (the version, the settings table its flags are built from, the error class its exit codes
// read). index.ts also exports the loader, whose schema (zod) and project-file reader (yaml)
// cost more to import than `nestor --version` takes in all; nothing here imports a package.
export { ConfigError } from './errors.ts';
export type { ConfigProblem } from './errors.ts';
export { SETTINGS, parseSettingValue, setSettingPath } from './settings-table.ts';
export type { Setting, SettingKind } from './settings-table.ts';
export { NESTOR_VERSION } from './version.ts';
