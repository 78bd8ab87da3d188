import { loadConfig } from '@smartbeak/config';

import { GatewayConfig } from './gateway.config';

const KEY = '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----';

describe(GatewayConfig.name, () => {
  it('requires CLERK_AUTHORIZED_PARTIES in production, naming the setting', () => {
    expect(() => loadConfig(GatewayConfig, { NODE_ENV: 'production', CLERK_JWT_KEY: KEY })).toThrow(
      /CLERK_AUTHORIZED_PARTIES is required in production/,
    );
    expect(
      loadConfig(GatewayConfig, {
        NODE_ENV: 'production',
        CLERK_JWT_KEY: KEY,
        CLERK_AUTHORIZED_PARTIES: 'https://app.smartbeak.example',
      }).CLERK_AUTHORIZED_PARTIES,
    ).toBe('https://app.smartbeak.example');
  });

  it('leaves it optional in development and tests', () => {
    expect(
      loadConfig(GatewayConfig, { NODE_ENV: 'development', CLERK_JWT_KEY: KEY }).CLERK_AUTHORIZED_PARTIES,
    ).toBe(undefined);
  });
});
