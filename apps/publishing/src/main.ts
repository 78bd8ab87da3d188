import 'reflect-metadata';

import { loadConfig } from '@smartbeak/config';
import { CredentialVault, systemScope } from '@smartbeak/persistence';
import { runService } from '@smartbeak/runtime';

import { AppModule } from './app.module';
import { PublishingConfig, SERVICE_NAME } from './config/publishing.config';

import { publishingDatabaseOptions } from './database/schema';
import { TargetsSystem } from './targets/targets.system';

// `main.js` serves the API (RPC); `main.js worker` runs jobs (scale each on its own).
const role = process.argv[2] === 'worker' ? 'worker' : 'api';
const argv = process.argv.slice(role === 'worker' ? 3 : 2);

runService(
  {
    service: SERVICE_NAME,
    config: PublishingConfig,
    module: (config) => AppModule.register(config, role),
    database: (config) => publishingDatabaseOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE),
    rpc: role === 'api',
    commands: {
      // Re-seals every stored credential with the first (current) key; see the README on rotation.
      'rotate-credentials': async (database, _args, log) => {
        const vault = new CredentialVault(loadConfig(PublishingConfig).PUBLISHING_ENCRYPTION_KEYS);
        const targets = new TargetsSystem(database);
        const scope = systemScope('credential rotation');
        const rows = await targets.sealedSecrets(scope);
        let rotated = 0;
        for (const row of rows.filter((r) => vault.isStale(r.secret))) {
          const owner = { orgId: row.orgId, rowId: row.id };
          if (
            await targets.reseal(scope, row.id, row.secret, vault.seal(vault.open(row.secret, owner), owner))
          )
            rotated++;
        }
        log.info(
          { rotated, total: rows.length },
          `re-sealed ${rotated} credential(s) with key ${vault.currentKeyId}`,
        );
      },
    },
  },
  argv,
).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
