#!/usr/bin/env node
// `npm run test:stack`: the test stack (PostgreSQL, Redis, S3) in the
// foreground, for running one project's tests while iterating:
//   eval "$(npm run -s test:stack -- --env)"   # in another shell, after it says ready
//   npx nx test media
// Ctrl-C stops it. `npm test` does not need it: it runs its own.
'use strict';

const stack = require('./stack/local-stack');
const { onSupportedNode } = require('./stack/node-runtime');
const system = require('./stack/system');

async function main() {
  const settings = stack.stackSettings('test');
  const exports = {
    SMARTBEAK_TEST_PG_URL: `postgres://postgres@127.0.0.1:${settings.pgPort}`,
    SMARTBEAK_TEST_REDIS_URL: `redis://127.0.0.1:${settings.redisPort}`,
    SMARTBEAK_TEST_S3_ENDPOINT: `http://127.0.0.1:${settings.s3Port}`,
    SMARTBEAK_TEST_S3_BUCKET: 'smartbeak-media',
    SMARTBEAK_TEST_SMTP_URL: `smtp://127.0.0.1:${settings.smtpPort}`,
    SMARTBEAK_TEST_MAIL_API: `http://127.0.0.1:${settings.mailPort}/messages`,
    SMARTBEAK_TEST_REDIS_USERS: `'${JSON.stringify(stack.redisUsers(settings).passwords)}'`,
  };
  if (process.argv.includes('--env')) {
    const chromium = system.ensureChromium();
    if (chromium) exports.SMARTBEAK_CHROMIUM = chromium;
    for (const [name, value] of Object.entries(exports)) process.stdout.write(`export ${name}=${value}\n`);
    return;
  }
  const infra = stack.startInfrastructure(settings);
  await infra.ready();
  stack.buildApps();
  process.stdout.write(
    '\ntest stack ready; in another shell: eval "$(npm run -s test:stack -- --env)" && npx nx test <project>\n',
  );
  const stop = () => {
    infra.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  setInterval(() => undefined, 1 << 30);
}

onSupportedNode(stack.log)
  .then(main)
  .catch((error) => {
    process.stderr.write(`${error.stack || error}\n`);
    process.exit(1);
  });
