// Each app's bundle runs alone, as its image runs it: dist/apps/<app> copied
// out of the workspace, only its generated package.json installed beside it
// (what docker/Dockerfile's deps stage does), migrations run from it, and the
// whole platform started from those copies until every /health/ready answers.
// A dependency that only resolves because the monorepo's node_modules has it
// fails here, not in a cluster.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, parse } from 'node:path';
import { promisify } from 'node:util';

import { appDirectory, inPool } from '@smartbeak/testing';

import { ALL_SERVICES, Platform } from '../../apps/platform-e2e/src/platform';

const ROOT = join(__dirname, '../..');
const { DEPLOYABLES } = require(join(ROOT, 'tools/deploy/apps.js')) as {
  DEPLOYABLES: { name: string; app?: string }[];
};
const APPS = [...new Set(DEPLOYABLES.map((d) => d.app ?? d.name))];

const run = promisify(execFile);

/** Exactly the deps stage of docker/Dockerfile, in `dir`. */
async function installOwnDependencies(dir: string): Promise<void> {
  await run(
    'npm',
    ['install', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
    { cwd: dir, env: { ...process.env, NODE_ENV: 'production' }, maxBuffer: 16 * 1024 * 1024 },
  );
}

/** Every folder from `dir` up to the root: none may hold a node_modules the bundle could fall back on. */
function ancestors(dir: string): string[] {
  const out = [];
  for (let at = dirname(dir); ; at = dirname(at)) {
    out.push(at);
    if (at === parse(at).root) return out;
  }
}

describe('each app bundle, alone', () => {
  let dir: string;
  let platform: Platform;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'smartbeak-bundles-'));
    for (const app of [...APPS, 'web'])
      cpSync(join(ROOT, 'dist/apps', app), join(dir, app), { recursive: true });
    // One install from the cache, then each other app starts from hard links of that tree and
    // `npm install` makes it exactly its own (adding what it lacks, removing what it does not
    // list): the same result as installing into an empty folder, at a third of the disk writes.
    const [first, ...others] = APPS as [string, ...string[]];
    await installOwnDependencies(join(dir, first));
    await inPool(others, 4, async (app) => {
      await run('cp', ['-al', join(dir, first, 'node_modules'), join(dir, app, 'node_modules')]);
      await installOwnDependencies(join(dir, app));
    });
    process.env['SMARTBEAK_APPS_DIR'] = dir;
    // Every service (seo too), each database migrated by its bundle's `main.js migrate`.
    platform = await Platform.start({ services: [...ALL_SERVICES, 'seo'] });
  }, 300_000);

  afterAll(async () => {
    await platform?.stop();
    delete process.env['SMARTBEAK_APPS_DIR'];
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('has nothing of the workspace to fall back on: only its own node_modules', () => {
    expect(dir.startsWith(ROOT)).toBe(false);
    for (const folder of ancestors(join(dir, 'content'))) {
      expect({ folder, nodeModules: existsSync(join(folder, 'node_modules')) }).toEqual({
        folder,
        nodeModules: false,
      });
    }
    for (const app of APPS) {
      expect(appDirectory(app)).toBe(join(dir, app));
      const manifest = JSON.parse(readFileSync(join(dir, app, 'package.json'), 'utf8'));
      for (const dependency of Object.keys(manifest.dependencies ?? {})) {
        expect({
          app,
          dependency,
          installed: existsSync(join(dir, app, 'node_modules', dependency)),
        }).toEqual({
          app,
          dependency,
          installed: true,
        });
      }
    }
  });

  it('starts every service and the gateway from its bundle until /health/ready, and they answer together', async () => {
    const processes = [
      platform.gateway,
      platform.controlPlane,
      ...platform.content,
      platform.publishing!,
      ...platform.publishingWorkers,
    ];
    for (const running of [
      ...processes,
      platform.media!,
      platform.notifications!,
      ...platform.analytics,
      platform.seo!,
    ]) {
      expect(running.child.spawnargs.find((arg) => arg.endsWith('main.js'))?.startsWith(dir)).toBe(true);
    }
    const health = await fetch(`${platform.url}/api/health`);
    const body = (await health.json()) as { status: string; services: Record<string, { status: string }> };
    expect(health.status).toBe(200);
    expect(Object.keys(body.services).sort()).toEqual(
      expect.arrayContaining(APPS.filter((a) => a !== 'api-gateway')),
    );
  });

  it('serves the console from the gateway bundle (its image carries the web build)', async () => {
    const page = await fetch(`${platform.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  });
});
