import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import type { InvokeResult } from '../../../infra/local/runtime/lambda-invoker';
import { CheckpointStore } from '../../../infra/local/runtime/stream-mapping/checkpoint-store';
import type { StreamOnFailureRecord } from '../../../infra/local/runtime/stream-mapping/on-failure-record';
import {
  LAMBDA_STREAM_POLL_INTERVAL_MS,
  startStreamMapping,
  UnsupportedStreamMappingError,
  type StreamMapping,
  type StreamMappingOptions,
} from '../../../infra/local/runtime/stream-mapping/stream-mapping';
import type { StreamsReader } from '../../../infra/local/runtime/stream-mapping/streams-reader';
import type { StreamRelaySettings } from '../../../src/common/settings';
import { currentMinuteSeconds, FakeFunction, FakeStream, streamsError, waitFor } from './fake-stream';
import { errorResult, okResult, sequenceNumber, STREAM_ARN, streamRecord, streamSettings } from './stream-fixtures';

const SHARD = 'shardId-00000001767225600000-aaaaaaaa';
const CHILD_SHARD = 'shardId-00000001767240000000-bbbbbbbb';
const QUEUE_URL = 'http://127.0.0.1:14800/000000000000/outbox-relay-failures';
const sqs = mockClient(SQSClient);

describe('startStreamMapping', () => {
  let checkpointDir: string;
  let logs: string[];
  const mappings: StreamMapping[] = [];

  function start(
    stream: StreamsReader,
    fn: FakeFunction,
    settings: Partial<StreamRelaySettings['stream']> = {},
    options: Partial<StreamMappingOptions> = {},
  ): StreamMapping {
    const mapping = startStreamMapping({
      streamArn: STREAM_ARN,
      functionName: 'OutboxRelay',
      invoker: fn,
      streamsClient: stream,
      sqsClient: new SQSClient({ region: 'us-east-1' }),
      onFailureQueueUrl: QUEUE_URL,
      checkpointDir,
      settings: streamSettings(settings),
      timeScale: 1,
      log: (line) => logs.push(line),
      pollIntervalMs: 5,
      shardDiscoveryIntervalMs: 20,
      errorBackoffMs: 5,
      ...options,
    });
    mappings.push(mapping);
    return mapping;
  }

  async function checkpointOf(shardId = SHARD) {
    return new CheckpointStore(checkpointDir).load(STREAM_ARN, shardId);
  }

  beforeEach(async () => {
    sqs.reset();
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    checkpointDir = await mkdtemp(path.join(os.tmpdir(), 'stream-mapping-'));
    logs = [];
  });

  afterEach(async () => {
    await Promise.all(mappings.splice(0).map((mapping) => mapping.stop()));
    await rm(checkpointDir, { recursive: true, force: true });
  });

  it('invokes the function with the DynamoDBStreamEvent Lambda sends, filtered records left out', async () => {
    // Prepare
    const createdAtSeconds = currentMinuteSeconds();
    const stream = new FakeStream()
      .addShard(SHARD)
      .write(SHARD, [1, 2], { createdAtSeconds })
      .write(SHARD, [3], { eventName: 'MODIFY', createdAtSeconds });
    const fn = new FakeFunction();

    // Act
    start(stream, fn);
    await waitFor(async () => (await checkpointOf())?.sequenceNumber === sequenceNumber(3), 'the MODIFY to be consumed');

    // Assess
    expect(fn.events).toEqual([{ Records: [streamRecord(1, { createdAtSeconds }), streamRecord(2, { createdAtSeconds })] }]);
    expect(logs.some((line) => line.includes('batch=2 seq 000000000000000000001…000000000000000000002 ok'))).toBe(true);
  });

  it("reads an idle shard at Lambda's base rate of 4 times a second, not faster", async () => {
    // Prepare
    const stream = new FakeStream().addShard(SHARD);
    const readTimes: number[] = [];
    const timedStream: StreamsReader = {
      describeStream: () => stream.describeStream(),
      getShardIterator: (input) => stream.getShardIterator(input),
      getRecords: (input) => {
        readTimes.push(performance.now());
        return stream.getRecords(input);
      },
    };

    // Act: the mapping's own interval, not the short one the other tests use
    start(timedStream, new FakeFunction(), {}, { pollIntervalMs: undefined });
    await waitFor(() => readTimes.length >= 5, 'five reads of the idle shard');

    // Assess: a timer never fires early, so every gap is at least the interval (less 1 ms of rounding)
    expect(LAMBDA_STREAM_POLL_INTERVAL_MS).toBe(250);
    const gaps = readTimes.slice(1, 5).map((readAt, index) => readAt - (readTimes[index] ?? readAt));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(LAMBDA_STREAM_POLL_INTERVAL_MS - 1);
  });

  it('reads a closed parent shard to its end before its child', async () => {
    // Prepare
    const stream = new FakeStream()
      .addShard(SHARD)
      .write(SHARD, [1, 2])
      .close(SHARD)
      .addShard(CHILD_SHARD, SHARD)
      .write(CHILD_SHARD, [3]);
    const fn = new FakeFunction();

    // Act
    start(stream, fn, { batchSize: 10 });
    await waitFor(() => fn.events.length === 2, 'both shards to be delivered');

    // Assess
    expect(fn.batches()).toEqual([[1, 2], [3]]);
    const lastParentRead = stream.calls.findLastIndex((call) => call.startsWith(`GetRecords ${SHARD}`));
    const firstChildCall = stream.calls.findIndex((call) => call.includes(CHILD_SHARD));
    expect(firstChildCall).toBeGreaterThan(lastParentRead);
    expect(await checkpointOf(SHARD)).toMatchObject({ sequenceNumber: sequenceNumber(2), shardEnded: true });
  });

  it("takes a new iterator after DynamoDB Local's TrimmedDataAccessException on a shard's first write", async () => {
    // Prepare
    const stream = new FakeStream().addShard(SHARD).write(SHARD, [1, 2]).failNextReads(streamsError('TrimmedDataAccessException'));
    const fn = new FakeFunction();

    // Act
    start(stream, fn, { batchSize: 10 });
    await waitFor(() => fn.events.length === 1, 'the batch');

    // Assess
    expect(fn.batches()).toEqual([[1, 2]]);
    expect(stream.calls.filter((call) => call === `GetShardIterator ${SHARD} TRIM_HORIZON`)).toHaveLength(2);
  });

  it('resumes after the last record read when its iterator expired, skipping and repeating nothing', async () => {
    // Prepare
    const stream = new FakeStream().addShard(SHARD).write(SHARD, [1, 2]);
    const fn = new FakeFunction();
    start(stream, fn, { batchSize: 10 });
    await waitFor(() => fn.events.length === 1, 'the first batch');

    // Act
    stream.failNextReads(streamsError('ExpiredIteratorException')).write(SHARD, [3]);
    await waitFor(() => fn.events.length === 2, 'the second batch');

    // Assess
    expect(fn.batches()).toEqual([[1, 2], [3]]);
    expect(stream.calls).toContain(`GetShardIterator ${SHARD} AFTER_SEQUENCE_NUMBER 2`);
  });

  it('falls back to TRIM_HORIZON when its checkpoint has been trimmed from the stream', async () => {
    // Prepare
    await new CheckpointStore(checkpointDir).save({ streamArn: STREAM_ARN, shardId: SHARD, sequenceNumber: sequenceNumber(2), shardEnded: false });
    const trimmed = streamsError('TrimmedDataAccessException');
    const stream = new FakeStream().addShard(SHARD).write(SHARD, [5, 6]).failNextReads(trimmed, trimmed);
    const fn = new FakeFunction();

    // Act
    start(stream, fn, { batchSize: 10 });
    await waitFor(() => fn.events.length === 1, 'the batch');

    // Assess
    expect(fn.batches()).toEqual([[5, 6]]);
    expect(stream.calls).toContain(`GetShardIterator ${SHARD} TRIM_HORIZON`);
    expect(logs.some((line) => line.includes('was trimmed from the stream'))).toBe(true);
  });

  it('resumes after its persisted checkpoint when restarted, never from LATEST', async () => {
    // Prepare
    const stream = new FakeStream().addShard(SHARD).write(SHARD, [1, 2]);
    const first = new FakeFunction();
    const mapping = start(stream, first, { batchSize: 10 });
    await waitFor(async () => (await checkpointOf())?.sequenceNumber === sequenceNumber(2), 'the first checkpoint');
    await mapping.stop();
    stream.write(SHARD, [3, 4]);
    stream.calls.length = 0;

    // Act
    const second = new FakeFunction();
    start(stream, second, { batchSize: 10 });
    await waitFor(() => second.events.length === 1, 'the restarted mapping to deliver');

    // Assess
    expect(second.batches()).toEqual([[3, 4]]);
    expect(stream.calls).toContain(`GetShardIterator ${SHARD} AFTER_SEQUENCE_NUMBER 2`);
    expect(stream.calls.some((call) => call.includes('LATEST') || call.includes('TRIM_HORIZON'))).toBe(false);
  });

  it('sends the on-failure record before it moves the checkpoint past the skipped records', async () => {
    // Prepare
    const stream = new FakeStream().addShard(SHARD).write(SHARD, [1]);
    const fn = new FakeFunction(() => errorResult());
    const checkpointsWhenSent: (string | undefined)[] = [];
    sqs.on(SendMessageCommand).callsFake(async () => {
      checkpointsWhenSent.push((await checkpointOf())?.sequenceNumber);
      if (checkpointsWhenSent.length === 1) throw new Error('queue unavailable');
      return { MessageId: 'm-1' };
    });

    // Act
    start(stream, fn, { retryAttempts: 1 });
    await waitFor(async () => (await checkpointOf())?.sequenceNumber === sequenceNumber(1), 'the checkpoint past the skipped record');

    // Assess
    expect(checkpointsWhenSent).toEqual([undefined, undefined]);
    const body = JSON.parse(sqs.commandCalls(SendMessageCommand)[1]?.args[0].input.MessageBody ?? '{}') as StreamOnFailureRecord;
    expect(sqs.commandCalls(SendMessageCommand)[1]?.args[0].input.QueueUrl).toBe(QUEUE_URL);
    expect(body.requestContext).toMatchObject({
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 2,
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:OutboxRelay',
    });
    expect(body.DDBStreamBatchInfo).toMatchObject({ shardId: SHARD, startSequenceNumber: sequenceNumber(1), batchSize: 1, streamArn: STREAM_ARN });
    expect(fn.events).toHaveLength(2);
  });

  it('lets an invocation in flight finish when stopped, and checkpoints its success', async () => {
    // Prepare
    let finish: (result: InvokeResult) => void = () => undefined;
    const fn = new FakeFunction(() => new Promise<InvokeResult>((resolve) => (finish = resolve)));
    const stream = new FakeStream().addShard(SHARD).write(SHARD, [1, 2]);
    const mapping = start(stream, fn, { batchSize: 10 });
    await waitFor(() => fn.events.length === 1, 'the invocation to start');

    // Act
    const stopping = mapping.stop();
    finish(okResult());
    await stopping;

    // Assess
    expect((await checkpointOf())?.sequenceNumber).toBe(sequenceNumber(2));
    expect(fn.events).toHaveLength(1);
  });

  it('keeps the checkpoint when an invocation in flight at stop fails, so the batch comes again', async () => {
    // Prepare
    let finish: (result: InvokeResult) => void = () => undefined;
    const fn = new FakeFunction(() => new Promise<InvokeResult>((resolve) => (finish = resolve)));
    const stream = new FakeStream().addShard(SHARD).write(SHARD, [1, 2]);
    const mapping = start(stream, fn, { batchSize: 10 });
    await waitFor(() => fn.events.length === 1, 'the invocation to start');

    // Act
    const stopping = mapping.stop();
    finish(errorResult());
    await stopping;

    // Assess
    expect(await checkpointOf()).toBeUndefined();
    expect(fn.events).toHaveLength(1);
  });

  it('retries an invocation the Lambda service refused without counting it against the retry quota', async () => {
    // Prepare
    const stream = new FakeStream().addShard(SHARD).write(SHARD, [1]);
    const fn = new FakeFunction();
    let refused = false;
    const invoker = {
      invoke: async (name: string, event: unknown): Promise<InvokeResult> => {
        if (!refused) {
          refused = true;
          throw new Error('local Lambda service is stopped');
        }
        return fn.invoke(name, event);
      },
    };

    // Act
    start(stream, fn, { retryAttempts: 0 }, { invoker });
    await waitFor(async () => (await checkpointOf())?.sequenceNumber === sequenceNumber(1), 'the record to be delivered');

    // Assess
    expect(fn.batches()).toEqual([[1]]);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('refuses a ParallelizationFactor it cannot honour', () => {
    // Act
    const starting = () => start(new FakeStream(), new FakeFunction(), { parallelizationFactor: 2 });

    // Assess
    expect(starting).toThrow(UnsupportedStreamMappingError);
  });
});
