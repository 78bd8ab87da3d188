import 'reflect-metadata';

import { loadConfig } from '@smartbeak/config';

import { createGateway, printOpenApi } from './bootstrap';
import { GatewayConfig } from './config/gateway.config';

async function main(): Promise<void> {
  const config = loadConfig(GatewayConfig);
  if (process.argv[2] === 'openapi') {
    await printOpenApi(config);
    process.exit(0);
  }
  const app = await createGateway(config);
  await app.listen(config.GATEWAY_PORT, '0.0.0.0');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
