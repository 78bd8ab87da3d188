// Before the e2e specs: one process (src/setup/shared-platforms.ts) migrates a
// template database per service and boots the platform specs share (both jest
// workers at once: each spec makes its own tenant). Specs read where it is from
// the environment this sets.
const { spawn } = require('node:child_process');
const { existsSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');

const ROOT = resolve(__dirname, '../..');

module.exports = async function globalSetup() {
  const state = join(tmpdir(), `smartbeak-e2e-${process.pid}-${Date.now()}`);
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', join(__dirname, 'src/setup/shared-platforms.ts')],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        SWC_NODE_PROJECT: join(ROOT, 'tsconfig.base.json'),
        SMARTBEAK_E2E_STATE: state,
        },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const code = await new Promise((done) => {
    const timer = setInterval(() => {
      if (existsSync(state)) {
        clearInterval(timer);
        done(null);
      }
    }, 100);
    child.once('exit', (exitCode) => {
      clearInterval(timer);
      done(exitCode ?? 1);
    });
  });
  if (code !== null) throw new Error(`the shared e2e platforms did not start (exit ${code}):\n${output}`);
  Object.assign(process.env, JSON.parse(readFileSync(state, 'utf8')));
  rmSync(state, { force: true });
  globalThis.__SMARTBEAK_E2E_SHARED__ = child;
};
