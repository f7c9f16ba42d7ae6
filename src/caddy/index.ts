// Public entry of the caddy module: the node's managed Caddy (docs/caddy.md).
export { CaddyEdge, wantsCaddy, projectWantsCaddy } from './edge.ts';
export type { EdgeOptions, EdgeSources, EdgeUrls } from './edge.ts';
export { buildEdgeConfig, resolveUpstream } from './config.ts';
export type { EdgeConfig, EdgeInput, EdgeInstance, EdgeRoute } from './config.ts';
export { findCaddy, caddyModules, CaddyNotFoundError, CaddyModuleMissingError, DEFAULT_CADDY } from './binary.ts';
export { adminGet, adminLoad, CaddyAdminError } from './admin.ts';
export { launchCaddy, caddyDirs, CaddyStartError } from './process.ts';
export type { CaddyPorts, CaddyProcess, CaddyExit } from './process.ts';
