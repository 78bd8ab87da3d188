import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { WORKSPACE_ROOT, freePort, waitFor } from './processes';
import { type PrivateRedis, startPrivateRedis } from './redis-server';

const acl = require(join(WORKSPACE_ROOT, 'tools/stack/redis-acl.js')) as {
  aclPasswords: (prefix: string, stored?: Record<string, string>) => Record<string, string>;
  applyAcl: (options: { port: number; prefix: string; passwords: Record<string, string> }) => void;
};

export interface RedisCluster {
  nodes: PrivateRedis[];
  /** `redis+cluster://<user>:<password>@127.0.0.1:<p1>,…`: a process's own ACL user, as deployed. */
  urlFor(user: string): string;
  stop(): void;
}

function cli(port: number, ...args: string[]): string {
  return execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { encoding: 'utf8' });
}

/**
 * A Redis Cluster of `masters` masters (no replicas), in memory, made as an
 * operator would: `redis-server --cluster-enabled yes` on each port, then
 * `redis-cli --cluster create`; every node gets the platform's ACL users
 * (tools/stack/redis-acl.js, any prefix). The default user stays open for the test's own looks.
 */
export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'smartbeak-cluster-'));
  const nodes: PrivateRedis[] = [];
  const stop = () => {
    for (const node of nodes) node.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      nodes.push(
        await startPrivateRedis([
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, `nodes-${i}.conf`),
          '--cluster-node-timeout',
          '5000',
          // The bus port defaults to port + 10,000; pick it like any other port.
          '--cluster-port',
          String(await freePort()),
          '--dir',
          dir,
        ]),
      );
    }
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    execFileSync(
      'redis-cli',
      ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'],
      {
        stdio: 'ignore',
      },
    );
    await waitFor(
      async () => nodes.every((node) => /cluster_state:ok/.test(cli(node.port, 'cluster', 'info'))),
      30_000,
      'the cluster to agree on its slots',
    );
    const passwords = acl.aclPasswords('*');
    for (const node of nodes) acl.applyAcl({ port: node.port, prefix: '*', passwords });
    return {
      nodes,
      urlFor: (user) => {
        if (!passwords[user]) throw new Error(`no Redis ACL user ${user}`);
        return `redis+cluster://${user}:${encodeURIComponent(passwords[user])}@${addresses.join(',')}`;
      },
      stop,
    };
  } catch (error) {
    stop();
    throw error;
  }
}

/** The number of keys each node holds (`DBSIZE`), in node order. */
export function keysPerNode(cluster: RedisCluster): number[] {
  return cluster.nodes.map((node) => Number(cli(node.port, 'dbsize').trim()));
}

/** The hash slot Redis Cluster gives `key` (`CLUSTER KEYSLOT`). */
export function keySlot(cluster: RedisCluster, key: string): number {
  return Number(cli(cluster.nodes[0]!.port, 'cluster', 'keyslot', key).trim());
}
