// Waiting for a just-spawned server to be usable: its ports file, then /healthz. Each wait
// races the deadline and the child's early exit, whose stderr says why (a port in use, say).
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClusterConfig } from '../config/index.ts';
import { isClusterPending } from './cluster-wait.ts';
import type { ClusterWaitReporter } from './cluster-wait.ts';
import { NatsServerStartError, PortInUseError } from './errors.ts';
import { readPortsFile } from './ports-file.ts';
import type { ServerPorts } from './ports-file.ts';
import type { ServerExit, ServerProcess } from './server-process.ts';
import { monitorGet } from './monitor-get.ts';

/** The ports the configuration asked for (-1 = random), to name the one found in use. */
export interface WantedPorts {
  host: string;
  port: number;
  monitorPort: number;
  cluster: ClusterConfig | undefined;
}

const IN_USE = /listen tcp (\S+):(\d+): bind: address already in use/;

/** Resolves with the server's real URLs once its ports file is written. */
export async function waitForPorts(portsDir: string, pid: number, proc: ServerProcess, deadline: number, wanted: WantedPorts): Promise<ServerPorts> {
  const ac = new AbortController();
  const early = proc.exited.then((exit) => {
    if (ac.signal.aborted) return new Promise<never>(() => {});
    throw startFailure(exit, proc.stderr(), wanted);
  });
  const timeout = sleep(Math.max(0, deadline - Date.now()), undefined, { signal: ac.signal }).then(() => {
    throw new NatsServerStartError('timeout', `no ports file in ${portsDir} within the start timeout (nats.startTimeoutMs)`, proc.stderr());
  });
  try {
    return await Promise.race([readPortsFile(portsDir, pid, ac.signal), early, timeout]);
  } finally {
    ac.abort();
    timeout.catch(() => {});
    early.catch(() => {});
  }
}

function startFailure(exit: ServerExit, stderr: string, wanted: WantedPorts): Error {
  const inUse = IN_USE.exec(stderr);
  if (inUse !== null) {
    const port = Number(inUse[2]);
    const listener = port === wanted.monitorPort ? 'monitor' : port === wanted.cluster?.port ? 'cluster' : 'client';
    return new PortInUseError(inUse[1] ?? wanted.host, port, listener);
  }
  const how = exit.signal === null ? `code ${exit.code}` : `signal ${exit.signal}`;
  return new NatsServerStartError('exited', `nats-server exited with ${how} before it was ready`, stderr);
}

/** Polls /healthz until 200: JetStream is ready (in a cluster: a meta leader exists, which
 * needs a majority of the members). There is no event to wait for. With `wait`, a cluster that
 * lacks its majority is waited for without a deadline, and reported. */
export async function waitHealthy(monitorUrl: string, proc: ServerProcess, deadline: number, clustered: boolean, wait?: ClusterWaitReporter): Promise<void> {
  let last = 'no answer';
  for (let delay = 10; ; delay = Math.min(delay * 2, 250)) {
    if (proc.hasExited()) throw new NatsServerStartError('exited', 'nats-server exited before it became healthy', proc.stderr());
    try {
      const res = await monitorGet(`${monitorUrl}/healthz`, 2_000);
      last = `${res.status} ${res.body}`;
      if (res.ok) return;
    } catch (err) {
      last = (err as Error).message;
    }
    if (wait !== undefined && clustered && isClusterPending(last)) {
      await wait.tick();
      await wait.pause(delay);
      continue;
    }
    if (Date.now() >= deadline) {
      const hint = clustered ? ' In a cluster JetStream needs a majority of the members running: start the others (see nats.cluster.routes).' : '';
      throw new NatsServerStartError('unhealthy', `${monitorUrl}/healthz did not turn healthy within the start timeout (last: ${last.trim()}).${hint}`, proc.stderr());
    }
    await (wait === undefined ? sleep(delay) : wait.pause(delay));
  }
}
