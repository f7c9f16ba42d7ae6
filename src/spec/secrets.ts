// Environment values whose names look secret are masked wherever a spec leaves the node that
// spawns it (register events, and through them every view, the API and `nestor events`). The
// real values stay in the registering node's memory (SecretEnv) for its spawns.

/** Name endings (and whole names) that mark a variable as secret, case-insensitively. */
export const SECRET_SUFFIXES = ['_TOKEN', '_PASSWORD', '_SECRET', '_KEY', '_PASS', '_APIKEY'] as const;

/** Real values of masked variables, by service id, kept on the node that registered them. */
export type SecretEnv = Map<string, Record<string, string>>;

const SHOWN_FROM = 12;
/** What a masked value looks like; a spec value of this form stands for a value kept elsewhere. */
export const MASKED_PATTERN = /^(\*\*\*\*|.{2}…\(\d+ chars\))$/u;

/** Whether a variable name looks like it holds a secret (API_TOKEN, DB_PASSWORD, TOKEN...). */
export function isSecretName(name: string): boolean {
  const upper = name.toUpperCase();
  return SECRET_SUFFIXES.some((s) => upper.endsWith(s) || upper === s.slice(1));
}

/** A secret for display: `****` when short, else its first two characters and its length. */
export function maskValue(value: string): string {
  return value.length < SHOWN_FROM ? '****' : `${value.slice(0, 2)}…(${value.length} chars)`;
}

/** A copy of an environment with the values of secret-looking names masked. */
export function maskEnv<T>(env: Record<string, T>): Record<string, T | string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, isSecretName(k) ? maskValue(String(v)) : v]));
}

/**
 * A spec as written with its secret `process.env` values masked, and those values as strings;
 * anything that is not a spec with an env object comes back unchanged.
 */
export function maskSpecSecrets(spec: Record<string, unknown>): { spec: Record<string, unknown>; secrets: Record<string, string> } {
  const proc = spec.process;
  if (typeof proc !== 'object' || proc === null || Array.isArray(proc)) return { spec, secrets: {} };
  const env = (proc as Record<string, unknown>).env;
  if (typeof env !== 'object' || env === null || Array.isArray(env)) return { spec, secrets: {} };
  const secrets: Record<string, string> = {};
  for (const [k, v] of Object.entries(env as Record<string, unknown>)) if (isSecretName(k)) secrets[k] = String(v);
  if (Object.keys(secrets).length === 0) return { spec, secrets };
  return { spec: { ...spec, process: { ...proc, env: maskEnv(env as Record<string, unknown>) } }, secrets };
}

/** A masked spec with the real values of its masked variables put back (the inverse of maskSpecSecrets). */
export function unmaskSpecSecrets(spec: Record<string, unknown>, secrets: Readonly<Record<string, string>> | undefined): Record<string, unknown> {
  const proc = spec.process;
  if (secrets === undefined || typeof proc !== 'object' || proc === null || Array.isArray(proc)) return spec;
  const env = (proc as Record<string, unknown>).env;
  if (typeof env !== 'object' || env === null || Array.isArray(env)) return spec;
  const real = Object.fromEntries(Object.entries(env as Record<string, unknown>).map(([k, v]) => [k, Object.hasOwn(secrets, k) ? secrets[k] : v]));
  return { ...spec, process: { ...proc, env: real } };
}

/** Texts with every value of a secret-looking variable of `env` (4 characters or more) masked. */
export function redactSecrets(texts: readonly string[], env: Readonly<Record<string, string>>): string[] {
  // Longest first, so a secret that contains another is masked whole.
  const values = Object.entries(env)
    .filter(([k, v]) => isSecretName(k) && v.length >= 4)
    .map(([, v]) => v)
    .sort((a, b) => b.length - a.length);
  if (values.length === 0) return [...texts];
  return texts.map((t) => values.reduce((out, v) => out.split(v).join(maskValue(v)), t));
}
