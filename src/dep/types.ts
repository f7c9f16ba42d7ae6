// Types of the dep installer. A DepEntry is a spec's `dep` block (docs/spec.md); only
// `source: "local"` entries (a TypeScript entry file bundled with esbuild) can be built offline.

/** A spec's `dep` block. */
export interface DepEntry {
  /** Binary name: `.dep/bin/<name>`. */
  name: string;
  version?: string;
  /** `local` is built here; anything else (github-release, ...) is refused. */
  source: string;
  /** For `local`: the TypeScript entry file, relative to the project directory. */
  entry?: string;
  asset?: string;
}

/** Options of ensureDeps. */
export interface EnsureDepsOptions {
  projectDir: string;
  /** Defaults to `<projectDir>/.dep`. */
  depDir?: string;
  /** Called as each entry is checked, built or found fresh. */
  onProgress?: (progress: DepProgress) => void;
}

/** A progress report for one entry. */
export interface DepProgress {
  name: string;
  phase: 'checking' | 'building' | 'built' | 'fresh' | 'failed';
}

/** What ensureDeps did for one entry. */
export interface DepResult {
  name: string;
  /** Absolute path of the executable. */
  path: string;
  action: 'built' | 'fresh';
  ms: number;
}

/** One record of `.dep/manifest.json`. */
export interface ManifestEntry {
  version?: string;
  source: string;
  /** The entry as given (relative to the project directory, `/`-separated). */
  entry: string;
  /** sha256 over the recipe, the esbuild version, the entry and every bundled input's content. */
  hash: string;
  /** ISO time of the build. */
  builtAt: string;
  /** The executable, relative to the dep directory (e.g. `bin/alpha`). */
  path: string;
  /** esbuild version that built it. */
  esbuild: string;
  /** Every bundled input, relative to the project directory: re-hashed to detect staleness. */
  inputs: string[];
}

/** `.dep/manifest.json`: one record per built dep name. */
export type DepManifest = Record<string, ManifestEntry>;
