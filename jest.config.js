// ESM throughout: several engine and client packages ship only as ES modules.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'es6' },
    }],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/designer/test/**/*.test.ts'],
  // Multi-process suites need a PostgreSQL server: `npm run test:cluster` (jest.cluster.config.js).
  testPathIgnorePatterns: ['/node_modules/', '\\.cluster\\.test\\.ts$'],
  globalSetup: '<rootDir>/test/helpers/global-setup.js',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.js',
  // Also the budget of every beforeAll without its own: making a platform on a fresh database (PostgreSQL:
  // CREATE DATABASE + migrations) took over 30 s on a 2-core machine shared with other runs (load ~20).
  testTimeout: 90000,
  maxWorkers: 2,
};
