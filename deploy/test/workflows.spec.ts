// Each service ships through its own pipeline: one workflow per service, all
// calling the one reusable definition, triggered only by what that service is
// built from; every app and lib has an owning team.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { validateWorkflow } from '@action-validator/core';
import { parse } from 'yaml';

const ROOT = join(__dirname, '../..');
const WORKFLOWS = join(ROOT, '.github/workflows');

const { DEPLOYABLES } = require(join(ROOT, 'tools/deploy/apps.js')) as {
  DEPLOYABLES: { name: string; app?: string; migrates?: boolean; database: string | null }[];
};

type Workflow = {
  on: Record<string, { paths?: string[]; branches?: string[] } | null>;
  jobs: Record<string, { uses?: string; with?: Record<string, unknown>; steps?: { run?: string }[] }>;
};

const files = readdirSync(WORKFLOWS).filter((file) => file.endsWith('.yml'));
const read = (file: string) => readFileSync(join(WORKFLOWS, file), 'utf8');
/** The apps that have an image of their own (publishing's worker runs publishing's). */
const services = [...new Set(DEPLOYABLES.map((d) => d.app ?? d.name))];

/** GitHub's path filter globs, enough for ours: `**` any depth, `*` within a segment. */
function globMatches(glob: string, path: string): boolean {
  const pattern = glob
    .split('**')
    .map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
    .join('.*');
  return new RegExp(`^${pattern}$`).test(path);
}

/** Schema errors of a workflow (action-validator's schema of GitHub's syntax). */
function schemaErrors(text: string): unknown[] {
  // It warns on stderr that globs are not validated; we check ours below.
  const warn = console.warn;
  console.warn = () => undefined;
  try {
    return validateWorkflow(text).errors;
  } finally {
    console.warn = warn;
  }
}

describe('.github/workflows', () => {
  it.each(files)('%s is valid GitHub Actions syntax', (file) => {
    expect(schemaErrors(read(file))).toEqual([]);
  });

  it('the validator refuses a broken workflow (so a green means something)', () => {
    expect(
      schemaErrors('on: push\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    step: []\n').length,
    ).toBeGreaterThan(0);
  });

  it.each(services)(
    '%s has its own workflow, calling the shared one with its project and Deployments',
    (service) => {
      const workflow = parse(read(`${service}.yml`)) as Workflow;
      const calls = Object.values(workflow.jobs).filter(
        (job) => job.uses === './.github/workflows/service.yml',
      );
      expect(calls).toHaveLength(1);
      const deployments = DEPLOYABLES.filter((d) => (d.app ?? d.name) === service);
      expect(calls[0]!.with).toEqual({
        project: service,
        deployments: deployments.map((d) => d.name).join(','),
        migrates: deployments.some((d) => d.migrates),
      });
    },
  );

  it.each(services)(
    '%s runs for its own app, the libs and its manifests, never for another service',
    (service) => {
      const workflow = parse(read(`${service}.yml`)) as Workflow;
      for (const trigger of ['push', 'pull_request']) {
        const paths = workflow.on[trigger]?.paths ?? [];
        const runsFor = (path: string) => paths.some((glob) => globMatches(glob, path));
        expect(runsFor(`apps/${service}/src/main.ts`)).toBe(true);
        expect(runsFor('libs/persistence/src/database.ts')).toBe(true);
        expect(runsFor('package-lock.json')).toBe(true);
        expect(runsFor(`deploy/k8s/base/${service}/deployment.yaml`)).toBe(true);
        for (const other of services.filter((s) => s !== service)) {
          expect({ other, runs: runsFor(`apps/${other}/src/main.ts`) }).toEqual({ other, runs: false });
          expect(runsFor(`deploy/k8s/base/${other}/deployment.yaml`)).toBe(false);
        }
      }
    },
  );

  it('the shared pipeline limits nx affected to the calling project and the libs, then images and deploys it', () => {
    const shared = parse(read('service.yml')) as Workflow & { on: { workflow_call?: unknown } };
    expect(shared.on.workflow_call).toBeDefined();
    const runs = Object.values(shared.jobs)
      .flatMap((job) => job.steps ?? [])
      .map((step) => step.run ?? '')
      .join('\n');
    expect(runs).toMatch(
      /nx affected -t lint typecheck test build[\s\S]*--exclude='\*,!\$\{\{ inputs\.project \}\},!tag:type:lib'/,
    );
    expect(Object.keys(shared.jobs)).toEqual(['verify', 'image', 'deploy']);
    expect(runs).toMatch(
      /kubectl -n "\$NAMESPACE" wait --for=condition=complete "job\/\$\{\{ inputs\.project \}\}-migrate"/,
    );
  });

  it('every app, every lib and every service manifest has an owner in CODEOWNERS', () => {
    const rules = readFileSync(join(ROOT, '.github/CODEOWNERS'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() && !line.startsWith('#'))
      .map((line) => line.trim().split(/\s+/))
      .map(([pattern, ...owners]) => ({ pattern: pattern!, owners }));
    const ownersOf = (path: string) =>
      rules.filter((rule) => rule.pattern !== '*' && `/${path}`.startsWith(rule.pattern)).at(-1)?.owners ??
      [];
    const dirs = (parent: string) =>
      readdirSync(join(ROOT, parent), { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => `${parent}/${entry.name}/`);
    for (const path of [...dirs('apps'), ...dirs('libs'), ...dirs('deploy/k8s/base')]) {
      expect({ path, owned: ownersOf(path).length > 0 }).toEqual({ path, owned: true });
    }
    // A service's own team, not only the platform team, owns its app.
    for (const service of services.filter((s) => !['api-gateway', 'control-plane'].includes(s))) {
      expect(ownersOf(`apps/${service}/`)).not.toEqual(['@smartbeak/platform']);
    }
  });
});
