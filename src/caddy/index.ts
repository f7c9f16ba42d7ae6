// Public entry of the caddy module: the module registry and the build sources it generates,
// finding the caddy binary and what it has, and building a custom Caddy with Go.
export { BUILD_MODULE_PATH, CADDY_GO_MODULE, CADDY_MODULES, DEFAULT_CADDY_VERSION, GO_DIRECTIVE, compareModules, generateBuildSources, moduleProviding, parseListModules, selectModules } from './modules.ts';
export type { BuildSources, CaddyModule, ModuleStatus } from './modules.ts';
export { CaddyNotFoundError, DEFAULT_CADDY, findCaddy, inspectCaddy } from './binary.ts';
export type { CaddyBinaryInfo } from './binary.ts';
export { GoBuildError, GoMissingError, buildCaddy } from './build.ts';
export type { BuildCaddyOptions, BuildResult } from './build.ts';
