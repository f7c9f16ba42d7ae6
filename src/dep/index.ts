// Public entry of the dep installer: builds `source: "local"` deps into `.dep/bin/<name>`.
export { ensureDeps, ensureDep, depBinDir } from './ensure.ts';
export { DepError, DEP_ERROR_REASONS } from './errors.ts';
export type { DepErrorReason } from './errors.ts';
export { readManifest, manifestPath } from './manifest.ts';
export type { DepEntry, DepResult, DepProgress, EnsureDepsOptions, ManifestEntry, DepManifest } from './types.ts';
