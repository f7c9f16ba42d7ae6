// Public entry of the config module (a shell: reads files and the environment). light.ts is
// the subset the CLI's startup needs, without the schema (zod) and the project-file reader (yaml).
export { ConfigError } from './errors.ts';
export type { ConfigProblem } from './errors.ts';
export { loadConfig, TEST_DATA_ROOT } from './load.ts';
export type { LoadConfigOptions } from './load.ts';
export { readProjectFile, findProjectFile, PROJECT_FILE_NAMES } from './project-file.ts';
export type { ProjectFile, SourcePosition } from './project-file.ts';
export { DEFAULTS, MAX_NODE_TAGS } from './schema.ts';
export type { ConfigInput, NestorConfig, NatsConfig, NatsMode, StoreKind, ClusterConfig, EventsConfig, ApiConfig, EmbeddedAuth, MembershipConfig, CaddyConfig } from './schema.ts';
export { SETTINGS, parseSettingValue, setSettingPath } from './settings-table.ts';
export type { Setting, SettingKind } from './settings-table.ts';
export { NODE_ID_FILE, makeNodeId } from './node-id.ts';
export { runtimeInfoPath, writeRuntimeInfo, readRuntimeInfo, removeRuntimeInfo } from './runtime-info.ts';
export type { RuntimeInfo } from './runtime-info.ts';
export { loadProjectFile, resolveIncludes } from './includes.ts';
export { NESTOR_VERSION } from './version.ts';
