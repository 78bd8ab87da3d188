import { Cluster } from 'ioredis';

import { bullConnection, createRedis, isClusterUrl, parseClusterUrl } from './redis-connection';

describe('REDIS_URL forms', () => {
  it('reads a cluster URL: its seed nodes, its user and its percent-encoded password', () => {
    const url = 'rediss+cluster://content:p%40ss%3Aword@10.0.0.1:6380,10.0.0.2:6380,[::1]:7000';
    expect(isClusterUrl(url)).toBe(true);
    expect(parseClusterUrl(url)).toEqual({
      tls: true,
      username: 'content',
      password: 'p@ss:word',
      nodes: [
        { host: '10.0.0.1', port: 6380 },
        { host: '10.0.0.2', port: 6380 },
        { host: '::1', port: 7000 },
      ],
    });
    expect(parseClusterUrl('redis+cluster://h1,h2:7001')).toEqual({
      tls: false,
      nodes: [
        { host: 'h1', port: 6379 },
        { host: 'h2', port: 7001 },
      ],
    });
  });

  it('leaves a single-node URL to ioredis, and refuses a malformed node', () => {
    expect(isClusterUrl('redis://user:pw@127.0.0.1:6379')).toBe(false);
    expect(isClusterUrl('rediss://127.0.0.1:6380')).toBe(false);
    expect(() => parseClusterUrl('redis+cluster://h1:notaport')).toThrow(/host:port/);
    expect(() => parseClusterUrl('redis://h1')).toThrow(/redis\+cluster/);
  });

  it('makes a Cluster client for a cluster URL (each node with the user), and BullMQ gets that instance', () => {
    const client = createRedis('redis+cluster://svc:pw@127.0.0.1:1,127.0.0.1:2', { lazyConnect: true });
    expect(client).toBeInstanceOf(Cluster);
    expect((client as Cluster).options.redisOptions).toEqual(
      expect.objectContaining({ username: 'svc', password: 'pw' }),
    );
    client.disconnect();
    const bull = bullConnection('redis+cluster://127.0.0.1:1', { lazyConnect: true });
    expect(bull).toBeInstanceOf(Cluster);
    // Every queue of the process shares it.
    expect(bullConnection('redis+cluster://127.0.0.1:1', { lazyConnect: true })).toBe(bull);
    (bull as Cluster).disconnect();
    expect(bullConnection('redis://127.0.0.1:6379')).toEqual({
      url: 'redis://127.0.0.1:6379',
      maxRetriesPerRequest: null,
    });
  });
});
