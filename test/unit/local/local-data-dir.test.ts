import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UnsafeDataDirError } from '../../../infra/local/cloud/local-cloud-errors';
import { localDataPaths, prepareLocalDataDir, resetLocalData } from '../../../infra/local/cloud/local-data-dir';

describe('resetLocalData', () => {
  let sandbox: string;

  beforeEach(() => {
    sandbox = mkdtempSync(path.join(os.tmpdir(), 'local-data-dir-test-'));
  });

  afterEach(() => {
    rmSync(sandbox, { recursive: true, force: true });
  });

  it('deletes a data directory the local stack prepared, with everything in it', () => {
    // Prepare
    const dataDir = path.join(sandbox, '.local-data');
    const paths = prepareLocalDataDir(dataDir);
    writeFileSync(path.join(paths.dynamodb, 'shared-local-instance.db'), 'tables');

    // Act
    resetLocalData(dataDir);

    // Assess
    expect(existsSync(dataDir)).toBe(false);
  });

  it('accepts a directory that does not exist', () => {
    // Prepare
    const dataDir = path.join(sandbox, 'never-created');

    // Act
    const resetting = () => resetLocalData(dataDir);

    // Assess
    expect(resetting).not.toThrow();
  });

  it('refuses a non-empty directory the local stack did not prepare', () => {
    // Prepare
    const dataDir = path.join(sandbox, 'someone-elses');
    mkdirSync(dataDir);
    writeFileSync(path.join(dataDir, 'thesis.tex'), 'irreplaceable');

    // Act
    const resetting = () => resetLocalData(dataDir);

    // Assess
    expect(resetting).toThrow(UnsafeDataDirError);
    expect(existsSync(path.join(dataDir, 'thesis.tex'))).toBe(true);
  });

  it('refuses the home directory', () => {
    // Act
    const resetting = () => resetLocalData(os.homedir());

    // Assess
    expect(resetting).toThrow(UnsafeDataDirError);
  });
});

describe('localDataPaths', () => {
  it('resolves a relative data directory to absolute paths, as DynamoDB Local needs', () => {
    // Act
    const paths = localDataPaths('relative/data');

    // Assess
    expect(path.isAbsolute(paths.dynamodb)).toBe(true);
    expect(paths.dynamodb).toBe(path.resolve('relative/data', 'dynamodb'));
  });
});
