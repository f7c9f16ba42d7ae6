// The package version, read once from package.json so that a release changes one place.
import { readFileSync } from 'node:fs';

/** Version of this Nestor: `nestor --version`, `orchestrator.node.up` events, `nestor info`. */
export const NESTOR_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
