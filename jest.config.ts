import type { Config } from 'jest';

const swc: Config['transform'] = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2023', parser: { syntax: 'typescript' } } }],
};

/**
 * Two projects: `unit` (handlers, domain, contracts, CDK assertions; no processes, no network) and
 * `integration` (the local stack: emulators, our Lambda runtime, end-to-end scenarios). `npm test`
 * runs them as two jest runs: the unit project loads Powertools Tracer in a simulated Lambda
 * environment, which instruments `fetch` for the rest of its worker process, and the tracing tests
 * must see requests exactly as a client sends them.
 */
const config: Config = {
  // Jest 30 reads testTimeout from the top level, not per project; unit tests finish in milliseconds.
  testTimeout: 60_000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform: swc,
      roots: ['<rootDir>/test'],
      testMatch: ['<rootDir>/test/{unit,contract,infra}/**/*.test.ts'],
      clearMocks: true,
    },
    {
      // Real child processes and sockets: emulators, execution environments, the API on loopback.
      displayName: 'integration',
      testEnvironment: 'node',
      transform: swc,
      roots: ['<rootDir>/test/local'],
      testMatch: ['<rootDir>/test/local/**/*.test.ts'],
      globalTeardown: '<rootDir>/test/local/support/report-open-handles.ts',
    },
  ],
};

export default config;
