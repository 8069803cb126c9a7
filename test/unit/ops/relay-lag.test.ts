import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CheckpointStore } from '../../../infra/local/runtime/stream-mapping/checkpoint-store';
import { readRelayLag } from '../../../ops/relay-lag';
import { FakeStream, streamsError } from '../../local/stream-mapping/fake-stream';
import { sequenceNumber } from '../../local/stream-mapping/stream-fixtures';

const STREAM_ARN = 'arn:aws:dynamodb:ddblocal:000000000000:table/order-pipeline-outbox/stream/2026-11-29T01:10:35.112';
let checkpointDir: string;

beforeEach(() => {
  checkpointDir = mkdtempSync(path.join(os.tmpdir(), 'ops-relay-lag-'));
});
afterEach(() => {
  rmSync(checkpointDir, { recursive: true, force: true });
});

describe('readRelayLag', () => {
  it('counts the records of a shard after its checkpoint', async () => {
    // Prepare
    const stream = new FakeStream().addShard('shard-1').write('shard-1', [1, 2, 3, 4, 5]);
    await new CheckpointStore(checkpointDir).save({ streamArn: STREAM_ARN, shardId: 'shard-1', sequenceNumber: sequenceNumber(2), shardEnded: false });

    // Act
    const [lag] = await readRelayLag({ streams: stream, streamArn: STREAM_ARN, checkpointDir });

    // Assess
    expect(lag).toMatchObject({
      shardId: 'shard-1',
      checkpoint: sequenceNumber(2),
      recordsBehind: 3,
      newestSequenceNumber: sequenceNumber(5),
      truncated: false,
      shardEnded: false,
    });
    expect(lag?.oldestUnconsumedAt).toMatch(/:00\.000Z$/);
  });

  it('is up to date when nothing follows the checkpoint', async () => {
    // Prepare
    const stream = new FakeStream().addShard('shard-1').write('shard-1', [1, 2]);
    await new CheckpointStore(checkpointDir).save({ streamArn: STREAM_ARN, shardId: 'shard-1', sequenceNumber: sequenceNumber(2), shardEnded: false });

    // Act
    const [lag] = await readRelayLag({ streams: stream, streamArn: STREAM_ARN, checkpointDir });

    // Assess
    expect(lag).toMatchObject({ recordsBehind: 0, newestSequenceNumber: undefined, oldestUnconsumedAt: undefined });
  });

  it('counts every record of a shard without a checkpoint', async () => {
    // Prepare
    const stream = new FakeStream().addShard('shard-1').write('shard-1', [7, 8]);

    // Act
    const [lag] = await readRelayLag({ streams: stream, streamArn: STREAM_ARN, checkpointDir });

    // Assess
    expect(lag).toMatchObject({ checkpoint: undefined, recordsBehind: 2 });
  });

  it('does not read a shard its checkpoint marks as finished', async () => {
    // Prepare
    const stream = new FakeStream().addShard('shard-0').write('shard-0', [1]).close('shard-0');
    await new CheckpointStore(checkpointDir).save({ streamArn: STREAM_ARN, shardId: 'shard-0', sequenceNumber: sequenceNumber(1), shardEnded: true });

    // Act
    const [lag] = await readRelayLag({ streams: stream, streamArn: STREAM_ARN, checkpointDir });

    // Assess
    expect(lag).toMatchObject({ shardEnded: true, recordsBehind: 0 });
    expect(stream.calls).toEqual(['DescribeStream']);
  });

  it('reads from TRIM_HORIZON when the checkpoint is no longer in the stream', async () => {
    // Prepare
    const stream = new FakeStream().addShard('shard-1').write('shard-1', [10, 11]).failNextReads(streamsError('TrimmedDataAccessException'));
    await new CheckpointStore(checkpointDir).save({ streamArn: STREAM_ARN, shardId: 'shard-1', sequenceNumber: sequenceNumber(3), shardEnded: false });

    // Act
    const [lag] = await readRelayLag({ streams: stream, streamArn: STREAM_ARN, checkpointDir });

    // Assess
    expect(lag).toMatchObject({ recordsBehind: 2 });
    expect(stream.calls).toContain('GetShardIterator shard-1 TRIM_HORIZON');
  });

  it('stops counting at the bound and says so', async () => {
    // Prepare
    const stream = new FakeStream().addShard('shard-1').write('shard-1', Array.from({ length: 30 }, (_, i) => i + 1));

    // Act
    const [lag] = await readRelayLag({ streams: stream, streamArn: STREAM_ARN, checkpointDir, maxRecords: 10 });

    // Assess
    expect(lag).toMatchObject({ truncated: true });
    expect(lag?.recordsBehind).toBeGreaterThanOrEqual(10);
  });
});
