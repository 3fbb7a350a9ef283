// Multi-process tests that need a PostgreSQL server (DATABASE_URL): `npm run test:cluster`.
import base from './jest.config.js';

export default { ...base, testMatch: ['<rootDir>/test/**/*.cluster.test.ts'], testPathIgnorePatterns: ['/node_modules/'] };
