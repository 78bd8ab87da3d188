module.exports = {
  displayName: 'platform-e2e',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  // Specs that need their own platform (kill a process, other settings) start one;
  // the others share one platform per worker, booted once by the global setup.
  maxWorkers: 2,
  globalSetup: '<rootDir>/jest.global-setup.js',
  globalTeardown: '<rootDir>/jest.global-teardown.js',
};
