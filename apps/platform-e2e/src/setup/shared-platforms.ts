// Run by the e2e global setup (jest.global-setup.js) in a process of its own:
// migrates one template database per service, boots the shared platforms,
// writes where they are to SMARTBEAK_E2E_STATE, and keeps them running until
// SIGTERM, when it stops them and drops every database it made.
import { writeFileSync } from 'node:fs';

import { createTestDatabase, runAppCommand, type TestDatabase } from '@smartbeak/testing';

import { ALL_SERVICES, Platform, SHARED_ENV, TEMPLATES_ENV } from '../platform';

async function main(): Promise<void> {
  const stateFile = process.env['SMARTBEAK_E2E_STATE'];
  if (!stateFile) throw new Error('SMARTBEAK_E2E_STATE is required');
  const count = Math.max(1, Number(process.env['SMARTBEAK_E2E_SHARED_COUNT'] ?? '1'));
  const templates: TestDatabase[] = [];
  const platforms: Platform[] = [];
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await Promise.allSettled(platforms.map((platform) => platform.stop()));
    await Promise.allSettled(templates.map((db) => db.drop()));
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
  platforms.push(...(await Promise.all(Array.from({ length: count }, () => Platform.start()))));
  const files = await Promise.all(
    platforms.map(async (platform, i) => {
      const file = `${stateFile}.${i}.json`;
      writeFileSync(file, JSON.stringify(await platform.address()));
      return file;
    }),
  );
  writeFileSync(
    stateFile,
    JSON.stringify({ [TEMPLATES_ENV]: JSON.stringify(names), [SHARED_ENV]: files.join(',') }),
  );
  process.stdout.write('shared platforms ready\n');
  setInterval(() => undefined, 1 << 30);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
