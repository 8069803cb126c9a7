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
      roots: ['<rootDir>/test'],
      testMatch: ['<rootDir>/test/{unit,contract,infra}/**/*.test.ts'],
      clearMocks: true,
    },
  ],
};

export default config;
