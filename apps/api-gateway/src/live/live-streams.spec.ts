import { eventually, testInfra, uniqueName } from '@smartbeak/testing';
import Redis from 'ioredis';

import { type GatewayConfig } from '../config/gateway.config';
import { LiveStreams } from './live-streams';

describe('LiveStreams (real Redis, as the gateway and publishing users)', () => {
  const prefix = uniqueName('live');
  let streams: LiveStreams;
  let publisher: Redis;

  beforeAll(() => {
    streams = new LiveStreams({
      REDIS_URL: testInfra().redisUrlFor('api-gateway'),
      REDIS_PREFIX: prefix,
    } as GatewayConfig);
    streams.onApplicationBootstrap();
    publisher = new Redis(testInfra().redisUrlFor('publishing'));
  });
  afterAll(() => {
    streams.onApplicationShutdown();
    publisher.disconnect();
  });

  it('hears every signal sent once listen resolves, through streams opening and closing around it', async () => {
    for (let round = 0; round < 30; round++) {
      // A member's stream opens and closes (its channel's last listener gone) just before another opens.
      const stopOther = await streams.listen('org_churn', `user_${round}`, () => undefined);
      stopOther();
      const heard: string[] = [];
      const stop = await streams.listenToJobs(`org_${round}`, (message) => heard.push(message));
      await publisher.publish(`${prefix}:live:jobs:org_${round}`, `job-${round}`);
      await eventually(() => expect(heard).toEqual([`job-${round}`]), { timeoutMs: 3_000 });
      stop();
    }
  });

  it('two streams of one org opening together both hear, and a closed one hears nothing more', async () => {
    const first: string[] = [];
    const second: string[] = [];
    const [stopFirst, stopSecond] = await Promise.all([
      streams.listenToJobs('org_pair', (m) => first.push(m)),
      streams.listenToJobs('org_pair', (m) => second.push(m)),
    ]);
    await publisher.publish(`${prefix}:live:jobs:org_pair`, 'job-1');
    await eventually(() => expect([first, second]).toEqual([['job-1'], ['job-1']]));
    stopFirst();
    await publisher.publish(`${prefix}:live:jobs:org_pair`, 'job-2');
    await eventually(() => expect(second).toEqual(['job-1', 'job-2']));
    expect(first).toEqual(['job-1']);
    stopSecond();
  });
});
