// A real caddy for tests: random admin, HTTP and HTTPS ports, its data under a temp dir given
// as XDG_DATA_HOME, serving one host with a certificate from Caddy's own CA (`tls internal`).
// The process is killed after the test, even when it fails.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { connect } from 'node:tls';
import type { PeerCertificate } from 'node:tls';
import { findCaddy } from '../../src/caddy/index.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { allocatePort } from '../../src/process/index.ts';

/** A running caddy and where it keeps its data. */
export interface TestCaddy {
  child: ChildProcess;
  httpsPort: number;
  /** Caddy's data dir ($XDG_DATA_HOME/caddy). */
  dataDir: string;
  output(): string;
}

/** The host the test Caddy serves. */
export const TEST_HOST = 'certs.nestor.test';

/** Starts caddy with `home` as XDG_DATA_HOME and XDG_CONFIG_HOME; resolves once it answers TLS for TEST_HOST. */
export async function startCaddy(t: TestContext, home: string): Promise<TestCaddy> {
  const [admin, http, https] = [await allocatePort(), await allocatePort(), await allocatePort()];
  const config = {
    admin: { listen: `127.0.0.1:${admin}` },
    apps: {
      http: {
        http_port: http,
        https_port: https,
        servers: {
          edge: {
            listen: [`127.0.0.1:${https}`],
            routes: [{ match: [{ host: [TEST_HOST] }], handle: [{ handler: 'static_response', body: 'ok' }], terminal: true }],
            automatic_https: { disable_redirects: true },
          },
        },
      },
      tls: { automation: { policies: [{ subjects: [TEST_HOST], issuers: [{ module: 'internal' }] }] } },
      // A test must not touch the machine's trust store.
      pki: { certificate_authorities: { local: { install_trust: false } } },
    },
  };
  await mkdir(home, { recursive: true });
  const file = join(home, 'caddy.json');
  await writeFile(file, JSON.stringify(config));
  const env = { PATH: process.env.PATH ?? '', HOME: home, XDG_DATA_HOME: home, XDG_CONFIG_HOME: join(home, 'config') };
  const child = spawn(await findCaddy(process.env.NESTOR_CADDY_BINARY), ['run', '--config', file], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (output += s));
  t.after(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  });
  const caddy = { child, httpsPort: https, dataDir: join(home, 'caddy'), output: () => output };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`caddy exited with ${child.exitCode}:\n${output}`);
    try {
      await peerCertificate(caddy);
      return caddy;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`caddy did not serve ${TEST_HOST} over TLS in 30 s (${String(err)}):\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** The certificate chain Caddy presents for TEST_HOST (leaf first). */
export async function peerCertificate(caddy: TestCaddy): Promise<PeerCertificate & { issuerCertificate?: PeerCertificate }> {
  const socket = connect({ host: '127.0.0.1', port: caddy.httpsPort, servername: TEST_HOST, rejectUnauthorized: false });
  try {
    await Promise.race([once(socket, 'secureConnect'), once(socket, 'error').then(([e]) => Promise.reject(e as Error))]);
    const cert = socket.getPeerCertificate(true);
    if (cert.fingerprint256 === undefined) throw new Error('no certificate');
    return cert;
  } finally {
    socket.destroy();
  }
}

/** Polls `check` every 50 ms until it returns a value (not null or false); that value. */
export async function until<T>(what: string, check: () => Promise<T | null | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => null);
    if (v !== null && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
