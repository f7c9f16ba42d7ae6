// Gamma's settings, from GAMMA_* variables (the service's process.env in service.json).

/** What one gamma job does. */
export interface GammaConfig {
  experiment: string;
  version: string;
  /** Steps until the run succeeds. */
  steps: number;
  stepMs: number;
  /** A checkpoint every this many steps. */
  checkpointEvery: number;
  /** Initial learning rate (a `tune` of `lr` changes it). */
  lr: number;
  /** The interval the run declares (health is measured against it). */
  heartbeatIntervalMs: number;
  processControl: boolean;
  /** Never acknowledge `terminate` (shows the supervisor stopping a job after the grace period). */
  ignoreTerminate: boolean;
  terminateGraceMs?: number;
  /** Where checkpoint.json goes: GAMMA_DATA_DIR, else the service's data dir. */
  dataDir: string;
}

/** A GAMMA_* value was not what it should be. */
export class ConfigError extends Error {}

/** Reads the settings; unset variables take the defaults. */
export function readGammaConfig(env: NodeJS.ProcessEnv): GammaConfig {
  const grace = env.GAMMA_TERMINATE_GRACE_MS;
  return {
    experiment: env.GAMMA_EXPERIMENT?.trim() || 'gamma',
    version: env.GAMMA_VERSION?.trim() || '1',
    steps: int(env, 'GAMMA_STEPS', 600, 1),
    stepMs: int(env, 'GAMMA_STEP_MS', 200, 0),
    checkpointEvery: int(env, 'GAMMA_CHECKPOINT_EVERY', 25, 1),
    lr: num(env, 'GAMMA_LR', 0.1),
    heartbeatIntervalMs: int(env, 'GAMMA_HEARTBEAT_MS', 1000, 1),
    processControl: bool(env, 'GAMMA_PROCESS_CONTROL', true),
    ignoreTerminate: bool(env, 'GAMMA_IGNORE_TERMINATE', false),
    ...(grace === undefined || grace === '' ? {} : { terminateGraceMs: int(env, 'GAMMA_TERMINATE_GRACE_MS', 30_000, 0) }),
    dataDir: env.GAMMA_DATA_DIR?.trim() || env.NESTOR_DATA_DIR?.trim() || '.gamma',
  };
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min) throw new ConfigError(`${name} must be an integer ≥ ${min}, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

function num(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
  return n;
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be a boolean (1/true/yes/on or 0/false/no/off), got ${JSON.stringify(raw)}`);
}
