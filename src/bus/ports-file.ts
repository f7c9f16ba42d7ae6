// The ports file nats-server writes once it listens (`ports_file_dir`): the only reliable
// source of the ports it picked for -1, since /varz echoes the configured -1.
import { watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The URLs a started server listens on. */
export interface ServerPorts {
  natsUrl: string;
  monitorUrl: string;
  clusterUrl: string | null;
}

/** Resolves with the server's URLs once its ports file is complete; watches, never sleeps. */
export function readPortsFile(dir: string, pid: number, signal: AbortSignal): Promise<ServerPorts> {
  const file = join(dir, `nats-server_${pid}.ports`);
  return new Promise((resolve, reject) => {
    let settled = false;
    const watcher = watch(dir, { signal });
    const attempt = async (): Promise<void> => {
      const text = await readFile(file, 'utf8').catch(() => null);
      // The file may be seen half-written; a later change event brings the rest.
      const ports = text === null ? null : parsePorts(text);
      if (ports === null || settled) return;
      settled = true;
      watcher.close();
      resolve(ports);
    };
    watcher.on('change', () => void attempt());
    watcher.on('error', (err) => {
      if (settled || signal.aborted) return;
      settled = true;
      reject(err);
    });
    // The file may already exist before the watch started.
    void attempt();
  });
}

function parsePorts(text: string): ServerPorts | null {
  let raw: { nats?: unknown; monitoring?: unknown; cluster?: unknown };
  try {
    raw = JSON.parse(text) as typeof raw;
  } catch {
    return null;
  }
  const natsUrl = pick(raw.nats);
  const monitorUrl = pick(raw.monitoring);
  if (natsUrl === null || monitorUrl === null) return null;
  return { natsUrl, monitorUrl, clusterUrl: pick(raw.cluster) };
}

// A server listening on 0.0.0.0 lists one URL per interface; loopback is the one that always works locally.
function pick(urls: unknown): string | null {
  if (!Array.isArray(urls)) return null;
  const strings = urls.filter((u): u is string => typeof u === 'string');
  return strings.find((u) => u.includes('//127.0.0.1:')) ?? strings[0] ?? null;
}
