// Small real services for the hostile-input tests: `node -e` scripts, so each test states the
// exact behaviour it needs in one line, and throwaway project dirs outside the repository.
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

type Spec = Record<string, unknown>;

/** A service running `node -e <script> -- ...args` (no shell), with extra spec fields. */
export function nodeService(script: string, args: string[] = [], over: Spec = {}): Spec {
  const { process: proc, ...rest } = over;
  return { process: { command: process.execPath, args: ['-e', script, '--', ...args], ...(proc as Spec | undefined) }, ...rest };
}

/** A service that stays up doing nothing (ready at spawn: no probe). */
export function idleService(over: Spec = {}): Spec {
  return nodeService('setInterval(() => {}, 60_000)', [], over);
}

/** A fresh directory under the system tmp dir, removed after the test. */
export function tempDir(t: TestContext, prefix: string): string {
  // realpath: /tmp may itself be a symlink, and containment checks compare real paths.
  const dir = realpathSync(mkdtempSync(join(tmpdir(), `nestor-${prefix}-`)));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
