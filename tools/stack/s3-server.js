#!/usr/bin/env node
// The local S3-compatible server (@20minutes/s3rver: verifies V4 signatures
// and pre-signed URL expiry). Buckets are made at start with CORS for the
// web app; with S3_WEBHOOK_URL set, every object write is POSTed there as an
// S3 event notification signed like SmartBeak's storage webhook expects.
'use strict';

const { createHmac } = require('node:crypto');
const { mkdirSync } = require('node:fs');

const S3rver = require('@20minutes/s3rver');

const { waitUntilBindable } = require('./free-port');

const port = Number(process.env.S3_PORT || 56390);
const directory = process.env.S3_DIR;
const buckets = (process.env.S3_BUCKETS || 'smartbeak-media').split(',').filter(Boolean);
const origins = (process.env.S3_CORS_ORIGINS || '*').split(',').filter(Boolean);
const webhookUrl = process.env.S3_WEBHOOK_URL;
const webhookSecret = process.env.S3_WEBHOOK_SECRET;

const cors = `<CORSConfiguration>${origins
  .map(
    (origin) =>
      `<CORSRule><AllowedOrigin>${origin}</AllowedOrigin><AllowedMethod>PUT</AllowedMethod><AllowedMethod>GET</AllowedMethod><AllowedMethod>HEAD</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule>`,
  )
  .join('')}</CORSConfiguration>`;

async function main() {
  mkdirSync(directory, { recursive: true });
  await waitUntilBindable(port);
  const server = new S3rver({
    port,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name, configs: [cors] })),
  });
  if (webhookUrl && webhookSecret) {
    server.on('event', (event) => {
      const body = JSON.stringify(event);
      const t = Math.floor(Date.now() / 1000);
      const signature = `t=${t},v1=${createHmac('sha256', webhookSecret).update(`${t}.${body}`).digest('hex')}`;
      fetch(webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-smartbeak-signature': signature },
        body,
      }).catch((error) => process.stderr.write(`storage webhook: ${error.message}\n`));
    });
  }
  await server.run();
  process.stdout.write(`S3 on http://127.0.0.1:${port} (buckets: ${buckets.join(', ')})\n`);
  const stop = () => server.close().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
