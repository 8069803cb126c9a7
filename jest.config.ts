import type { Config } from 'jest';

const swc: Config['transform'] = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2023', parser: { syntax: 'typescript' } } }],
};

/**
 * Two projects: `unit` (handlers, domain, contracts, CDK assertions; no processes, no network) and
 * `integration` (the local stack, added by the local-stack work). `npm test` runs both.
 */
const config: Config = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform: swc,
      roots: ['<rootDir>/test/unit', '<rootDir>/test/contract', '<rootDir>/test/infra'],
      testMatch: ['**/*.test.ts'],
      clearMocks: true,
    },
  ],
};

export default config;
