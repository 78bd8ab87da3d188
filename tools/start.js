#!/usr/bin/env node
// `npm start`: the whole platform on this machine, in the foreground.
// Ctrl-C (or SIGTERM) stops every process it started.
'use strict';

const stack = require('./stack/local-stack');
const { onSupportedNode } = require('./stack/node-runtime');

async function main() {
  const started = Date.now();
  const settings = stack.stackSettings('dev');
  const gatewayPort = Number(process.env.GATEWAY_PORT || stack.GATEWAY.httpPort);
  // In development the local S3 server plays the storage notification, as a bucket event would.
  const infra = stack.startInfrastructure(settings, {
    storageWebhookUrl: `http://127.0.0.1:${gatewayPort}/api/media/webhooks/storage`,
  });
  const children = [];
  let stopping = false;

  const stop = async (code) => {
    if (stopping) return;
    stopping = true;
    stack.log('stopping…');
    await Promise.all(
      children.map(
        (child) =>
          new Promise((resolve) => {
            if (child.exitCode !== null) return resolve();
            const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => (clearTimeout(timer), resolve()));
            child.kill('SIGTERM');
          }),
      ),
    );
    infra.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    stack.buildApps();
    await infra.ready();
    stack.migrateAll(infra);
    for (const service of stack.SERVICES) {
      const child = stack.startApp(service.name, stack.serviceEnv(service, infra), service);
      child.once(
        'exit',
        (code) => !stopping && (stack.log(`${service.name} exited (${code})`), void stop(1)),
      );
      children.push(child);
    }
    const devKey = stack.devSessionKey(settings);
    const gateway = stack.startApp(stack.GATEWAY.name, {
      ...process.env,
      NODE_ENV: process.env.NODE_ENV || 'development',
      REDIS_URL: infra.redisUrlFor('api-gateway'),
      ...infra.messageEnv(stack.GATEWAY.name),
      GATEWAY_PORT: String(gatewayPort),
      METRICS_PORT: process.env.METRICS_PORT || String(stack.GATEWAY.metricsPort),
      ...(devKey ? { DEV_SESSION_KEY: devKey } : {}),
      // The console uploads straight to the local S3 server and shows its images.
      WEB_CSP_ORIGINS: process.env.WEB_CSP_ORIGINS || infra.s3.endpoint,
    });
    gateway.once('exit', (code) => !stopping && (stack.log(`api-gateway exited (${code})`), void stop(1)));
    children.push(gateway);

    await Promise.all(
      stack.SERVICES.map((s) => stack.waitForHttp(`http://127.0.0.1:${s.httpPort}/health/ready`, 60_000)),
    );
    await stack.waitForHttp(`http://127.0.0.1:${gatewayPort}/api/health`, 60_000);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stdout.write(
      `\nSmartBeak is up in ${seconds}s: http://127.0.0.1:${gatewayPort}/api (OpenAPI: http://127.0.0.1:${gatewayPort}/api/docs)\n` +
        `The console:      http://127.0.0.1:${gatewayPort}/ ${devKey ? '(sign in as anyone: local development key)' : '(Clerk sign-in)'}\n` +
        (devKey
          ? `Get a dev token:  npm run token -- --org org_demo --perms org:admin\n` +
            `Then:             curl -H "Authorization: Bearer $(npm run -s token -- --org org_demo --perms org:admin)" http://127.0.0.1:${gatewayPort}/api/me\n`
          : 'Tokens: this gateway trusts the CLERK_JWT_KEY / CLERK_SECRET_KEY you set.\n') +
        'Ctrl-C stops everything.\n\n',
    );
  } catch (error) {
    process.stderr.write(`${error.stack || error}\n`);
    await stop(1);
  }
}

void onSupportedNode(stack.log).then(main);
