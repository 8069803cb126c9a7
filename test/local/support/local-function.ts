import path from 'node:path';
import type { LocalFunction } from '../../../infra/local/runtime/lambda-service';

export const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..', '..');

/** A test function from test/local/fixtures/functions/, with small defaults. */
export function fixtureFunction(fixture: string, overrides: Partial<LocalFunction> = {}): LocalFunction {
  return {
    name: fixture,
    entry: `test/local/fixtures/functions/${fixture}.ts`,
    timeoutSeconds: 3,
    memorySizeMb: 256,
    environment: {},
    maxConcurrency: 2,
    ...overrides,
  };
}

export const TEST_SERVICE_OPTIONS = {
  repositoryRoot: REPOSITORY_ROOT,
  region: 'us-east-1',
  accountId: '000000000000',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;
