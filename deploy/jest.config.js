// The deployment checks: rendered overlays against the Kubernetes schemas and
// our rules, the Dockerfile, the workflows and the OpenAPI artefact.
module.exports = {
  displayName: 'deploy',
  preset: '../jest.preset.js',
  rootDir: __dirname,
  coverageDirectory: '../coverage/deploy',
};
