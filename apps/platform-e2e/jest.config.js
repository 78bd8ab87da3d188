module.exports = {
  displayName: 'platform-e2e',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  // Specs that need their own platform (kill a process, other settings) start one;
  // the others share one platform, booted once by the global setup (each spec with a tenant of its own).
  // Two workers: a third was slower here (2 cores; the platforms keep them busy).
  maxWorkers: 2,
  globalSetup: '<rootDir>/jest.global-setup.js',
  globalTeardown: '<rootDir>/jest.global-teardown.js',
};
