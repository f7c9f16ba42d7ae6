// A node's id is generated once per data directory and kept in `<dataDir>/node-id`, so a node
// keeps its identity (subjects, JetStream server name) across restarts, while two checkouts on
// one host still differ.
import { randomBytes } from 'node:crypto';
import { link, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ID_PATTERN } from '../events/index.ts';
import { ConfigError } from './errors.ts';

/** Name of the file holding the node id inside the data dir. */
export const NODE_ID_FILE = 'node-id';

/** `<hostname>-<4 hex>` reduced to letters, digits, "-" and "_" so it is a valid subject token. */
export function makeNodeId(host: string, random: Uint8Array): string {
  const suffix = Buffer.from(random.subarray(0, 2)).toString('hex').padStart(4, '0');
  const base = host
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '')
    .slice(0, 48);
  return `${base === '' ? 'node' : base}-${suffix}`;
}

/** The node id stored in `dataDir`, generated and stored on first use. */
export async function readOrCreateNodeId(dataDir: string): Promise<string> {
  const file = join(dataDir, NODE_ID_FILE);
  const existing = await readNodeId(file);
  if (existing !== null) return existing;
  const id = makeNodeId(hostname(), randomBytes(2));
  // Written aside and hard-linked into place: the link appears complete or not at all, and
  // fails if another process got there first, in which case its id wins.
  const tmp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, `${id}\n`);
  try {
    await link(tmp, file);
    return id;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const winner = await readNodeId(file);
    if (winner === null) throw new Error(`node id file ${file} vanished while being created`, { cause: err });
    return winner;
  } finally {
    await rm(tmp, { force: true });
  }
}

async function readNodeId(file: string): Promise<string | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const id = text.trim();
  if (!ID_PATTERN.test(id)) {
    throw new ConfigError({
      source: file,
      path: null,
      expected: 'a node id of letters, digits, "-" or "_" (delete the file to generate a new one)',
      got: id,
    });
  }
  return id;
}
