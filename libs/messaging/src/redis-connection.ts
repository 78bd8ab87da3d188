import Redis, { Cluster, type ClusterOptions, type RedisOptions } from 'ioredis';

/** A connection to a single Redis or to a Redis Cluster: every caller takes either. */
export type RedisClient = Redis | Cluster;

/**
 * REDIS_URL forms:
 * - `redis://user:password@host:6379` (or `rediss://` for TLS): one Redis (or a Sentinel-fronted
 *   or managed endpoint that presents one);
 * - `redis+cluster://user:password@host1:6379,host2:6379,host3:6379` (or `rediss+cluster://`):
 *   a Redis Cluster, found from any of those seed nodes.
 */
const CLUSTER_URL = /^(rediss?)\+cluster:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#]+)\/?$/;

export function isClusterUrl(url: string): boolean {
  return CLUSTER_URL.test(url);
}

export interface ClusterAddress {
  tls: boolean;
  username?: string;
  password?: string;
  nodes: { host: string; port: number }[];
}

/** The seed nodes and credentials of a `redis+cluster://` URL. */
export function parseClusterUrl(url: string): ClusterAddress {
  const match = CLUSTER_URL.exec(url);
  if (!match) throw new Error('not a redis+cluster:// or rediss+cluster:// URL');
  const [, scheme, username, password, hosts = ''] = match;
  const nodes = hosts.split(',').map((entry) => {
    const at = entry.lastIndexOf(':');
    const host = at > 0 ? entry.slice(0, at) : entry;
    const port = at > 0 ? Number(entry.slice(at + 1)) : 6379;
    if (!host || !Number.isInteger(port) || port <= 0 || port > 65_535) {
      throw new Error(`a cluster node must be host:port, not ${entry}`);
    }
    return { host: host.replace(/^\[|\]$/g, ''), port };
  });
  return {
    tls: scheme === 'rediss',
    ...(username ? { username: decodeURIComponent(username) } : {}),
    ...(password ? { password: decodeURIComponent(password) } : {}),
    nodes,
  };
}

/**
 * One connection for `url`, with `options` (ioredis's) applied to it or, for a
 * cluster, to each node's connection. Keys a command names together must hash
 * to one slot on a cluster: BullMQ's share the `{<prefix>:bull}` tag
 * (bullPrefix); every other command of ours names one key.
 */
export function createRedis(url: string, options: RedisOptions = {}): RedisClient {
  if (!isClusterUrl(url)) return new Redis(url, options);
  const address = parseClusterUrl(url);
  const { lazyConnect, enableAutoPipelining, ...nodeOptions } = options;
  const clusterOptions: ClusterOptions = {
    lazyConnect,
    enableAutoPipelining,
    // Commands wait (not fail) while slots move between masters or a replica is promoted.
    enableOfflineQueue: options.enableOfflineQueue ?? true,
    slotsRefreshTimeout: 2_000,
    redisOptions: {
      ...nodeOptions,
      username: address.username,
      password: address.password,
      ...(address.tls ? { tls: {} } : {}),
    },
  };
  return new Cluster(address.nodes, clusterOptions);
}

const bullClusters = new Map<string, RedisClient>();

/**
 * BullMQ's `connection` for `url`: connection options for one Redis (BullMQ
 * opens what it needs for each queue); for a cluster, one Cluster client per
 * URL and options in the process, shared by every queue (BullMQ never closes
 * a client it is given; its workers duplicate it for their blocking reads).
 */
export function bullConnection(
  url: string,
  options: RedisOptions = {},
): RedisClient | (RedisOptions & { url: string }) {
  if (!isClusterUrl(url)) return { url, maxRetriesPerRequest: null, ...options };
  const key = `${url}\n${JSON.stringify(options)}`;
  let client = bullClusters.get(key);
  if (!client) {
    client = createRedis(url, { maxRetriesPerRequest: null, ...options });
    bullClusters.set(key, client);
  }
  return client;
}
