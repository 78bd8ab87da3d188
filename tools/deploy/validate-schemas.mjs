#!/usr/bin/env node
// Validates Kubernetes objects (a JSON array on stdin) against the Kubernetes
// OpenAPI schemas (kubernetes-models) and KEDA's CRDs (@kubernetes-models/keda).
// Prints a JSON array of `{ object, errors }`; exit 0 either way. The models are
// ES modules only, so the jest spec runs this as a child process.

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const objects = JSON.parse(Buffer.concat(chunks).toString('utf8'));

/** `apps/v1` + `Deployment` → its model class, from the package's group/version exports. */
async function modelOf(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const path = group ? `${group}/${version}` : version;
  const packages = group.endsWith('keda.sh') ? ['@kubernetes-models/keda'] : ['kubernetes-models'];
  for (const name of packages) {
    try {
      const module = await import(`${name}/${path}/${kind}`);
      return module[kind];
    } catch {
      // not in this package
    }
  }
  return undefined;
}

const results = [];
for (const object of objects) {
  const id = `${object.kind}/${object.metadata?.name}`;
  const Model = await modelOf(object.apiVersion ?? '', object.kind ?? '');
  if (!Model) {
    results.push({ object: id, errors: [`no schema for ${object.apiVersion} ${object.kind}`] });
    continue;
  }
  try {
    new Model(object).validate();
    results.push({ object: id, errors: [] });
  } catch (error) {
    results.push({ object: id, errors: [String(error.message ?? error)] });
  }
}
process.stdout.write(JSON.stringify(results));
