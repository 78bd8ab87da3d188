#!/usr/bin/env node
// `npm run token -- --org org_demo --perms org:admin,content:write [--user user_x] [--domain <uuid>] [--ttl 3600] [--azp http://localhost:5173]`
// Prints a session token signed by the dev key that `npm start` trusts.
'use strict';

const { readFileSync } = require('node:fs');
const { parseArgs } = require('node:util');

const { stackSettings } = require('./stack/local-stack');
const { ensureDevKeys } = require('./stack/system');

async function main() {
  const { values } = parseArgs({
    options: {
      org: { type: 'string', default: 'org_demo' },
      user: { type: 'string', default: 'user_demo' },
      perms: { type: 'string', default: 'org:admin' },
      domain: { type: 'string' },
      ttl: { type: 'string', default: '3600' },
      azp: { type: 'string' },
      email: { type: 'string' },
      name: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(
      'usage: npm run token -- --org ORG --perms p1,p2 [--user U] [--domain UUID] [--ttl SECONDS] [--azp ORIGIN]\n',
    );
    return;
  }
  const { SignJWT, importPKCS8 } = await import('jose');
  const { privatePath } = ensureDevKeys(stackSettings('dev').dir);
  const key = await importPKCS8(readFileSync(privatePath, 'utf8'), 'RS256');
  const permissions = values.perms
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const claims = { org_id: values.org, permissions, sid: `sess_dev_${Date.now()}` };
  if (values.domain) claims.domain_id = values.domain;
  if (values.azp) claims.azp = values.azp;
  if (values.email) claims.email = values.email;
  if (values.name) claims.name = values.name;
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'smartbeak-dev' })
    .setSubject(values.user)
    .setIssuer('https://smartbeak.dev.local')
    .setIssuedAt()
    .setNotBefore(Math.floor(Date.now() / 1000) - 5)
    .setExpirationTime(`${Number(values.ttl)}s`)
    .sign(key);
  process.stdout.write(`${token}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
