#!/usr/bin/env node
// `npm test`: the same set-up as `npm start` (packages, PostgreSQL, Redis),
// on a throwaway test stack of its own, then build, lint and every test.
'use strict';

const { spawn } = require('node:child_process');
const { existsSync, readdirSync, readFileSync, rmSync } = require('node:fs');
const { join } = require('node:path');

const stack = require('./stack/local-stack');
const { onSupportedNode } = require('./stack/node-runtime');
const system = require('./stack/system');

/** Runs a command of the workspace to its end; resolves whether it succeeded. */
function run(command, args, env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: stack.ROOT,
      stdio: 'inherit',
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', ...env },
    });
    child.on('exit', (code) => resolve(code === 0));
    child.on('error', () => resolve(false));
  });
}

function nx(args, env) {
  return run('npx', ['nx', ...args, '--output-style=stream'], env);
}

function summarize() {
  const dir = join(stack.ROOT, 'tmp/test-results');
  const totals = { passed: 0, failed: 0, skipped: 0 };
  if (!existsSync(dir)) return totals;
  for (const file of readdirSync(dir)) {
    const counts = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    for (const key of Object.keys(totals)) totals[key] += counts[key] || 0;
  }
  return totals;
}

/** How long each phase took, printed at the end (the suite's budget is in the README). */
const phases = [];
async function phase(name, work) {
  const started = Date.now();
  try {
    return await work();
  } finally {
    phases.push([name, (Date.now() - started) / 1000]);
  }
}

function printPhases() {
  const total = phases.reduce((sum, [, seconds]) => sum + seconds, 0);
  process.stdout.write('\nphases:\n');
  for (const [name, seconds] of phases)
    process.stdout.write(`  ${name.padEnd(34)} ${seconds.toFixed(1).padStart(7)} s\n`);
  process.stdout.write(`  ${'total'.padEnd(34)} ${total.toFixed(1).padStart(7)} s\n`);
}

async function main() {
  const settings = stack.stackSettings('test');
  // A fresh cluster every run: nothing a previous run left can make a test pass.
  system.stopRedis({ port: settings.redisPort });
  system.removePostgres({ dir: settings.dir });
  rmSync(settings.dir, { recursive: true, force: true });
  rmSync(join(stack.ROOT, 'tmp/test-results'), { recursive: true, force: true });

  // A clean clone's `npm install` ran before this process, on the machine's older Node (node-runtime.js).
  const installed = Number(process.env.SMARTBEAK_INSTALL_SECONDS ?? 0);
  if (installed >= 1) phases.push(['npm packages (a clean clone)', installed]);
  const infra = await phase('packages and local stack', () => stack.startInfrastructure(settings));
  let ok = false;
  try {
    const chromium = await phase('chromium (browser tests)', () => system.ensureChromium());
    await phase('build the apps', () => stack.buildApps());
    await phase('local stack ready', () => infra.ready());
    const env = {
      SMARTBEAK_TEST_PG_URL: `postgres://postgres@127.0.0.1:${settings.pgPort}`,
      SMARTBEAK_TEST_REDIS_URL: infra.redisUrl,
      SMARTBEAK_TEST_REDIS_USERS: JSON.stringify(infra.redisUsers),
      SMARTBEAK_TEST_S3_ENDPOINT: infra.s3.endpoint,
      SMARTBEAK_TEST_S3_BUCKET: infra.s3.bucket,
      SMARTBEAK_TEST_SMTP_URL: infra.mail.smtpUrl,
      SMARTBEAK_TEST_MAIL_API: infra.mail.api,
      ...(chromium ? { SMARTBEAK_CHROMIUM: chromium } : {}),
    };
    // One type-check of the whole workspace (apps, libs, tests) and one lint run: far cheaper
    // than a compiler and a linter per project, which re-read the same libs each time. The
    // deployment checks run beside them (their bundle-alone test installs eight bundles and
    // boots a platform: run beside the e2e suite, that load made its timing-sensitive specs flaky).
    const checked = await phase('type-check, lint, deployment checks', async () =>
      (
        await Promise.all([
          run('npx', ['tsc', '-p', 'tsconfig.check.json']),
          run('npx', ['tsc', '-p', 'apps/web/tsconfig.json']),
          // The console's API types are the gateway's OpenAPI document's (npm run web:api).
          run('node', ['tools/web-api.js', '--check']),
          run('npx', ['eslint', 'apps', 'libs', 'tools/nx-plugin', 'deploy']),
          nx(['run', 'deploy:test'], env),
        ])
      ).every(Boolean),
    );
    // Tests always run (nx.json: test is never cached — a green from another database proves
    // nothing); the builds they depend on are the ones just made. The e2e suite, the longest,
    // starts at once beside the others instead of waiting its turn.
    const tested = await phase('every test', async () =>
      (
        await Promise.all([
          nx(['run', 'platform-e2e:test'], env),
          nx(['run-many', '-t', 'test', '--exclude=platform-e2e,deploy', '--parallel=1'], env),
        ])
      ).every(Boolean),
    );
    ok = checked && tested;
  } finally {
    infra.stop();
  }
  const totals = summarize();
  printPhases();
  process.stdout.write(
    `\ntests: ${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}\n`,
  );
  process.exit(ok && totals.failed === 0 && totals.passed > 0 ? 0 : 1);
}

onSupportedNode(stack.log)
  .then(main)
  .catch((error) => {
    process.stderr.write(`${error.stack || error}\n`);
    process.exit(1);
  });
