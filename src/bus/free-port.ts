// Cluster routes need ports known before the servers start (a route to -1 cannot be dialled),
// so a cluster's ports are picked first. The port is free when returned; something else could
// take it before the server binds, in which case the launch fails with PortInUseError.
import { createServer } from 'node:net';

/** A TCP port that is free on `host` right now. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr !== null ? resolve(addr.port) : reject(new Error('no port assigned'))));
    });
  });
}
