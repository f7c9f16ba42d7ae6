// Public entry of the process runner: spawn, stop, logs, probes, ports, ensure, and the process
// table (liveness of any pid, free ports) that the bus and the CLI use too. The runner offers
// primitives with callbacks; restart policy and backoff belong to the controller.
export type { RunPlan } from './types.ts';
export { SpawnError, PathEscapeError, EnsureError, PortReclaimError, pathDirectories } from './errors.ts';
export { runEnsure, resolveInsideRoots, realLocation } from './ensure.ts';
export type { EnsureOptions, EnsureOutcome } from './ensure.ts';
export { allocatePort, isPortFree, findPortOwner, findPortHolders, checkFixedPort, reclaimPort } from './ports.ts';
export type { PortOwner, FixedPortStatus, FixedPortOptions, ReclaimOptions } from './ports.ts';
export { spawnService } from './spawn.ts';
export { EnvFileError, PROJECT_ENV_FILE, checkEnvFiles, loadServiceEnv } from './env-files.ts';
export type { ServiceProcess, ExitInfo, SpawnHooks, SpawnOptions, OutputStream } from './spawn.ts';
export { killGroup, isGroupAlive, waitGroupGone, stopGroup } from './groups.ts';
export type { StopResult } from './groups.ts';
export { ROTATION_NOTICE_MS, createLogSink, logFileOf, openLogSink } from './log-sink.ts';
export type { LogSink, LogSinkOptions, LogMetadata, LogConsole } from './log-sink.ts';
export { tailLog, followLog } from './log-read.ts';
export { pruneRotated, readMergedLogs, readTimedLog, timesFileOf } from './log-times.ts';
export type { MergedLine, TimedLine, TimedReadOptions } from './log-times.ts';
export type { FollowOptions } from './log-read.ts';
export { LineSplitter, colourFor, consolePrefix } from './log-lines.ts';
export { runProbe, parseHostPort } from './probes.ts';
export type { ProbeResult, ProbeContext } from './probes.ts';
export { startProbeLoop, waitReady } from './probe-loop.ts';
export type { ProbeLoop, ProbeLoopHooks, ProbeLoopStatus, WaitReadyOptions } from './probe-loop.ts';
export { processStartTime, listGroupPids, readProcStat, processCommand, processArgv } from './proc-table.ts';
export { isProcessAlive, terminatePid } from './pids.ts';
export type { ProcStat } from './proc-table.ts';
export { watchLogProbe, MATCHED_LINE_MAX } from './log-probe.ts';
export type { LogProbeWatch, LogProbeHooks } from './log-probe.ts';
export { groupUsage, groupsUsage } from './group-usage.ts';
export type { GroupUsage } from './group-usage.ts';
export { findExecutable } from './executable.ts';
export type { ExecutableSearch } from './executable.ts';
