// Types of the dep installer. A DepEntry is a spec's `dep` block (docs/spec.md, docs/dep.md).

/** A spec's `dep` block. */
export interface DepEntry {
  /** Binary name: `.dep/bin/<name>`. */
  name: string;
  version?: string;
  /** local, path, apt, npm, url or github-release; anything else is refused. */
  source: string;
  /** For `local`: the TypeScript entry file, relative to the project directory. */
  entry?: string;
  /** github-release: the asset's file name. */
  asset?: string;
  /** url: what to download. */
  url?: string;
  /** github-release: owner/name. */
  repo?: string;
  /** apt, npm: the package (default: name). */
  package?: string;
  /** url, github-release: sha256 of the downloaded file. */
  sha256?: string;
  /** The binary's name, or its path inside an archive (default: name). */
  bin?: string;
}

/** Options of ensureDeps. */
export interface EnsureDepsOptions {
  projectDir: string;
  /** Defaults to `<projectDir>/.dep`. */
  depDir?: string;
  /** Called as each entry is checked, built or found fresh. */
  onProgress?: (progress: DepProgress) => void;
  /** Replaces https://github.com in release downloads (setting dep.mirror). */
  mirror?: string;
  /** Overrides the root check of apt installs (tests of the non-root message). */
  isRoot?: boolean;
}

/** A progress report for one entry. */
export interface DepProgress {
  name: string;
  phase: 'checking' | 'building' | 'built' | 'downloading' | 'installing' | 'installed' | 'fresh' | 'failed';
  /** downloading: bytes received so far, and the total when the server said. */
  bytes?: number;
  total?: number;
  /** What is being done, e.g. the URL or the command run. */
  detail?: string;
}

/** What ensureDeps did for one entry. */
export interface DepResult {
  name: string;
  /** Absolute path of the executable. */
  path: string;
  action: 'built' | 'installed' | 'fresh';
  ms: number;
}

/** One record of `.dep/manifest.json`. */
export interface ManifestEntry {
  name?: string;
  version?: string;
  source: string;
  /** sha256 of the installed executable (what `nestor dep verify` checks). */
  checksum?: string;
  /** The executable, relative to the dep directory (e.g. `bin/alpha`). */
  path: string;
  /** Where the executable really is (outside .dep for path and apt). */
  target?: string;
  /** ISO time of the build or install. */
  builtAt: string;
  /** local: the entry as given (relative to the project directory, `/`-separated). */
  entry?: string;
  /** local: sha256 over the recipe, the esbuild version, the entry and every bundled input's content. */
  hash?: string;
  /** local: esbuild version that built it. */
  esbuild?: string;
  /** local: every bundled input, relative to the project directory: re-hashed to detect staleness. */
  inputs?: string[];
  /** url, github-release: what was downloaded and its sha256. */
  url?: string;
  sha256?: string;
  /** apt, npm: the package; a folder inside .dep that belongs to this record (npm, downloads). */
  package?: string;
  dir?: string;
}

/** `.dep/manifest.json`: one record per built dep name. */
export type DepManifest = Record<string, ManifestEntry>;
