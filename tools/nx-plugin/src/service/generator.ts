import { join } from 'node:path';

import { formatFiles, generateFiles, names, type Tree } from '@nx/devkit';

import { type ServiceGeneratorSchema } from './schema';

const SERVICES_FILE = 'tools/stack/services.js';
const SERVICES_MARKER = '  // `nx g @smartbeak/tools:service <name>` adds new services above this line.';
const REDIS_ACL_FILE = 'tools/stack/redis-acl.js';
const REDIS_ACL_MARKER = '    // `nx g @smartbeak/tools:service <name>` adds new services above this line.';
const CONTRACTS_INDEX = 'libs/contracts/src/index.ts';
const DEPLOYABLES_FILE = 'tools/deploy/apps.js';
const OVERLAYS = [
  'deploy/k8s/overlays/dev/kustomization.yaml',
  'deploy/k8s/overlays/prod/kustomization.yaml',
];
const CODEOWNERS = '.github/CODEOWNERS';
const GATEWAY_CONFIG = 'apps/api-gateway/src/config/gateway.config.ts';

/** `notifications` → `notification`, `usage-events` → `usage-event` (good enough for pattern names). */
function singular(word: string): string {
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.endsWith('ses')) return word.slice(0, -2);
  return word.endsWith('s') ? word.slice(0, -1) : word;
}

/** The next local port after the other services' (3101, 3102, …). */
function nextPort(tree: Tree): number {
  const services = tree.read(SERVICES_FILE, 'utf-8') ?? '';
  const ports = [...services.matchAll(/httpPort: (\d+)/g)].map((match) => Number(match[1]));
  return Math.max(3100, ...ports) + 1;
}

/**
 * A new service in the house anatomy (docs/architecture.md § Anatomy):
 * config, database and first migration, one tenant-scoped feature (handler →
 * service → repository), its queue, its contracts in libs/contracts, tests
 * against the real database and a process test of /health/ready, the local
 * stack entry, the k8s manifest and the gateway's health list.
 */
export async function serviceGenerator(tree: Tree, options: ServiceGeneratorSchema): Promise<void> {
  const name = names(options.name).fileName;
  if (tree.exists(`apps/${name}`)) throw new Error(`apps/${name} exists already`);
  const feature = names(options.feature ?? 'records').fileName;
  const httpPort = options.httpPort ?? nextPort(tree);
  const substitutions = {
    name,
    className: names(name).className,
    propertyName: names(name).propertyName,
    dbName: name.replace(/-/g, '_'),
    feature,
    featureClass: names(feature).className,
    featureProperty: names(feature).propertyName,
    featureTable: feature.replace(/-/g, '_'),
    featureSingular: singular(feature),
    httpPort,
    // Migrations are ordered by this; a fixed width keeps TypeORM's name check happy.
    timestamp: String(Date.now()),
  };
  generateFiles(tree, join(__dirname, 'files'), '.', substitutions);

  const index = tree.read(CONTRACTS_INDEX, 'utf-8') ?? '';
  const exports = [...index.split('\n').filter(Boolean), `export * from './${name}';`];
  tree.write(CONTRACTS_INDEX, `${[...new Set(exports)].sort().join('\n')}\n`);

  const services = tree.read(SERVICES_FILE, 'utf-8') ?? '';
  if (!services.includes(SERVICES_MARKER)) throw new Error(`${SERVICES_FILE} has lost its marker line`);
  tree.write(
    SERVICES_FILE,
    services.replace(
      SERVICES_MARKER,
      `  { name: '${name}', httpPort: ${httpPort}, database: '${substitutions.dbName}' },\n${SERVICES_MARKER}`,
    ),
  );

  // Its own Redis user: its RPC list, its queues, delivery to the event queues.
  const acl = tree.read(REDIS_ACL_FILE, 'utf-8') ?? '';
  if (!acl.includes(REDIS_ACL_MARKER)) throw new Error(`${REDIS_ACL_FILE} has lost its marker line`);
  tree.write(
    REDIS_ACL_FILE,
    acl.replace(REDIS_ACL_MARKER, `    '${name}': service('${name}'),\n${REDIS_ACL_MARKER}`),
  );

  addDeployment(tree, name, httpPort, substitutions.dbName, options.team ?? name);

  const gateway = tree.read(GATEWAY_CONFIG, 'utf-8') ?? '';
  tree.write(
    GATEWAY_CONFIG,
    gateway.replace(
      /(HEALTH_SERVICES: string = ')([^']*)(')/,
      (_all, head, list: string, tail) =>
        `${head}${[...list.split(',').filter(Boolean), name].join(',')}${tail}`,
    ),
  );

  if (!options.skipFormat) await formatFiles(tree);
}

/**
 * Its Kubernetes base (a tools/deploy/apps.js entry, rendered into deploy/k8s/base/<name>),
 * its image and replica count in both overlays, and its owners.
 */
function addDeployment(tree: Tree, name: string, port: number, database: string, team: string): void {
  const table = tree.read(DEPLOYABLES_FILE, 'utf-8') ?? '';
  if (!table.includes(SERVICES_MARKER)) throw new Error(`${DEPLOYABLES_FILE} has lost its marker line`);
  const entry = [
    '  {',
    `    name: '${name}',`,
    `    port: ${port},`,
    `    database: '${database}',`,
    '    migrates: true,',
    '    settings: {},',
    '    secrets: SERVICE_SECRETS,',
    '    scale: [2, 6],',
    '  },',
  ].join('\n');
  const updated = table.replace(SERVICES_MARKER, `${entry}\n${SERVICES_MARKER}`);
  tree.write(DEPLOYABLES_FILE, updated);
  // The generator's renderer, over the table as it now reads.
  const module = { exports: {} as { DEPLOYABLES: unknown[] } };
  new Function('module', 'exports', 'require', updated)(module, module.exports, require);
  const { render } = require(join(tree.root, 'tools/deploy/generate.js')) as {
    render: (deployables: unknown[]) => Map<string, string>;
  };
  for (const [path, text] of render(module.exports.DEPLOYABLES)) tree.write(`deploy/k8s/base/${path}`, text);

  for (const overlay of OVERLAYS) {
    const text = tree.read(overlay, 'utf-8') ?? '';
    const image = [
      ...text.matchAll(/^ {2}- \{ name: smartbeak\/[^,]+, newName: ([^,]+)\/[^/,]+, (\w+): ([^ ]+) \}$/gm),
    ].at(-1);
    const replica = [...text.matchAll(/^ {2}- \{ name: [a-z-]+, count: \d+ \}$/gm)].at(-1);
    if (!image || !replica) throw new Error(`${overlay}: no images or replicas list to add ${name} to`);
    const [line, registry, key, tag] = image;
    tree.write(
      overlay,
      text
        .replace(
          line,
          `${line}\n  - { name: smartbeak/${name}, newName: ${registry}/${name}, ${key}: ${tag} }`,
        )
        .replace(replica[0], `${replica[0]}\n  - { name: ${name}, count: 1 }`),
    );
  }

  const owners = `@smartbeak/${team}`;
  const codeowners = tree.read(CODEOWNERS, 'utf-8') ?? '';
  const lines = [`/apps/${name}/`, `/deploy/k8s/base/${name}/`, `/.github/workflows/${name}.yml`].map(
    (path) => `${path.padEnd(42)}${owners}${team === 'platform' ? '' : ' @smartbeak/platform'}`,
  );
  tree.write(CODEOWNERS, `${codeowners.trimEnd()}\n\n# ${name}\n${lines.join('\n')}\n`);
}

export default serviceGenerator;
