// Reads the env files of a service on the node that spawns it (they are local files of the
// project directory, so they never travel in events): Nestor's own environment < the project's
// `.env` < each `envFile` in order. The spec's `process.env` goes on top in the runner.
// Synchronous on purpose, like the working-directory check of spawn.ts: a few small files.
import { readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { SpecError, parseEnvFile } from '../spec/index.ts';
import type { Project, SpecIssue } from '../spec/index.ts';
import { errnoCode } from './errors.ts';

/** The project-wide env file, read for every service when it exists. */
export const PROJECT_ENV_FILE = '.env';

/** Env files that are missing or malformed; each issue names the field or the file and line. */
export class EnvFileError extends SpecError {
  constructor(issues: readonly SpecIssue[]) {
    super(issues);
    this.name = 'EnvFileError';
  }
}

interface Layer {
  file: string;
  /** The file as shown in messages: relative to the project directory when inside it. */
  shown: string;
  /** The spec field naming it (services.api.envFile[0]); null for the project's .env. */
  field: string | null;
}

function layersOf(projectDir: string, service: string, envFile: readonly string[] | undefined): Layer[] {
  const show = (file: string): string => {
    const rel = relative(projectDir, file);
    return rel.startsWith('..') || isAbsolute(rel) ? file : rel;
  };
  const project = resolve(projectDir, PROJECT_ENV_FILE);
  const layers: Layer[] = [{ file: project, shown: show(project), field: null }];
  (envFile ?? []).forEach((name, i) => {
    const file = resolve(projectDir, name);
    const field = `services.${service}.envFile${envFile && envFile.length > 1 ? `[${i}]` : ''}`;
    layers.push({ file, shown: show(file), field });
  });
  return layers;
}

/**
 * A service's environment before its spec's `process.env`: `base` (Nestor's own environment),
 * then the project's .env, then its env files in order, later ones winning. Values may refer
 * to variables of the layers below and to earlier lines. Throws EnvFileError listing every problem.
 */
export function loadServiceEnv(
  projectDir: string,
  service: string,
  envFile: readonly string[] | undefined,
  base: Readonly<Record<string, string>>,
): Record<string, string> {
  const issues: SpecIssue[] = [];
  const env = readLayers(layersOf(projectDir, service, envFile), { ...base }, issues, new Set());
  if (issues.length > 0) throw new EnvFileError(issues);
  return env;
}

/**
 * Problems of the project's .env and of the env files of `ids` (every service by default), each
 * malformed line reported once even when several services read its file: what `nestor validate`
 * and `nestor up` check before anything starts.
 */
export function checkEnvFiles(project: Project, projectDir: string, base: Readonly<Record<string, string>>, ids?: readonly string[]): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const seen = new Set<string>();
  for (const id of ids ?? Object.keys(project.services)) {
    const spec = project.services[id];
    if (spec !== undefined) readLayers(layersOf(projectDir, id, spec.envFile), { ...base }, issues, seen);
  }
  return issues;
}

function readLayers(layers: Layer[], env: Record<string, string>, issues: SpecIssue[], seen: Set<string>): Record<string, string> {
  for (const layer of layers) {
    let text: string;
    try {
      text = readFileSync(layer.file, 'utf8');
    } catch (err) {
      const code = errnoCode(err);
      if (layer.field === null && code === 'ENOENT') continue;
      issues.push({
        path: layer.field ?? layer.shown,
        expected: 'an env file that exists and can be read, relative to the project directory',
        got: `${JSON.stringify(layer.shown)} (${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')})`,
      });
      continue;
    }
    const parsed = parseEnvFile(text, (name) => (Object.hasOwn(env, name) ? env[name] : undefined));
    if (!parsed.ok) {
      for (const p of parsed.problems) {
        const at = `${layer.shown}:${p.line}`;
        if (seen.has(at)) continue;
        seen.add(at);
        issues.push({ path: layer.field === null ? at : `${at} (${layer.field})`, expected: p.expected, got: p.got });
      }
      continue;
    }
    for (const [k, v] of parsed.entries) env[k] = v;
  }
  return env;
}
