import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CheckpointCorruptError, CheckpointStore } from '../../../infra/local/runtime/stream-mapping/checkpoint-store';
import { sequenceNumber, STREAM_ARN } from './stream-fixtures';

const SHARD = 'shardId-00000001767225600000-abcdef12';

describe('CheckpointStore', () => {
  let directory: string;

  beforeEach(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'checkpoints-'));
  });

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('returns the last checkpoint saved for a stream and shard', async () => {
    // Prepare
    const store = new CheckpointStore(directory);
    await store.save({ streamArn: STREAM_ARN, shardId: SHARD, sequenceNumber: sequenceNumber(3), shardEnded: false });

    // Act
    await store.save({ streamArn: STREAM_ARN, shardId: SHARD, sequenceNumber: sequenceNumber(9), shardEnded: true });
    const loaded = await new CheckpointStore(directory).load(STREAM_ARN, SHARD);

    // Assess
    expect(loaded).toMatchObject({ sequenceNumber: sequenceNumber(9), shardEnded: true });
  });

  it('has no checkpoint for a shard never consumed', async () => {
    // Act
    const loaded = await new CheckpointStore(directory).load(STREAM_ARN, SHARD);

    // Assess
    expect(loaded).toBeUndefined();
  });

  it('replaces the file by renaming, leaving no temporary file behind', async () => {
    // Prepare
    const store = new CheckpointStore(directory);

    // Act
    await store.save({ streamArn: STREAM_ARN, shardId: SHARD, sequenceNumber: sequenceNumber(1), shardEnded: false });
    await store.save({ streamArn: STREAM_ARN, shardId: SHARD, sequenceNumber: sequenceNumber(2), shardEnded: false });

    // Assess
    const files = await readdir(path.dirname(store.fileOf(STREAM_ARN, SHARD)));
    expect(files).toEqual([`${SHARD}.json`]);
  });

  it('refuses a corrupt checkpoint rather than silently starting over from TRIM_HORIZON', async () => {
    // Prepare
    const store = new CheckpointStore(directory);
    await store.save({ streamArn: STREAM_ARN, shardId: SHARD, sequenceNumber: sequenceNumber(1), shardEnded: false });
    await writeFile(store.fileOf(STREAM_ARN, SHARD), '{"streamArn": "x", "shard');

    // Act
    const loading = store.load(STREAM_ARN, SHARD);

    // Assess
    await expect(loading).rejects.toBeInstanceOf(CheckpointCorruptError);
  });
});
