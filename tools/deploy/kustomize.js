// Renders a kustomization the way `kustomize build` does, for the subset of
// kustomize our overlays use: resources (files and folders), namespace,
// images, replicas and patches (strategic merge, or JSON 6902 with a target).
// Any other field is an error, never silently ignored: extend this first.
// The manifest checks (deploy/test) render every overlay with it.
'use strict';

const { existsSync, readFileSync, statSync } = require('node:fs');
const { join } = require('node:path');
const YAML = require('yaml');

const SUPPORTED = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'images', 'replicas', 'patches']);

/** Strategic-merge keys of the lists our objects hold (the rest are replaced whole, as kustomize does). */
const MERGE_KEYS = {
  containers: 'name',
  initContainers: 'name',
  env: 'name',
  envFrom: null,
  volumes: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
  imagePullSecrets: 'name',
};

function readDocuments(file) {
  return YAML.parseAllDocuments(readFileSync(file, 'utf8'))
    .map((document) => {
      if (document.errors.length) throw new Error(`${file}: ${document.errors[0].message}`);
      return document.toJS();
    })
    .filter((object) => object !== null);
}

function kustomizationFile(dir) {
  for (const name of ['kustomization.yaml', 'kustomization.yml', 'Kustomization']) {
    if (existsSync(join(dir, name))) return join(dir, name);
  }
  throw new Error(`${dir}: no kustomization.yaml`);
}

/** Strategic merge of `patch` into `target` (a copy); `null` in the patch removes a field. */
function strategicMerge(target, patch, field = '') {
  if (Array.isArray(patch)) {
    const key = MERGE_KEYS[field];
    if (!key || !Array.isArray(target)) return structuredClone(patch);
    const merged = target.map((item) => structuredClone(item));
    for (const item of patch) {
      const at = merged.findIndex((existing) => existing[key] === item[key]);
      if (item.$patch === 'delete') {
        if (at >= 0) merged.splice(at, 1);
      } else if (at >= 0) merged[at] = strategicMerge(merged[at], item);
      else merged.push(structuredClone(item));
    }
    return merged;
  }
  if (patch === null || typeof patch !== 'object') return patch;
  const merged = target && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) delete merged[name];
    else merged[name] = strategicMerge(merged[name], value, name);
  }
  return merged;
}

function pointer(path) {
  if (!path.startsWith('/')) throw new Error(`JSON patch path ${path} must start with /`);
  return path
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** RFC 6902 add, replace, remove and test on a copy of `object`. */
function jsonPatch(object, operations) {
  const copy = structuredClone(object);
  for (const operation of operations) {
    const tokens = pointer(operation.path);
    const last = tokens.pop();
    let parent = copy;
    for (const token of tokens) {
      parent = parent?.[Array.isArray(parent) ? Number(token) : token];
      if (parent === undefined) throw new Error(`JSON patch: ${operation.path} does not exist`);
    }
    const index = Array.isArray(parent) ? (last === '-' ? parent.length : Number(last)) : last;
    switch (operation.op) {
      case 'add':
        if (Array.isArray(parent)) parent.splice(index, 0, structuredClone(operation.value));
        else parent[index] = structuredClone(operation.value);
        break;
      case 'replace':
        if (!(index in parent)) throw new Error(`JSON patch: replace of missing ${operation.path}`);
        parent[index] = structuredClone(operation.value);
        break;
      case 'remove':
        if (!(index in parent)) throw new Error(`JSON patch: remove of missing ${operation.path}`);
        if (Array.isArray(parent)) parent.splice(index, 1);
        else delete parent[index];
        break;
      case 'test':
        if (JSON.stringify(parent[index]) !== JSON.stringify(operation.value))
          throw new Error(`JSON patch: test of ${operation.path} failed`);
        break;
      default:
        throw new Error(`JSON patch: op ${operation.op} is not supported`);
    }
  }
  return copy;
}

function matches(object, target) {
  return (
    (!target.kind || object.kind === target.kind) &&
    (!target.name || new RegExp(`^(?:${target.name})$`).test(object.metadata?.name ?? '')) &&
    (!target.group || (object.apiVersion ?? '').split('/')[0] === target.group)
  );
}

function applyPatch(objects, spec, dir) {
  const text = spec.path ? readFileSync(join(dir, spec.path), 'utf8') : spec.patch;
  if (typeof text !== 'string') throw new Error(`${dir}: a patch needs path or patch`);
  const patches = YAML.parseAllDocuments(text).map((document) => document.toJS());
  let hits = 0;
  const result = objects.map((object) => {
    let patched = object;
    for (const patch of patches) {
      if (Array.isArray(patch)) {
        if (!spec.target) throw new Error(`${dir}: a JSON 6902 patch needs a target`);
        if (matches(patched, spec.target)) {
          patched = jsonPatch(patched, patch);
          hits++;
        }
      } else {
        const target = spec.target ?? { kind: patch.kind, name: patch.metadata?.name };
        if (matches(patched, target) && (!patch.kind || patch.kind === patched.kind)) {
          const { apiVersion: _a, kind: _k, metadata, ...rest } = patch;
          const { name: _n, ...meta } = metadata ?? {};
          patched = strategicMerge(patched, {
            ...rest,
            ...(Object.keys(meta).length ? { metadata: meta } : {}),
          });
          hits++;
        }
      }
    }
    return patched;
  });
  if (!hits) throw new Error(`${dir}: patch ${spec.path ?? JSON.stringify(spec.target)} matched nothing`);
  return result;
}

function podTemplates(object) {
  const spec = object.spec?.template?.spec ?? object.spec?.jobTemplate?.spec?.template?.spec;
  return spec ? [spec] : [];
}

function setImages(objects, images) {
  for (const object of objects) {
    for (const pod of podTemplates(object)) {
      for (const container of [...(pod.containers ?? []), ...(pod.initContainers ?? [])]) {
        const name = container.image.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
        const rule = images.find((image) => image.name === name);
        if (!rule) continue;
        const tag = container.image.slice(name.length);
        const suffix = rule.digest ? `@${rule.digest}` : rule.newTag ? `:${rule.newTag}` : tag;
        container.image = `${rule.newName ?? name}${suffix}`;
      }
    }
  }
}

/** The objects `kustomize build <dir>` would print, in order. */
function build(dir) {
  const file = kustomizationFile(dir);
  const kustomization = YAML.parse(readFileSync(file, 'utf8'));
  for (const field of Object.keys(kustomization)) {
    if (!SUPPORTED.has(field))
      throw new Error(`${file}: field ${field} is not supported by tools/deploy/kustomize.js`);
  }
  let objects = [];
  for (const resource of kustomization.resources ?? []) {
    const path = join(dir, resource);
    objects.push(...(statSync(path).isDirectory() ? build(path) : readDocuments(path)));
  }
  for (const spec of kustomization.patches ?? []) objects = applyPatch(objects, spec, dir);
  if (kustomization.images) setImages(objects, kustomization.images);
  for (const { name, count } of kustomization.replicas ?? []) {
    const targets = objects.filter((object) => object.kind === 'Deployment' && object.metadata.name === name);
    if (!targets.length) throw new Error(`${file}: replicas for unknown Deployment ${name}`);
    for (const target of targets) target.spec.replicas = count;
  }
  if (kustomization.namespace) {
    for (const object of objects)
      object.metadata = { ...object.metadata, namespace: kustomization.namespace };
  }
  const seen = new Set();
  for (const object of objects) {
    const id = `${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
    if (seen.has(id)) throw new Error(`${dir}: ${id} is defined twice`);
    seen.add(id);
  }
  return objects;
}

module.exports = { build, strategicMerge, jsonPatch };
