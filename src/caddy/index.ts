// Public entry of the caddy module: the node's managed Caddy (docs/caddy.md), the module registry
// and the build sources it generates, and building a custom Caddy with Go.
export { BUILD_MODULE_PATH, CADDY_GO_MODULE, CADDY_MODULES, DEFAULT_CADDY_VERSION, GO_DIRECTIVE, compareModules, generateBuildSources, moduleProviding, parseListModules, selectModules } from './modules.ts';
export type { BuildSources, CaddyModule, ModuleStatus } from './modules.ts';
export { inspectCaddy } from './binary.ts';
export type { CaddyBinaryInfo } from './binary.ts';
export { GoBuildError, GoMissingError, buildCaddy } from './build.ts';
export type { BuildCaddyOptions, BuildResult } from './build.ts';
export { CaddyEdge, wantsCaddy, projectWantsCaddy } from './edge.ts';
export type { EdgeOptions, EdgeSources, EdgeUrls } from './edge.ts';
export { buildEdgeConfig, resolveUpstream } from './config.ts';
export type { EdgeConfig, EdgeInput, EdgeInstance, EdgeRoute } from './config.ts';
export { findCaddy, caddyModules, CaddyNotFoundError, CaddyModuleMissingError, DEFAULT_CADDY } from './binary.ts';
export { adminGet, adminLoad, CaddyAdminError } from './admin.ts';
export { launchCaddy, caddyDirs, CaddyStartError } from './process.ts';
export type { CaddyPorts, CaddyProcess, CaddyExit } from './process.ts';
