module.exports = {
  displayName: 'platform-e2e',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  // Each file starts its own platform (processes, database, Redis prefix).
  maxWorkers: 2,
};
