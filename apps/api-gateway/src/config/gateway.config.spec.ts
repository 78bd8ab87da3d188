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

  it('takes the development key alone: never beside a Clerk key, never in production', () => {
    const DEV = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----';
    expect(loadConfig(GatewayConfig, { NODE_ENV: 'development', DEV_SESSION_KEY: DEV }).DEV_SESSION_KEY).toBe(
      DEV,
    );
    for (const env of [
      { NODE_ENV: 'development', DEV_SESSION_KEY: DEV, CLERK_JWT_KEY: KEY },
      { NODE_ENV: 'development', DEV_SESSION_KEY: DEV, CLERK_SECRET_KEY: 'sk_test_x' },
      { NODE_ENV: 'production', DEV_SESSION_KEY: DEV, CLERK_AUTHORIZED_PARTIES: 'https://app.example' },
    ]) {
      expect(() => loadConfig(GatewayConfig, env)).toThrow(/DEV_SESSION_KEY is for local development only/);
    }
    expect(() =>
      loadConfig(GatewayConfig, { NODE_ENV: 'development', DEV_SESSION_KEY: 'not a key' }),
    ).toThrow(/DEV_SESSION_KEY must be a PKCS#8 PEM private key/);
  });

  it('takes a Clerk publishable key only beside a key that verifies Clerk tokens', () => {
    const publishable = `pk_test_${Buffer.from('clerk.example.com$').toString('base64')}`;
    expect(
      loadConfig(GatewayConfig, {
        NODE_ENV: 'development',
        CLERK_JWT_KEY: KEY,
        CLERK_PUBLISHABLE_KEY: publishable,
      }).CLERK_PUBLISHABLE_KEY,
    ).toBe(publishable);
    expect(() =>
      loadConfig(GatewayConfig, {
        NODE_ENV: 'development',
        DEV_SESSION_KEY: '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----',
        CLERK_PUBLISHABLE_KEY: publishable,
      }),
    ).toThrow(/CLERK_PUBLISHABLE_KEY must be a Clerk publishable key/);
    expect(() =>
      loadConfig(GatewayConfig, {
        NODE_ENV: 'development',
        CLERK_JWT_KEY: KEY,
        CLERK_PUBLISHABLE_KEY: 'pk_test_nope',
      }),
    ).toThrow(/CLERK_PUBLISHABLE_KEY must be a Clerk publishable key/);
  });
});
