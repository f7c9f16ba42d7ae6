// What every installer of a non-local source receives.
import type { DepEntry, DepProgress, ManifestEntry } from './types.ts';

/** One entry's install: where .dep is, its previous record, and how to report progress. */
export interface InstallContext {
  entry: DepEntry;
  depDir: string;
  previous: ManifestEntry | undefined;
  mirror?: string;
  isRoot: boolean;
  progress(p: Omit<DepProgress, 'name'>): void;
}
