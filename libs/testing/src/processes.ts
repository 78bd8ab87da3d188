import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

export const WORKSPACE_ROOT = resolve(__dirname, '../../..');

/**
 * The ports tests hand to servers: below Linux's ephemeral range, which the
 * kernel also gives to outgoing connections — a port picked there (listen(0))
 * can be taken as a connection's source port before the server binds it
 * (EADDRINUSE). Each process takes its own block of 1,000, in turn, and checks
 * that the port binds on every address.
 */
const PORT_BLOCK = portBlock();

function portBlock(): { start: number; size: number } {
  let ephemeralStart = 32_768;
  try {
    ephemeralStart = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
    );
  } catch {
    // not Linux: the usual range
  }
  const blocks = Math.max(1, Math.floor((ephemeralStart - 10_000) / 1_000));
  return { start: 10_000 + (process.pid % blocks) * 1_000, size: 1_000 };
}

let nextPort = 0;

function bindable(port: number): Promise<boolean> {
  return new Promise((resolveBindable) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolveBindable(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolveBindable(true)));
  });
}

export async function freePort(): Promise<number> {
  const { start, size } = PORT_BLOCK;
  for (let tries = 0; tries < size; tries++) {
    const port = start + (nextPort++ % size);
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port in ${start}–${start + size - 1}`);
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export async function isHttpOk(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3_000) });
  return res.ok;
}

/** A process under test; its output is kept for the failure message. */
export class RunningProcess {
  readonly output: string[] = [];
  private exited: Promise<number | null>;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      this.output.push(chunk.toString());
      if (this.output.length > 400) this.output.shift();
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((r) => child.once('exit', (code) => r(code)));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * SIGTERM, then SIGKILL after `graceMs`; resolves with how it ended: an exit code, or
   * the signal that ended it (a Nest app re-raises SIGTERM after its shutdown hooks ran;
   * SIGKILL means the grace ran out).
   */
  async stop(graceMs = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.running) {
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      this.child.kill('SIGTERM');
      await this.exited;
      clearTimeout(timer);
    }
    return { code: this.child.exitCode, signal: this.child.signalCode };
  }

  /** `kill -9`: no goodbye, no cleanup. */
  async crash(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  tail(lines = 40): string {
    return this.output.join('').split('\n').slice(-lines).join('\n');
  }
}

/**
 * Where built apps run from: `dist/apps/<name>` (built by `npm test` beforehand), or, when
 * SMARTBEAK_APPS_DIR is set, `<that>/<name>`: the bundle-alone test's copies, each with only
 * its own installed dependencies and nothing of the workspace above it (as in its image).
 */
export function appDirectory(name: string): string {
  const override = process.env['SMARTBEAK_APPS_DIR'];
  return override ? join(override, name) : join(WORKSPACE_ROOT, 'dist/apps', name);
}

/** The compile cache `npm test` keeps (tools/stack/node-runtime.js): an app boots ~30 % cheaper with it. */
function compileCache(): Record<string, string> {
  const dir = process.env['NODE_COMPILE_CACHE'];
  return dir ? { NODE_COMPILE_CACHE: dir } : {};
}

/** Runs a built app's `main.js` (see appDirectory), with nothing of this process's environment but PATH. */
export function spawnApp(name: string, env: Record<string, string>, args: string[] = []): RunningProcess {
  const dir = appDirectory(name);
  const child = spawn(process.execPath, ['--enable-source-maps', join(dir, 'main.js'), ...args], {
    // The image's working directory is its bundle's; in the workspace, the workspace.
    cwd: process.env['SMARTBEAK_APPS_DIR'] ? dir : WORKSPACE_ROOT,
    env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'test', LOG_LEVEL: 'warn', ...compileCache(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new RunningProcess(name, child);
}

/** Runs a TypeScript file of the workspace through swc, for helper processes of a test. */
export function spawnScript(file: string, env: Record<string, string>): RunningProcess {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', file], {
    cwd: WORKSPACE_ROOT,
    env: { ...process.env, SWC_NODE_PROJECT: join(WORKSPACE_ROOT, 'tsconfig.base.json'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new RunningProcess(file, child);
}

/** Runs `main.js migrate` of a built service and resolves when it is done. */
export async function migrateApp(name: string, databaseUrl: string): Promise<void> {
  const { code, output } = await runAppCommand(name, databaseUrl, ['migrate']);
  if (code !== 0) throw new Error(`${name} migrate exited ${code}:\n${output}`);
}

/** Runs a one-off command of a built service (`main.js <args>`) to its end. */
export async function runAppCommand(
  name: string,
  databaseUrl: string,
  args: string[],
): Promise<{ code: number | null; output: string }> {
  const run = spawnApp(
    name,
    { DATABASE_URL: databaseUrl, REDIS_URL: 'redis://127.0.0.1:1', LOG_LEVEL: 'info' },
    args,
  );
  // 'close', not 'exit': the output is all read by then.
  const code = await new Promise<number | null>((r) => run.child.once('close', r));
  return { code, output: run.tail(200) };
}

/** Runs `task` over `inputs` with at most `width` in flight; results in input order. */
export async function inPool<T, R>(inputs: T[], width: number, task: (input: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(inputs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < inputs.length) {
        const i = next++;
        results[i] = await task(inputs[i] as T);
      }
    }),
  );
  return results;
}
