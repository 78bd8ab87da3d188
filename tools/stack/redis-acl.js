// Redis ACL users: one per signer (the gateway and each service), each
// limited to the keys and channels it needs. The local stack applies them at
// start (`ACL SETUSER`); `node tools/stack/redis-acl.js --prefix smartbeak`
// prints the same rules for a production Redis (deploy/k8s/redis.md).
// README § Trust boundaries.
'use strict';

const { execFileSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');

/**
 * Commands every user may run: data commands, scripts (BullMQ is Lua),
 * pub/sub, transactions; never administration (CONFIG, ACL, FLUSHALL, KEYS,
 * DEBUG, MONITOR, SHUTDOWN…). INFO stays: BullMQ and ioredis read it. On a
 * Redis Cluster, ioredis reads the topology (CLUSTER SLOTS/NODES/INFO/SHARDS).
 */
const COMMANDS =
  '-@all +@read +@write +@list +@sortedset +@hash +@string +@set +@stream +@scripting ' +
  '+@pubsub +@transaction +@connection +@keyspace +@blocking -@admin -@dangerous +info +client|setname ' +
  '+client|getname +client|id +cluster|slots +cluster|nodes +cluster|info +cluster|shards +cluster|myid';

/**
 * Each user's keys and channels, for the deployment prefix `p` (a glob: `*`
 * in tests, where every run has a prefix of its own).
 * - its own RPC list and replica set; push to any service's list; read liveness of all;
 * - reply channels (`p:rpc:reply:*`);
 * - its own BullMQ queues (`<name>-*`); every `*-events` queue, where its relay delivers.
 */
/** BullMQ's key prefix, `{<p>:bull}` (libs/messaging bullPrefix: a Redis Cluster hash tag). */
function bull(p) {
  return `{${p}:bull}`;
}

function aclRules(p) {
  const rpc = (name) => `~${p}:rpc:${name}:* %W~${p}:rpc:*:requests %R~${p}:rpc:*:replicas &${p}:rpc:reply:*`;
  const service = (name, extra = '') =>
    `${rpc(name)} ~${bull(p)}:${name}-* ~${bull(p)}:*-events:* ${extra}`.trim();
  return {
    // The queue dashboard (operators) reads and retries every queue.
    // `&p:live:*`: the live-stream signals of notifications (the SSE stream).
    'api-gateway': `${rpc('api-gateway')} ~${p}:idem:* ~${p}:ratelimit:* ~${bull(p)}:* &${p}:live:*`,
    // `&p:live:*`: its relay tells gateways which org's domains changed (their read cache).
    'control-plane': service('control-plane', `&${p}:live:*`),
    content: service('content'),
    // `&p:live:*`: job signals for the console's live job list.
    publishing: service('publishing', `~${bull(p)}:publishing:* &${p}:live:*`),
    media: service('media', `~${p}:media:*`),
    notifications: service('notifications', `&${p}:live:*`),
    // `p:analytics:*`: the report cache.
    analytics: service('analytics', `~${p}:analytics:*`),
    seo: service('seo'),
    // `nx g @smartbeak/tools:service <name>` adds new services above this line.
  };
}

/** The `ACL SETUSER` argument lists for `users` (name → password). */
function setUserCommands(prefix, passwords) {
  const rules = aclRules(prefix);
  return Object.entries(rules).map(([user, keys]) => [
    'ACL',
    'SETUSER',
    user,
    'reset',
    'on',
    `>${passwords[user]}`,
    ...COMMANDS.split(' ').filter(Boolean),
    ...keys.split(' ').filter(Boolean),
  ]);
}

/** Passwords for every user, reusing `stored` ones. */
function aclPasswords(prefix, stored = {}) {
  const passwords = { ...stored };
  for (const user of Object.keys(aclRules(prefix))) {
    if (!passwords[user]) passwords[user] = randomBytes(18).toString('base64url');
  }
  return passwords;
}

/** Applies the users to a running local Redis (the default user stays, for tools and tests). */
function applyAcl({ port, prefix, passwords }) {
  for (const command of setUserCommands(prefix, passwords)) {
    execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...command], { stdio: 'ignore' });
  }
}

module.exports = { aclRules, aclPasswords, applyAcl, setUserCommands };

if (require.main === module) {
  const at = process.argv.indexOf('--prefix');
  const prefix = at === -1 ? 'smartbeak' : process.argv[at + 1];
  process.stdout.write(
    "# Apply with redis-cli; replace each <password> with the one in that service's REDIS_URL.\n" +
      'ACL SETUSER default off\n',
  );
  for (const command of setUserCommands(prefix, new Proxy({}, { get: () => '<password>' }))) {
    process.stdout.write(`${command.join(' ')}\n`);
  }
}
