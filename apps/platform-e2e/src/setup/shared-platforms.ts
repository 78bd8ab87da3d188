// Run by the e2e global setup (jest.global-setup.js) in a process of its own:
// migrates one template database per service, boots the shared platform,
// writes where it is to SMARTBEAK_E2E_STATE, and keeps it running until
// SIGTERM, when it stops it and drops every database it made.
import { rmSync, writeFileSync } from 'node:fs';

import { createTestDatabase, runAppCommand, type TestDatabase } from '@smartbeak/testing';

import { ALL_SERVICES, Platform, SHARED_ENV, TEMPLATES_ENV } from '../platform';

async function main(): Promise<void> {
  const stateFile = process.env['SMARTBEAK_E2E_STATE'];
  if (!stateFile) throw new Error('SMARTBEAK_E2E_STATE is required');
  const addressFile = `${stateFile}.platform.json`;
  const templates: TestDatabase[] = [];
  // What is running, for `stop` to end (filled once it has started).
  const running: { platform?: Platform } = {};
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await running.platform?.stop().catch(() => undefined);
    await Promise.allSettled(templates.map((db) => db.drop()));
    rmSync(addressFile, { force: true });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());

  const names: Record<string, string> = {};
  await Promise.all(
    ALL_SERVICES.map(async (service) => {
      const db = await createTestDatabase(`tmpl_${service.replace('-', '_')}`);
      templates.push(db);
      const { code, output } = await runAppCommand(service, db.url, ['migrate']);
      if (code !== 0) throw new Error(`${service} migrate exited ${code}:\n${output}`);
      names[service] = db.name;
    }),
  );
  process.env[TEMPLATES_ENV] = JSON.stringify(names);
  running.platform = await Platform.start();
  writeFileSync(addressFile, JSON.stringify(await running.platform.address()));
  writeFileSync(
    stateFile,
    JSON.stringify({ [TEMPLATES_ENV]: JSON.stringify(names), [SHARED_ENV]: addressFile }),
  );
  process.stdout.write('shared platform ready\n');
  setInterval(() => undefined, 1 << 30);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
