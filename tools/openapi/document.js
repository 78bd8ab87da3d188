// The gateway's OpenAPI document, as the built gateway prints it without
// serving anything (`main.js openapi`, with a throwaway dev key so the dev
// sign-in is described too). Used by tools/web-api.js and tools/openapi.js.
'use strict';

const { execFileSync } = require('node:child_process');
const { generateKeyPairSync } = require('node:crypto');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '../..');

/** The document, parsed. Needs `npx nx build api-gateway` first. */
function gatewayDocument() {
  const main = join(ROOT, 'dist/apps/api-gateway/main.js');
  if (!existsSync(main)) throw new Error('build the gateway first: npx nx build api-gateway');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const output = execFileSync(process.execPath, [main, 'openapi'], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'development',
      LOG_LEVEL: 'error',
      REDIS_URL: 'redis://127.0.0.1:1',
      DEV_SESSION_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(output.toString());
}

module.exports = { gatewayDocument };
