// Before the e2e specs: one process (src/setup/shared-platforms.ts) migrates a
// template database per service and boots the platforms specs share, one per
// jest worker. Specs read where they are from the environment this sets.
const { spawn } = require('node:child_process');
const { existsSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');

const ROOT = resolve(__dirname, '../..');

module.exports = async function globalSetup(globalConfig) {
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
        SMARTBEAK_E2E_SHARED_COUNT: String(Math.max(1, Math.min(2, globalConfig.maxWorkers || 1))),
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
