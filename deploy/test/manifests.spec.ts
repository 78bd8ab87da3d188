// Every overlay, rendered as `kustomize build` would, must be valid Kubernetes
// (the API's OpenAPI schemas, KEDA's CRDs), follow our rules for a pod, and
// give each service every setting its config class requires.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { BaseConfig, ConfigError, loadConfig } from '@smartbeak/config';
import { bullPrefix } from '@smartbeak/messaging';
import { getMetadataStorage } from 'class-validator';

const ROOT = join(__dirname, '../..');

type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: any;
};
type Container = { name: string; image: string; [key: string]: any };

const { build } = require(join(ROOT, 'tools/deploy/kustomize.js')) as { build: (dir: string) => K8sObject[] };
const { staleFiles, PRE_STOP_SECONDS } = require(join(ROOT, 'tools/deploy/generate.js')) as {
  staleFiles: () => string[];
  PRE_STOP_SECONDS: number;
};
const { DEPLOYABLES, NOT_DEPLOYED } = require(join(ROOT, 'tools/deploy/apps.js')) as {
  DEPLOYABLES: {
    name: string;
    app?: string;
    database: string | null;
    migrates?: boolean;
    queues?: string[];
  }[];
  NOT_DEPLOYED: Record<string, string>;
};

/** Each deployed app's config class (apps/<app>/src/config/*.config.ts): what its process refuses to start without. */
function configClassOf(app: string): (new () => object) | undefined {
  const dir = join(ROOT, 'apps', app, 'src/config');
  if (!existsSync(dir)) return undefined;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.config.ts'))) {
    const exported = Object.values(require(join(dir, file)) as Record<string, unknown>);
    const schema = exported.find(
      (value): value is new () => object =>
        typeof value === 'function' && value.prototype instanceof BaseConfig,
    );
    if (schema) return schema;
  }
  return undefined;
}
const CONFIGS: Record<string, new () => object> = Object.fromEntries(
  [...new Set(DEPLOYABLES.map((d) => d.app ?? d.name))].flatMap((app) => {
    const schema = configClassOf(app);
    return schema ? [[app, schema]] : [];
  }),
);

/** Names a pod defines only to compose DATABASE_URL and REDIS_URL (base/common/config.yaml). */
const URL_PARTS = new Set([
  'DATABASE_USER',
  'DATABASE_PASSWORD',
  'DATABASE_HOST',
  'DATABASE_PORT',
  'DATABASE_NAME',
  'DATABASE_OPTIONS',
  'REDIS_SCHEME',
  'REDIS_USER',
  'REDIS_PASSWORD',
  'REDIS_HOST',
  'REDIS_PORT',
]);

const OVERLAYS = ['dev', 'prod'];
const rendered = new Map(
  OVERLAYS.map((overlay) => [overlay, build(join(ROOT, 'deploy/k8s/overlays', overlay))]),
);

function schemaErrors(objects: K8sObject[]): { object: string; errors: string[] }[] {
  const output = execFileSync(process.execPath, [join(ROOT, 'tools/deploy/validate-schemas.mjs')], {
    input: JSON.stringify(objects),
    cwd: ROOT,
  });
  return (JSON.parse(output.toString('utf8')) as { object: string; errors: string[] }[]).filter(
    (result) => result.errors.length,
  );
}

function podSpec(object: K8sObject): any {
  return object.spec?.template?.spec;
}

/** Our rules for every workload (Deployments and Jobs): what a reviewer would otherwise check by eye. */
function ruleViolations(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const find = (kind: string, name: string) =>
    objects.find((o) => o.kind === kind && o.metadata.name === name);
  const configMap = (name: string) => find('ConfigMap', name)?.['data'] ?? {};
  for (const workload of objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Job')) {
    const id = `${workload.kind}/${workload.metadata.name}`;
    const pod = podSpec(workload);
    if (pod.automountServiceAccountToken !== false) problems.push(`${id}: mounts a service account token`);
    if (!pod.serviceAccountName || !find('ServiceAccount', pod.serviceAccountName))
      problems.push(`${id}: no ServiceAccount of its own`);
    for (const container of [...(pod.containers ?? []), ...(pod.initContainers ?? [])] as Container[]) {
      const at = `${id} ${container.name}`;
      const security = { ...pod.securityContext, ...container['securityContext'] };
      if (security.runAsNonRoot !== true) problems.push(`${at}: may run as root`);
      if (container['securityContext']?.readOnlyRootFilesystem !== true)
        problems.push(`${at}: writable root fs`);
      if (container['securityContext']?.allowPrivilegeEscalation !== false)
        problems.push(`${at}: may escalate`);
      if (!container['securityContext']?.capabilities?.drop?.includes('ALL'))
        problems.push(`${at}: keeps capabilities`);
      for (const resource of ['cpu', 'memory']) {
        if (!container['resources']?.limits?.[resource]) problems.push(`${at}: no ${resource} limit`);
        if (!container['resources']?.requests?.[resource]) problems.push(`${at}: no ${resource} request`);
      }
      if (!/[:@]/.test(container.image.replace(/^[^/]*:\d+\//, '')) || container.image.endsWith(':latest'))
        problems.push(`${at}: image ${container.image} has no pinned tag`);
      if (workload.kind !== 'Deployment') continue;
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
        if (!container[probe]) problems.push(`${at}: no ${probe}`);
      }
      // The kubelet must never kill a process that is still draining.
      const env = Object.fromEntries(
        [...(container['envFrom'] ?? [])].flatMap((source: any) =>
          Object.entries(configMap(source.configMapRef?.name ?? '')),
        ),
      );
      const drainSeconds = Number(env['SHUTDOWN_TIMEOUT_MS'] ?? 15_000) / 1000;
      const preStop = container['lifecycle']?.preStop?.sleep?.seconds ?? 0;
      if (!(pod.terminationGracePeriodSeconds > preStop + drainSeconds))
        problems.push(
          `${at}: grace ${pod.terminationGracePeriodSeconds}s ≤ preStop ${preStop}s + drain ${drainSeconds}s`,
        );
    }
    if (workload.kind !== 'Deployment') continue;
    const name = workload.metadata.name;
    if (!pod.topologySpreadConstraints?.length) problems.push(`${id}: no topology spread`);
    if (!find('Service', name)) problems.push(`${id}: no Service`);
    if (!find('PodDisruptionBudget', name)) problems.push(`${id}: no PodDisruptionBudget`);
    if (!find('HorizontalPodAutoscaler', name) && !find('ScaledObject', name))
      problems.push(`${id}: no autoscaler`);
    if (find('HorizontalPodAutoscaler', name) && find('ScaledObject', name))
      problems.push(`${id}: both an HPA and a ScaledObject (KEDA makes its own HPA)`);
    if (!objects.some((o) => o.kind === 'NetworkPolicy' && selects(o, workload)))
      problems.push(`${id}: no NetworkPolicy selects it`);
  }
  return problems;
}

function selects(policy: K8sObject, workload: K8sObject): boolean {
  const labels = podSpec(workload) && workload['spec'].template.metadata.labels;
  const selector = policy['spec'].podSelector;
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  const byExpressions = (selector.matchExpressions ?? []).every(
    (e: { key: string; operator: string; values: string[] }) =>
      e.operator === 'In' && e.values.includes(labels[e.key]),
  );
  return byLabels && byExpressions;
}

/**
 * The environment a container would start with: its ConfigMaps, then env in
 * order with `$(VAR)` expanded as the kubelet does; secrets stand in as `secret`.
 * Returns the values, which names came from Secrets, and references left unresolved.
 */
function containerEnvironment(objects: K8sObject[], container: Container) {
  const env: Record<string, string> = {};
  const secrets = new Set<string>();
  const unresolved: string[] = [];
  for (const source of container['envFrom'] ?? []) {
    const map = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === source.configMapRef?.name);
    if (!map) unresolved.push(`ConfigMap ${source.configMapRef?.name ?? JSON.stringify(source)}`);
    Object.assign(env, map?.['data'] ?? {});
  }
  for (const entry of container['env'] ?? []) {
    if (entry.valueFrom?.secretKeyRef) {
      secrets.add(entry.name);
      if (!entry.valueFrom.secretKeyRef.optional) env[entry.name] = 'secret';
    } else if (entry.valueFrom?.configMapKeyRef) {
      const { name, key } = entry.valueFrom.configMapKeyRef;
      const map = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name);
      if (map?.['data']?.[key] === undefined) unresolved.push(`${name}.${key}`);
      else env[entry.name] = map['data'][key];
    } else {
      env[entry.name] = String(entry.value ?? '').replace(
        /\$\(([A-Z0-9_]+)\)/g,
        (whole: string, name: string) => {
          if (env[name] === undefined) unresolved.push(`$(${name}) in ${entry.name}`);
          return env[name] ?? whole;
        },
      );
    }
  }
  return { env, secrets, unresolved };
}

function knownSettings(schema: new () => object): Set<string> {
  return new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(schema, '', true, false)
      .map((metadata) => metadata.propertyName),
  );
}

/** Problems with a container's environment against its config class; `[]` when it would start. */
function configViolations(objects: K8sObject[], workload: K8sObject, container: Container): string[] {
  const at = `${workload.kind}/${workload.metadata.name}`;
  const deployable = DEPLOYABLES.find((d) => d.name === workload.metadata.name.replace(/-migrate$/, ''));
  const schema = CONFIGS[deployable?.app ?? deployable?.name ?? ''];
  if (!schema) return [`${at}: no config class known for it`];
  const { env, secrets, unresolved } = containerEnvironment(objects, container);
  const problems = unresolved.map((what) => `${at}: ${what} is not defined`);
  const known = knownSettings(schema);
  for (const name of Object.keys(env).filter((n) => !known.has(n) && !URL_PARTS.has(n)))
    problems.push(`${at}: sets ${name}, which ${schema.name} does not read`);
  // Loading the class with that environment: a missing setting it requires, or a value it
  // refuses (secrets and the URLs composed from them exist only in a cluster: not judged here).
  try {
    loadConfig(schema, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const judged = new Set<string>();
    for (const problem of error.problems) {
      const name = problem.split(':')[0]!;
      if (judged.has(name)) continue;
      judged.add(name);
      if (env[name] === undefined)
        problems.push(`${at}: ${schema.name} requires ${name}, which nothing provides`);
      else if (!secrets.has(name) && !URL_SECRETS.has(name)) problems.push(`${at}: ${problem}`);
    }
  }
  return problems;
}

/** Composed from a Secret's password: their values exist only in a cluster. */
const URL_SECRETS = new Set(['DATABASE_URL', 'REDIS_URL']);

/** The queue names an app declares (its queues.ts string constants). */
function declaredQueues(app: string): string[] {
  const file = join(ROOT, 'apps', app, 'src/queues/queues.ts');
  if (!existsSync(file)) return [];
  return [...readFileSync(file, 'utf8').matchAll(/'([a-z][a-z-]*)'/g)].map((match) => match[1]);
}

describe('deployment manifests', () => {
  it('deploy/k8s/base is what tools/deploy/apps.js generates (no hand edits, nothing stale)', () => {
    expect(staleFiles()).toEqual([]);
  });

  it('every app in apps/ is deployed (a base of its own) or says why not, and both overlays render it', () => {
    const apps = readdirSync(join(ROOT, 'apps'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    for (const app of apps) {
      const deployables = DEPLOYABLES.filter((d) => (d.app ?? d.name) === app);
      expect({ app, deployed: deployables.length > 0 || app in NOT_DEPLOYED }).toEqual({
        app,
        deployed: true,
      });
      for (const d of deployables) {
        expect(existsSync(join(ROOT, 'deploy/k8s/base', d.name, 'kustomization.yaml'))).toBe(true);
        for (const [overlay, objects] of rendered) {
          const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === d.name);
          expect({ overlay, name: d.name, found: Boolean(deployment) }).toEqual({
            overlay,
            name: d.name,
            found: true,
          });
          // The overlay pins the image (no `latest` reaches a cluster).
          expect(podSpec(deployment!).containers[0].image).not.toMatch(/^smartbeak\/|:latest$/);
          if (d.migrates)
            expect(objects.some((o) => o.kind === 'Job' && o.metadata.name === `${d.name}-migrate`)).toBe(
              true,
            );
        }
      }
    }
    expect(Object.keys(CONFIGS).sort()).toEqual([...new Set(DEPLOYABLES.map((d) => d.app ?? d.name))].sort());
  });

  it('a service pipeline selects exactly its own objects by label (kubectl apply -l app.kubernetes.io/name=…)', () => {
    for (const d of DEPLOYABLES) {
      const own = build(join(ROOT, 'deploy/k8s/base', d.name));
      expect(own.length).toBeGreaterThanOrEqual(6);
      for (const object of own) {
        const id = `${object.kind}/${object.metadata.name}`;
        expect({ id, label: object.metadata.labels?.['app.kubernetes.io/name'] }).toEqual({
          id,
          label: d.name,
        });
      }
    }
    for (const object of build(join(ROOT, 'deploy/k8s/base/common'))) {
      expect(object.metadata.labels?.['app.kubernetes.io/component']).toBe('common');
    }
  });

  it.each(OVERLAYS)(
    'overlay %s: every object is valid against the Kubernetes and KEDA schemas',
    (overlay) => {
      const objects = rendered.get(overlay)!;
      expect(objects.length).toBeGreaterThan(50);
      expect(schemaErrors(objects)).toEqual([]);
      expect(new Set(objects.map((o) => o.metadata.namespace))).toEqual(
        new Set([overlay === 'prod' ? 'smartbeak' : 'smartbeak-dev']),
      );
    },
  );

  it('the schema check refuses what the API server would (so a green means something)', () => {
    const deployment = structuredClone(rendered.get('prod')!.find((o) => o.kind === 'Deployment')!);
    deployment['spec'].replicas = 'three';
    delete deployment['spec'].selector;
    const scaled = structuredClone(rendered.get('prod')!.find((o) => o.kind === 'ScaledObject')!);
    delete scaled['spec'].triggers;
    const errors = schemaErrors([
      deployment,
      scaled,
      { apiVersion: 'v1', kind: 'Nonsense', metadata: { name: 'x' } },
    ]);
    expect(errors.map((e) => e.object)).toEqual([
      `Deployment/${deployment.metadata.name}`,
      `ScaledObject/${scaled.metadata.name}`,
      'Nonsense/x',
    ]);
    expect(errors[0]!.errors.join()).toMatch(/replicas must be integer/);
    expect(errors[0]!.errors.join()).toMatch(/selector/);
  });

  it.each(OVERLAYS)(
    'overlay %s: probes, limits, non-root, read-only root, drain time, PDB, autoscaler, policy',
    (overlay) => {
      expect(ruleViolations(rendered.get(overlay)!)).toEqual([]);
    },
  );

  it('the rules catch a pod that breaks them', () => {
    const objects = structuredClone(rendered.get('prod')!);
    const content = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'content')!;
    const container = podSpec(content).containers[0];
    delete container.livenessProbe;
    delete container.resources.limits.memory;
    container.securityContext.readOnlyRootFilesystem = false;
    podSpec(content).terminationGracePeriodSeconds = 10;
    container.image = 'ghcr.io/smartbeak/content:latest';
    const withoutPdb = objects.filter(
      (o) => !(o.kind === 'PodDisruptionBudget' && o.metadata.name === 'media'),
    );
    expect(ruleViolations(withoutPdb).sort()).toEqual(
      [
        'Deployment/content content: no livenessProbe',
        'Deployment/content content: no memory limit',
        'Deployment/content content: writable root fs',
        'Deployment/content content: image ghcr.io/smartbeak/content:latest has no pinned tag',
        `Deployment/content content: grace 10s ≤ preStop ${PRE_STOP_SECONDS}s + drain 20s`,
        'Deployment/media: no PodDisruptionBudget',
      ].sort(),
    );
  });

  it.each(OVERLAYS)(
    'overlay %s: each container gets every setting its config class requires, and only settings it reads',
    (overlay) => {
      const objects = rendered.get(overlay)!;
      const workloads = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Job');
      expect(workloads.length).toBeGreaterThanOrEqual(DEPLOYABLES.length);
      const problems = workloads.flatMap((workload) =>
        (podSpec(workload).containers as Container[]).flatMap((container) =>
          configViolations(objects, workload, container),
        ),
      );
      expect(problems).toEqual([]);
    },
  );

  it('the settings check catches a missing secret, a typo and a value the class refuses', () => {
    const objects = structuredClone(rendered.get('prod')!);
    const publishing = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'publishing')!;
    const container: Container = podSpec(publishing).containers[0];
    container['env'] = container['env'].filter(
      (e: { name: string }) => e.name !== 'PUBLISHING_ENCRYPTION_KEYS',
    );
    const own = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'smartbeak-publishing')!;
    own['data'].PUBLISHING_MAX_ATEMPTS = '5';
    own['data'].PUBLISHING_BACKOFF_MS = 'soon';
    container['env'].push({ name: 'EXTRA', value: '$(NOT_DEFINED)' });
    const problems = configViolations(objects, publishing, container);
    expect(problems).toHaveLength(5);
    expect(problems).toEqual(
      expect.arrayContaining([
        'Deployment/publishing: $(NOT_DEFINED) in EXTRA is not defined',
        'Deployment/publishing: sets EXTRA, which PublishingConfig does not read',
        'Deployment/publishing: sets PUBLISHING_MAX_ATEMPTS, which PublishingConfig does not read',
        'Deployment/publishing: PublishingConfig requires PUBLISHING_ENCRYPTION_KEYS, which nothing provides',
        expect.stringMatching(/^Deployment\/publishing: PUBLISHING_BACKOFF_MS: /),
      ]),
    );
  });

  it('job runners scale on the wait list of a queue their app declares; HTTP services on CPU', () => {
    const objects = rendered.get('prod')!;
    const prefix = objects.find((o) => o.metadata.name === 'smartbeak-common')!['data'].REDIS_PREFIX;
    for (const d of DEPLOYABLES) {
      const scaled = objects.find((o) => o.kind === 'ScaledObject' && o.metadata.name === d.name);
      if (!d.queues) {
        expect(
          objects.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === d.name),
        ).toBeDefined();
        continue;
      }
      const lists = scaled!['spec'].triggers
        .filter((t: { type: string }) => t.type === 'redis')
        .map((t: { metadata: { listName: string } }) => t.metadata.listName);
      expect(lists).toEqual(d.queues.map((queue) => `${bullPrefix(prefix)}:${queue}:wait`));
      for (const queue of d.queues) expect(declaredQueues(d.app ?? d.name)).toContain(queue);
    }
  });
});
