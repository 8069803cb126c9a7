/**
 * The layout of a persistent local stack's data directory. Each emulator owns one sub-directory;
 * the runtime keeps its stream checkpoints and function bundles beside them. A marker file proves
 * a directory is ours before `resetLocalData` deletes it.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UnsafeDataDirError } from './local-cloud-errors';

const MARKER_FILE = '.order-pipeline-local-data';

export interface LocalDataPaths {
  readonly root: string;
  /** DynamoDB Local's `-dbPath` (with `-sharedDb`, one `shared-local-instance.db`). */
  readonly dynamodb: string;
  /** fauxqs's `FAUXQS_DATA_DIR` (SQLite). */
  readonly snsSqs: string;
  /** Emulator output, one file per emulator. */
  readonly logs: string;
  /** The local runtime's stream-mapping checkpoints (created by the runtime, read by the ops CLI). */
  readonly streamCheckpoints: string;
  /**
   * The bundles the local runtime builds at each start. Here rather than in a temporary directory
   * of their own: a runtime that is killed (as the crash tests kill it) cannot remove its own, and
   * 12 MB per start piled up in /tmp; here they go with the data directory.
   */
  readonly functionBundles: string;
}

/** Paths are absolute: DynamoDB Local resolves a relative `-dbPath` against its own directory. */
export function localDataPaths(dataDir: string): LocalDataPaths {
  const root = path.resolve(dataDir);
  return {
    root,
    dynamodb: path.join(root, 'dynamodb'),
    snsSqs: path.join(root, 'sns-sqs'),
    logs: path.join(root, 'logs'),
    streamCheckpoints: path.join(root, 'stream-checkpoints'),
    functionBundles: path.join(root, 'function-bundles'),
  };
}

/** Creates the directories and the marker; harmless on an existing data directory. */
export function prepareLocalDataDir(dataDir: string): LocalDataPaths {
  const paths = localDataPaths(dataDir);
  for (const dir of [paths.dynamodb, paths.snsSqs, paths.logs]) {
    mkdirSync(dir, { recursive: true });
  }
  writeFileSync(path.join(paths.root, MARKER_FILE), 'Local stack data (DynamoDB Local, fauxqs). Safe to delete.\n');
  return paths;
}

/**
 * Deletes a data directory for a fresh start (emulators must be stopped). Only a directory this
 * module created (it holds the marker) or an empty one is deleted, so a mistyped path cannot wipe
 * a home directory.
 */
export function resetLocalData(dataDir: string): void {
  const root = path.resolve(dataDir);
  if (root === path.parse(root).root || root === os.homedir()) {
    throw new UnsafeDataDirError(root, 'it is a root or home directory');
  }
  if (!existsSync(root)) {
    return;
  }
  const entries = readdirSync(root);
  if (entries.length > 0 && !entries.includes(MARKER_FILE)) {
    throw new UnsafeDataDirError(root, `it is not empty and has no ${MARKER_FILE} marker`);
  }
  rmSync(root, { recursive: true, force: true });
}
