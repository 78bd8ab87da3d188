// Installs the npm packages when node_modules is missing or older than the lock file.
'use strict';

const { execFileSync } = require('node:child_process');
const { existsSync, statSync } = require('node:fs');
const { join } = require('node:path');

function ensureNodeModules(root, log) {
  const lock = join(root, 'package-lock.json');
  const installed = join(root, 'node_modules', '.package-lock.json');
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) return;
  // `npm install`, not `npm ci`: npm 11 rejects this lock in `ci` over the
  // platform-only optional packages of sass-embedded (pulled in by
  // @nx/webpack) although the lock is complete; `install` follows the lock
  // and leaves it unchanged.
  log('installing npm packages (npm install, from package-lock.json)');
  // --prefer-offline: what npm's cache holds is not asked of the registry again.
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: root,
    stdio: 'inherit',
  });
}

module.exports = { ensureNodeModules };
