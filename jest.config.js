// Released connections close at once in tests (the product lingers 60 s): tests of lingering set it themselves.
process.env.PBXFLOW_LINGER_MS ??= '0';

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testTimeout: 30000,
};
