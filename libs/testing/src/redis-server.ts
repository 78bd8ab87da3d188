import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';

import { freePort, waitFor } from './processes';

export interface PrivateRedis {
  port: number;
  /** `redis://127.0.0.1:<port>` (a TLS server is `rediss://` on the same port). */
  url: string;
  process: ChildProcess;
  /** Kills it (SIGKILL: nothing of it is kept). */
  stop(): void;
}

/**
 * A Redis of one spec's own, in memory only, for what the shared test Redis
 * must not suffer (filled up, paused, killed, TLS only). `args` are extra
 * redis-server options; `--port 0 --tls-port <port>` is added for `tls`.
 */
export async function startPrivateRedis(
  args: string[] = [],
  options: { tls?: boolean } = {},
): Promise<PrivateRedis> {
  const port = await freePort();
  const listen = options.tls ? ['--port', '0', '--tls-port', String(port)] : ['--port', String(port)];
  const child = spawn(
    'redis-server',
    [...listen, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args],
    {
      stdio: 'ignore',
    },
  );
  const accepts = () =>
    new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
  await waitFor(accepts, 10_000, `redis-server on ${port}`);
  return { port, url: `redis://127.0.0.1:${port}`, process: child, stop: () => void child.kill('SIGKILL') };
}
