// `include:` in a project file: a service entry may pull its spec from a JSON or YAML file
// (each demo ships its own service.json) and override top-level keys beside it:
//   services:
//     alpha: { include: demo/alpha/service.json, portStrategy: random }
// Paths are relative to the project file. Resolution happens before validation, so the spec
// validator sees one plain document and its field paths stay `services.<id>.<field>`.
import { dirname, resolve } from 'node:path';
import { ConfigError } from './errors.ts';
import { readProjectFile } from './project-file.ts';
import type { ProjectFile } from './project-file.ts';

/** Reads a project file and resolves the `include:` of each service entry. */
export async function loadProjectFile(path: string): Promise<ProjectFile> {
  const file = await readProjectFile(path);
  return { ...file, raw: await resolveIncludes(file.raw, dirname(file.path), file.path) };
}

/** Replaces every `services.<id>.include` by the included document, overridden by the entry's other keys. */
export async function resolveIncludes(raw: unknown, baseDir: string, source: string): Promise<unknown> {
  if (!isObject(raw) || !isObject(raw.services)) return raw;
  const services: Record<string, unknown> = {};
  for (const [id, entry] of Object.entries(raw.services)) {
    if (!isObject(entry) || entry.include === undefined) {
      services[id] = entry;
      continue;
    }
    const { include, ...overrides } = entry;
    if (typeof include !== 'string' || include === '') {
      throw new ConfigError({ source, path: `services.${id}.include`, expected: 'the path of a service spec file', got: include });
    }
    const included = await readProjectFile(resolve(baseDir, include)).catch((err: unknown) => {
      throw new ConfigError(
        { source, path: `services.${id}.include`, expected: 'an existing, readable spec file', got: include, detail: (err as Error).message },
        { cause: err },
      );
    });
    if (!isObject(included.raw)) {
      throw new ConfigError({ source: included.path, path: null, expected: 'a service spec mapping', got: included.raw });
    }
    const { id: _ownId, ...spec } = included.raw;
    services[id] = { ...spec, ...overrides };
  }
  return { ...raw, services };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
