// Public entry of the dep installer: puts what each `dep` block names into `.dep` (docs/dep.md).
export { ensureDeps, ensureDep, depBinDir } from './ensure.ts';
export { DepError, DEP_ERROR_REASONS } from './errors.ts';
export type { DepErrorReason } from './errors.ts';
export { readManifest, manifestPath } from './manifest.ts';
export { downloadUrl, GITHUB_BASE } from './download.ts';
export { listInstalled, verifyInstalled, pruneInstalled } from './ops.ts';
export type { InstalledDep, VerifyResult, PruneResult } from './ops.ts';
export { formatProgress } from './progress.ts';
export type { DepEntry, DepResult, DepProgress, EnsureDepsOptions, ManifestEntry, DepManifest } from './types.ts';
