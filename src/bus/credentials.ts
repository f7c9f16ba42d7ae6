// Per-project credentials of the embedded server (opt-in with nats.auth): generated once,
// kept in the data dir readable only by its owner, and read by every client of this project
// (CLI verbs, UIs, services) so none of them needs configuring.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EmbeddedAuth } from '../config/index.ts';

/** What a client presents to the embedded server. */
export type EmbeddedCredentials = { token: string } | { user: string; pass: string };

/** The credentials file of a data dir. */
export function credentialsPath(dataDir: string): string {
  return join(dataDir, 'nats', 'credentials.json');
}

/** The project's credentials of the wanted kind, created (mode 0600) when missing or of another kind. */
export async function ensureCredentials(dataDir: string, kind: Exclude<EmbeddedAuth, 'none'>): Promise<EmbeddedCredentials> {
  const existing = await readCredentials(dataDir);
  if (existing !== null && (kind === 'token') === 'token' in existing) return existing;
  const secret = (): string => randomBytes(24).toString('base64url');
  const creds: EmbeddedCredentials = kind === 'token' ? { token: secret() } : { user: 'nestor', pass: secret() };
  const file = credentialsPath(dataDir);
  await mkdir(join(dataDir, 'nats'), { recursive: true });
  await writeFile(file, `${JSON.stringify(creds)}\n`, { mode: 0o600 });
  // The mode of writeFile applies only to a new file; an older one is narrowed here.
  await chmod(file, 0o600);
  return creds;
}

/** The project's credentials, or null when the embedded server needs none. */
export async function readCredentials(dataDir: string): Promise<EmbeddedCredentials | null> {
  try {
    const raw = JSON.parse(await readFile(credentialsPath(dataDir), 'utf8')) as Record<string, unknown>;
    if (typeof raw.token === 'string') return { token: raw.token };
    if (typeof raw.user === 'string' && typeof raw.pass === 'string') return { user: raw.user, pass: raw.pass };
    return null;
  } catch {
    return null;
  }
}

/** The server-side `authorization` block for a config file. */
export function authorizationBlock(creds: EmbeddedCredentials): string[] {
  const q = (s: string): string => JSON.stringify(s);
  return 'token' in creds
    ? ['authorization {', `  token: ${q(creds.token)}`, '}']
    : ['authorization {', `  user: ${q(creds.user)}`, `  password: ${q(creds.pass)}`, '}'];
}
