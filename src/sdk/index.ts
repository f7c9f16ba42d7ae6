// Public entry of the SDK: what a service imports to talk to Nestor. Environment variables
// (NESTOR_SERVICE, NESTOR_NODE, NESTOR_DATA_DIR, NESTOR_PORT, NESTOR_PORT_<NAME>,
// NESTOR_NATS_URL) are documented in env.ts and docs/demos-services.md.
export { NESTOR_ENV, portEnvName, readServiceEnv } from './env.ts';
export type { ServiceEnv } from './env.ts';
export { canonicalJson, specHash } from './canonical.ts';
export { SdkError, SDK_ERROR_REASONS } from './errors.ts';
export type { SdkErrorReason } from './errors.ts';
export { connectFromEnv, registerSpec, buildRegisterEvent } from './register.ts';
export type { ConnectOptions, RegisterOptions, Registration } from './register.ts';
export { startRun, bindingFromEnv, runWakeSubject, RunRequestError, RUNS_SUBJECT } from './runs.ts';
export type { RunHandle, RunCommandDelivery, RunConnection, StartRunOptions, RunsOp, RunsErrorCode } from './runs.ts';
