import { controlPlaneSignalChannel, type RequestContext } from '@smartbeak/contracts';
import { eventually, testInfra, uniqueName } from '@smartbeak/testing';
import Redis from 'ioredis';

import { type GatewayConfig } from '../config/gateway.config';
import { ControlPlaneCache } from './control-plane-cache';

describe("ControlPlaneCache (real Redis: control-plane's relay signal as control-plane sends it)", () => {
  const prefix = uniqueName('cpcache');
  const ctx = (over: Partial<RequestContext> = {}): RequestContext => ({
    userId: 'user_a',
    orgId: 'org_a',
    domainId: null,
    permissions: ['org:admin'],
    requestId: uniqueName('req'),
    ...over,
  });
  let cache: ControlPlaneCache;
  let controlPlane: Redis;
  let asked: number;
  const ask = (value: string) => async () => {
    asked++;
    return { value };
  };

  beforeAll(async () => {
    cache = new ControlPlaneCache({
      REDIS_URL: testInfra().redisUrlFor('api-gateway'),
      REDIS_PREFIX: prefix,
    } as GatewayConfig);
    cache.onApplicationBootstrap();
    controlPlane = new Redis(testInfra().redisUrlFor('control-plane'));
    // Live once the signal channel is subscribed: a kept answer is served from then on.
    await eventually(async () => {
      await cache.read('p', ctx(), { probe: 1 }, async () => ({ value: 'probe' }));
      let fresh = true;
      await cache.read('p', ctx(), { probe: 1 }, async () => {
        fresh = false;
        return { value: 'probe' };
      });
      expect(fresh).toBe(true);
    });
  });
  beforeEach(() => {
    asked = 0;
  });
  afterAll(() => {
    cache.onApplicationShutdown();
    controlPlane.disconnect();
  });

  it('asks once for the same caller and payload, whatever the request id', async () => {
    expect(await cache.read('p', ctx(), { id: 'd1' }, ask('one'))).toEqual({ value: 'one' });
    expect(await cache.read('p', ctx(), { id: 'd1' }, ask('two'))).toEqual({ value: 'one' });
    expect(asked).toBe(1);
  });

  it('asks again for another caller: another user, other permissions, another org, another payload', async () => {
    await cache.read('q', ctx(), { id: 'd1' }, ask('base'));
    await cache.read('q', ctx({ userId: 'user_b' }), { id: 'd1' }, ask('b'));
    await cache.read('q', ctx({ permissions: [] }), { id: 'd1' }, ask('c'));
    expect(await cache.read('q', ctx({ orgId: 'org_b' }), { id: 'd1' }, ask('d'))).toEqual({ value: 'd' });
    await cache.read('q', ctx(), { id: 'd2' }, ask('e'));
    expect(asked).toBe(5);
  });

  it("forgets an org's answers when control-plane signals it, and only that org's", async () => {
    await cache.read('r', ctx(), {}, ask('before'));
    await cache.read('r', ctx({ orgId: 'org_other' }), {}, ask('other'));
    await controlPlane.publish(controlPlaneSignalChannel(prefix), 'org_a');
    await eventually(async () =>
      expect(await cache.read('r', ctx(), {}, ask('after'))).toEqual({ value: 'after' }),
    );
    expect(await cache.read('r', ctx({ orgId: 'org_other' }), {}, ask('other again'))).toEqual({
      value: 'other',
    });
  });

  it('does not keep an answer asked while the org was dropped (it may predate the change)', async () => {
    let release!: () => void;
    const slow = cache.read('s', ctx(), {}, async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return { value: 'stale' };
    });
    cache.drop('org_a');
    release();
    expect(await slow).toEqual({ value: 'stale' });
    expect(await cache.read('s', ctx(), {}, ask('fresh'))).toEqual({ value: 'fresh' });
  });
});
