// Nx's own preset hard-codes ts-jest and jsdom; we run every spec on Node
// through swc, which must emit decorator metadata or Nest injects undefined.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const swcrc = JSON.parse(readFileSync(join(__dirname, '.swcrc'), 'utf8'));
delete swcrc.$schema;

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.[tj]s$': ['@swc/jest', { ...swcrc, swcrc: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@smartbeak/([a-z-]+)$': join(__dirname, 'libs/$1/src/index.ts'),
  },
  testMatch: ['**/?(*.)+(spec|test).ts'],
  coverageReporters: ['text-summary', 'lcov'],
  setupFiles: [join(__dirname, 'tools/jest/setup.js')],
  reporters: ['default', join(__dirname, 'tools/jest/summary-reporter.js')],
  // Integration specs start processes and talk to real servers.
  testTimeout: 60_000,
};
