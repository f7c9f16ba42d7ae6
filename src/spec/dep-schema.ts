// The `dep` block of a service spec: where the binary a service runs comes from. Each source
// needs its own fields; a block that cannot be installed is refused here, with the field's path,
// so `nestor validate` finds it instead of the first start (docs/dep.md).
import { z } from 'zod';

/** Every `dep.source`. */
export const DEP_SOURCES = ['local', 'path', 'apt', 'npm', 'url', 'github-release'] as const;
/** One of DEP_SOURCES. */
export type DepSource = (typeof DEP_SOURCES)[number];

/** A dep name: a file name (it names `.dep` folders and the default binary). */
export const DEP_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const SHA256 = /^[0-9a-fA-F]{64}$/;
const REPO = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
// npm versions are pinned: an exact semver, so a start never resolves a different release.
const EXACT_SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const NPM_PACKAGE = /^(?:@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;
const APT_PACKAGE = /^[a-z0-9][a-z0-9+.-]+$/;
const NAME_EXPECTED = 'dep name: letters, digits, ".", "-" or "_" (a file name, at most 64)';
const NON_EMPTY = 'non-empty string';
const text = z.string({ error: NON_EMPTY }).regex(/\S/, { error: NON_EMPTY });

const fieldsOf: Record<DepSource, readonly string[]> = {
  local: ['entry'],
  path: ['bin'],
  apt: ['package', 'bin', 'version'],
  npm: ['package', 'version', 'bin'],
  url: ['url', 'sha256', 'bin'],
  'github-release': ['repo', 'version', 'asset', 'sha256', 'bin'],
};
const needs: Record<DepSource, readonly string[]> = {
  local: ['entry'],
  path: [],
  apt: [],
  npm: ['version'],
  url: ['url', 'sha256'],
  'github-release': ['repo', 'version', 'asset', 'sha256'],
};

/** `dep: { name, source, ... }` as written. */
export const depSchema = z
  .strictObject({
    name: z.string({ error: NAME_EXPECTED }).regex(DEP_NAME_PATTERN, { error: NAME_EXPECTED }).describe('Dependency name in .dep/ (a file name); the default binary name.'),
    version: z.string({ error: 'a version string (quoted in YAML when it looks like a number)' }).optional().describe('Version: the release tag (github-release), the exact npm version, the Debian version (apt, optional).'),
    source: z
      .enum(DEP_SOURCES, { error: `one of ${DEP_SOURCES.join(', ')}` })
      .describe('Where the binary comes from: local (esbuild build of entry), path (already on the machine), apt, npm, url, github-release.'),
    asset: text.optional().describe('github-release: the release asset to download, e.g. "redis-7.2.4-linux-amd64.tar.gz".'),
    entry: text.optional().describe('local: the TypeScript entry to build, relative to the project directory.'),
    url: z.string({ error: 'an http(s) URL' }).regex(/^https?:\/\/\S+$/, { error: 'an http(s) URL' }).optional().describe('url: the file or archive (.tar.gz, .tgz, .zip or a bare binary) to download.'),
    repo: z.string({ error: 'owner/name' }).regex(REPO, { error: 'owner/name' }).optional().describe('github-release: the repository, owner/name.'),
    package: text.optional().describe('apt or npm: the package name. Default: the dep name.'),
    sha256: z.string({ error: 'a sha256: 64 hex digits (quoted in YAML)' }).regex(SHA256, { error: 'a sha256: 64 hex digits' }).optional().describe('url, github-release: sha256 of the downloaded file; a download that differs is refused.'),
    bin: text.optional().describe('The binary: its name (or path inside an archive); linked as .dep/bin/<basename>. Default: the dep name.'),
  })
  .superRefine((dep, ctx) => {
    const source = dep.source;
    for (const field of needs[source]) {
      if ((dep as Record<string, unknown>)[field] === undefined) {
        ctx.addIssue({ code: 'custom', path: [field], message: `${field} (source ${source} needs it)`, input: undefined });
      }
    }
    for (const field of ['entry', 'url', 'repo', 'package', 'sha256', 'asset', 'bin'] as const) {
      if (dep[field] !== undefined && !fieldsOf[source].includes(field)) {
        ctx.addIssue({ code: 'custom', path: [field], message: `no ${field} with source ${source} (it takes ${fieldsOf[source].join(', ')})`, input: dep[field] });
      }
    }
    if (source === 'npm' && dep.version !== undefined && !EXACT_SEMVER.test(dep.version)) {
      ctx.addIssue({ code: 'custom', path: ['version'], message: 'an exact version such as "1.6.0" (npm deps are pinned)', input: dep.version });
    }
    if (source === 'npm' && dep.package !== undefined && !NPM_PACKAGE.test(dep.package)) {
      ctx.addIssue({ code: 'custom', path: ['package'], message: 'an npm package name', input: dep.package });
    }
    if (source === 'apt' && !APT_PACKAGE.test(dep.package ?? dep.name)) {
      ctx.addIssue({ code: 'custom', path: [dep.package === undefined ? 'name' : 'package'], message: 'a Debian package name (lower case)', input: dep.package ?? dep.name });
    }
    if (dep.bin !== undefined && (dep.bin.startsWith('/') || dep.bin.split('/').includes('..')) && source !== 'path') {
      ctx.addIssue({ code: 'custom', path: ['bin'], message: 'a name or a relative path inside the package', input: dep.bin });
    }
  })
  .describe('Binary provisioned into .dep/bin ({dep.bin}) before the first start: see docs/dep.md.');

/** A validated `dep` block. */
export type DepSpec = z.output<typeof depSchema>;
