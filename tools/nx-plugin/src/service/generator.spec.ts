import { join } from 'node:path';

import { FsTree, type Tree } from 'nx/src/generators/tree';
import * as ts from 'typescript';

import { serviceGenerator } from './generator';

const ROOT = join(__dirname, '../../../..');

/**
 * Type-checks the generated TypeScript as the workspace would build it: the
 * real files on disk with the generator's changes laid over them in memory.
 */
function typeErrors(tree: Tree, roots: string[]): string[] {
  const changed = new Map(
    tree
      .listChanges()
      .filter((change) => change.type !== 'DELETE')
      .map((change) => [join(ROOT, change.path), change.content?.toString('utf8') ?? '']),
  );
  const config = ts.readConfigFile(join(ROOT, 'tsconfig.base.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  const compilerOptions = { ...options, noEmit: true, types: ['node', 'jest'] };
  const host = ts.createCompilerHost(compilerOptions);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (file) => changed.get(file) ?? readFile(file);
  host.fileExists = (file) => changed.has(file) || fileExists(file);
  // New folders exist only in the overlay.
  const folders = new Set(
    [...changed.keys()].flatMap((file) => file.split('/').map((_, i, parts) => parts.slice(0, i).join('/'))),
  );
  const directoryExists = host.directoryExists?.bind(host);
  host.directoryExists = (dir) =>
    folders.has(dir.replace(/\/$/, '')) ||
    (directoryExists ? directoryExists(dir) : ts.sys.directoryExists(dir));
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, language, onError, fresh) => {
    const text = changed.get(file);
    return text === undefined
      ? getSourceFile(file, language, onError, fresh)
      : ts.createSourceFile(file, text, language);
  };
  const program = ts.createProgram(
    roots.map((file) => join(ROOT, file)),
    compilerOptions,
    host,
  );
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

describe('service generator (`nx g @smartbeak/tools:service`)', () => {
  let tree: Tree;

  beforeAll(async () => {
    // The real workspace, written to in memory only.
    tree = new FsTree(ROOT, false);
    // No prettier here: it cannot load inside jest's module sandbox (the CLI formats).
    await serviceGenerator(tree, { name: 'demo-widgets', feature: 'widgets', skipFormat: true });
  }, 60_000);

  it('lays the service out in the house anatomy', () => {
    const app = 'apps/demo-widgets';
    for (const file of [
      'project.json',
      'jest.config.js',
      'webpack.config.js',
      'src/main.ts',
      'src/app.module.ts',
      'src/config/demo-widgets.config.ts',
      'src/database/schema.ts',
      'src/database/data-source.ts',
      'src/queues/queues.ts',
      'src/widgets/widgets.handler.ts',
      'src/widgets/widgets.service.ts',
      'src/widgets/widgets.repository.ts',
      'test/widgets.spec.ts',
      'test/health.spec.ts',
    ]) {
      expect(tree.exists(`${app}/${file}`)).toBe(true);
    }
    const migrations = tree.children(`${app}/src/database/migrations`);
    expect(migrations).toEqual([expect.stringMatching(/^\d{13}-DemoWidgetsInitial\.ts$/)]);
    expect(JSON.parse(tree.read(`${app}/project.json`, 'utf-8') ?? '{}').tags).toEqual([
      'type:app',
      'scope:demo-widgets',
    ]);
  });

  it('wires it into the contracts, the local stack and the gateway health list', () => {
    expect(tree.read('libs/contracts/src/index.ts', 'utf-8')).toContain(`export * from './demo-widgets';`);
    expect(tree.read('tools/stack/services.js', 'utf-8')).toMatch(
      /\{ name: 'demo-widgets', httpPort: \d+, database: 'demo_widgets' \},/,
    );
    expect(tree.read('tools/stack/redis-acl.js', 'utf-8')).toContain(
      `'demo-widgets': service('demo-widgets'),`,
    );
    expect(tree.read('apps/api-gateway/src/config/gateway.config.ts', 'utf-8')).toMatch(
      /HEALTH_SERVICES: string = '[^']*,demo-widgets'/,
    );
  });

  it('deploys it: a Kubernetes base, both overlays, its pipeline and its owners', () => {
    expect(tree.read('tools/deploy/apps.js', 'utf-8')).toMatch(
      /name: 'demo-widgets',\n\s+port: \d+,\n\s+database: 'demo_widgets',/,
    );
    expect(tree.read('deploy/k8s/base/kustomization.yaml', 'utf-8')).toContain('- demo-widgets\n');
    expect(tree.read('deploy/k8s/base/demo-widgets/deployment.yaml', 'utf-8')).toContain(
      'image: smartbeak/demo-widgets:latest',
    );
    expect(tree.read('deploy/k8s/base/demo-widgets/migration-job.yaml', 'utf-8')).toContain(
      'name: demo-widgets-migrate',
    );
    for (const overlay of ['dev', 'prod']) {
      const text = tree.read(`deploy/k8s/overlays/${overlay}/kustomization.yaml`, 'utf-8');
      expect(text).toMatch(
        /- \{ name: smartbeak\/demo-widgets, newName: ghcr\.io\/smartbeak\/demo-widgets, newTag: [^ ]+ \}/,
      );
      expect(text).toContain('- { name: demo-widgets, count: 1 }');
    }
    expect(tree.read('.github/workflows/demo-widgets.yml', 'utf-8')).toContain('project: demo-widgets');
    expect(tree.read('.github/CODEOWNERS', 'utf-8')).toMatch(
      /^\/apps\/demo-widgets\/\s+@smartbeak\/demo-widgets @smartbeak\/platform$/m,
    );
  });

  it('writes tenant-scoped data access: every repository method takes the scope first', () => {
    const repository = tree.read('apps/demo-widgets/src/widgets/widgets.repository.ts', 'utf-8') ?? '';
    const methods = [...repository.matchAll(/^ {2}(?:async )?(\w+)\(([^)]*)\)/gm)];
    expect(methods.map(([, method]) => method)).toEqual(['insert', 'find', 'list']);
    for (const [, , params] of methods) expect(params).toMatch(/^scope: TenantScope/);
    expect(repository).not.toContain('DataSource');
  });

  it('generates code that type-checks against the workspace (app and its tests)', () => {
    const roots = tree
      .listChanges()
      .map((change) => change.path)
      .filter((path) => path.startsWith('apps/demo-widgets/') && path.endsWith('.ts'));
    expect(roots.length).toBeGreaterThan(10);
    expect(typeErrors(tree, roots)).toEqual([]);
  }, 120_000);

  it('refuses a service that exists already', async () => {
    await expect(
      serviceGenerator(new FsTree(ROOT, false), { name: 'content', skipFormat: true }),
    ).rejects.toThrow(/exists already/);
  });
});
