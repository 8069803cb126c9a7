/**
 * The stream mapping against a real DynamoDB Local (its stream, sequence numbers and quirks) and
 * fauxqs (the on-failure queue), with the function played by a jest-side fake. Each test gets its
 * own table, stream, checkpoint directory and on-failure queue.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  CreateTableCommand,
  DeleteItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBRecord } from 'aws-lambda';
import {
  createLocalDynamoDbClient,
  createLocalDynamoDbStreamsClient,
  createLocalSqsClient,
} from '../../../infra/local/cloud/aws-clients';
import { startEmulators, type StartedEmulators } from '../../../infra/local/cloud/emulators';
import type { LocalDynamoDbStreamsClient } from '../../../infra/local/cloud/local-dynamodb-streams-client';
import { CheckpointStore } from '../../../infra/local/runtime/stream-mapping/checkpoint-store';
import type { StreamOnFailureRecord } from '../../../infra/local/runtime/stream-mapping/on-failure-record';
import { startStreamMapping, type StreamMapping } from '../../../infra/local/runtime/stream-mapping/stream-mapping';
import type { RawStreamRecord } from '../../../infra/local/runtime/stream-mapping/streams-reader';
import { OUTBOX_RELAY, type StreamRelaySettings } from '../../../src/common/settings';
import { FakeFunction, waitFor } from './fake-stream';
import { batchItemFailures, errorResult, okResult } from './stream-fixtures';

const PORTS = { dynamodb: 18300, snsSqs: 14800 } as const;
const KEY = 'eventId';

jest.setTimeout(60_000);

describe('startStreamMapping on DynamoDB Local', () => {
  let emulators: StartedEmulators;
  let dynamodb: DynamoDBClient;
  let streams: LocalDynamoDbStreamsClient;
  let sqs: SQSClient;
  let checkpointDir: string;
  let logs: string[];
  let tableCount = 0;
  const mappings: StreamMapping[] = [];

  beforeAll(async () => {
    emulators = await startEmulators({ ports: PORTS });
    dynamodb = createLocalDynamoDbClient(emulators.endpoints);
    streams = createLocalDynamoDbStreamsClient(emulators.endpoints);
    sqs = createLocalSqsClient(emulators.endpoints);
  });

  afterAll(async () => {
    await Promise.all(mappings.splice(0).map((mapping) => mapping.stop()));
    dynamodb?.destroy();
    sqs?.destroy();
    // Stops both emulators by their process ids.
    await emulators?.stop();
  });

  beforeEach(async () => {
    checkpointDir = await mkdtemp(path.join(os.tmpdir(), 'stream-conformance-'));
    logs = [];
  });

  afterEach(async () => {
    await Promise.all(mappings.splice(0).map((mapping) => mapping.stop()));
    await rm(checkpointDir, { recursive: true, force: true });
  });

  /** A fresh outbox-like table with a NEW_AND_OLD_IMAGES stream, and an on-failure queue. */
  async function createFixture(options: { ttlAttribute?: string } = {}) {
    tableCount += 1;
    const tableName = `stream-conformance-${tableCount}`;
    const table = await dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: KEY, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: KEY, KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      }),
    );
    if (options.ttlAttribute !== undefined) {
      await dynamodb.send(
        new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { Enabled: true, AttributeName: options.ttlAttribute } }),
      );
    }
    const queue = await sqs.send(new CreateQueueCommand({ QueueName: `${OUTBOX_RELAY.onFailureQueueName}-${tableCount}` }));
    return { tableName, streamArn: table.TableDescription!.LatestStreamArn!, queueUrl: queue.QueueUrl! };
  }

  function start(
    fixture: { streamArn: string; queueUrl: string },
    fn: FakeFunction,
    settings: Partial<StreamRelaySettings['stream']> = {},
  ): StreamMapping {
    const mapping = startStreamMapping({
      streamArn: fixture.streamArn,
      functionName: OUTBOX_RELAY.id,
      invoker: fn,
      streamsClient: streams,
      sqsClient: sqs,
      onFailureQueueUrl: fixture.queueUrl,
      checkpointDir,
      settings: { ...OUTBOX_RELAY.stream, bisectBatchOnError: false, ...settings },
      timeScale: 1,
      log: (line) => logs.push(line),
      errorBackoffMs: 100,
    });
    mappings.push(mapping);
    return mapping;
  }

  async function put(tableName: string, ...ids: string[]): Promise<void> {
    for (const id of ids) {
      await dynamodb.send(new PutItemCommand({ TableName: tableName, Item: { [KEY]: { S: id }, status: { S: 'PENDING' } } }));
    }
  }

  /** Everything in the stream so far, read independently of the mapping. */
  async function streamRecords(streamArn: string): Promise<RawStreamRecord[]> {
    const description = await streams.describeStream({ StreamArn: streamArn });
    const records: RawStreamRecord[] = [];
    for (const shard of description.Shards) {
      let iterator: string | undefined = await streams.getShardIterator({ StreamArn: streamArn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' });
      while (iterator !== undefined) {
        const output = await streams.getRecords({ ShardIterator: iterator });
        records.push(...output.Records);
        iterator = output.Records.length === 0 ? undefined : output.NextShardIterator;
      }
    }
    return records;
  }

  async function checkpointOf(streamArn: string): Promise<string | undefined> {
    const { Shards } = await streams.describeStream({ StreamArn: streamArn });
    return (await new CheckpointStore(checkpointDir).load(streamArn, Shards[0]!.ShardId))?.sequenceNumber;
  }

  async function receiveOnFailureRecord(queueUrl: string, timeoutMs = 20_000): Promise<StreamOnFailureRecord> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1, MaxNumberOfMessages: 10 }));
      const body = Messages[0]?.Body;
      if (body !== undefined) return JSON.parse(body) as StreamOnFailureRecord;
    }
    throw new Error(`No on-failure record on ${queueUrl} within ${timeoutMs} ms`);
  }

  const idsOf = (records: readonly DynamoDBRecord[]) => records.map((record) => record.dynamodb?.Keys?.[KEY]?.S);
  const batchIds = (fn: FakeFunction) => fn.events.map((event) => idsOf(event.Records));

  it('delivers the INSERTs as the stream holds them, in order and in batches of BatchSize, and consumes what the filter drops', async () => {
    // Prepare
    const fixture = await createFixture();
    await put(fixture.tableName, 'e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7');
    await dynamodb.send(
      new UpdateItemCommand({ TableName: fixture.tableName, Key: { [KEY]: { S: 'e1' } }, UpdateExpression: 'SET #s = :s', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': { S: 'SENT' } } }),
    );
    await dynamodb.send(new DeleteItemCommand({ TableName: fixture.tableName, Key: { [KEY]: { S: 'e2' } } }));
    const written = await streamRecords(fixture.streamArn);
    const fn = new FakeFunction();

    // Act
    start(fixture, fn, { batchSize: 3 });
    const lastSequenceNumber = written[written.length - 1]?.dynamodb?.SequenceNumber;
    await waitFor(async () => (await checkpointOf(fixture.streamArn)) === lastSequenceNumber, 'the MODIFY and REMOVE to be consumed', 20_000);

    // Assess
    expect(written.map((record) => record.eventName)).toEqual([...Array<string>(7).fill('INSERT'), 'MODIFY', 'REMOVE']);
    expect(batchIds(fn)).toEqual([['e1', 'e2', 'e3'], ['e4', 'e5', 'e6'], ['e7']]);
    const delivered = fn.events.flatMap((event) => event.Records);
    const expected = written.slice(0, 7).map((record) => ({ ...record, eventSourceARN: fixture.streamArn }));
    expect(delivered).toEqual(expected);
    expect(delivered[0]).toMatchObject({ eventVersion: '1.1', eventSource: 'aws:dynamodb', dynamodb: { StreamViewType: 'NEW_AND_OLD_IMAGES' } });
  });

  it('checkpoints just before the lowest reported failure and delivers the later records of the batch again', async () => {
    // Prepare
    const fixture = await createFixture();
    await put(fixture.tableName, 'e1', 'e2', 'e3', 'e4', 'e5');
    const sequenceOf = new Map((await streamRecords(fixture.streamArn)).map((record) => [record.dynamodb?.Keys?.[KEY]?.S, record.dynamodb?.SequenceNumber ?? '']));
    const fn = new FakeFunction((event) =>
      okResult(event.Records.length === 5 ? batchItemFailures(sequenceOf.get('e4')!, sequenceOf.get('e3')!) : { batchItemFailures: [] }),
    );

    // Act
    start(fixture, fn, { batchSize: 5, bisectBatchOnError: false });
    await waitFor(async () => (await checkpointOf(fixture.streamArn)) === sequenceOf.get('e5'), 'the batch to complete', 20_000);

    // Assess
    expect(batchIds(fn)).toEqual([
      ['e1', 'e2', 'e3', 'e4', 'e5'],
      ['e3', 'e4', 'e5'],
    ]);
  });

  it('with BisectBatchOnFunctionError, retries exactly the records from the lowest reported failure', async () => {
    // Prepare
    const fixture = await createFixture();
    await put(fixture.tableName, 'e1', 'e2', 'e3', 'e4', 'e5', 'e6');
    const written = await streamRecords(fixture.streamArn);
    const e2 = written[1]!.dynamodb!.SequenceNumber!;
    let invocations = 0;
    const fn = new FakeFunction((event) => {
      invocations += 1;
      return okResult(invocations === 1 && event.Records.length === 4 ? batchItemFailures(e2) : null);
    });

    // Act
    start(fixture, fn, { batchSize: 4, bisectBatchOnError: true });
    await waitFor(async () => (await checkpointOf(fixture.streamArn)) === written[5]!.dynamodb!.SequenceNumber, 'every record', 20_000);

    // Assess
    expect(batchIds(fn)).toEqual([
      ['e1', 'e2', 'e3', 'e4'],
      ['e2', 'e3', 'e4'],
      ['e5', 'e6'],
    ]);
  });

  it('bisects a failing batch until the poison record is alone, and gives up on it alone', async () => {
    // Prepare
    const fixture = await createFixture();
    await put(fixture.tableName, 'e1', 'e2', 'poison', 'e4');
    const fn = new FakeFunction((event) => (idsOf(event.Records).includes('poison') ? errorResult('cannot relay poison') : okResult()));

    // Act
    start(fixture, fn, { batchSize: 4, bisectBatchOnError: true, retryAttempts: 1 });
    const report = await receiveOnFailureRecord(fixture.queueUrl);

    // Assess
    await waitFor(() => fn.events.length === 6, 'the record after the poison one');
    expect(batchIds(fn)).toEqual([['e1', 'e2', 'poison', 'e4'], ['e1', 'e2'], ['poison', 'e4'], ['poison'], ['poison'], ['e4']]);
    const poison = (await streamRecords(fixture.streamArn))[2]!.dynamodb!.SequenceNumber;
    expect(report.requestContext).toMatchObject({ condition: 'RetryAttemptsExhausted', approximateInvokeCount: 4 });
    expect(report.DDBStreamBatchInfo).toMatchObject({ startSequenceNumber: poison, endSequenceNumber: poison, batchSize: 1 });
  });

  it("sends AWS's on-failure record, metadata only, once MaximumRetryAttempts retries have failed", async () => {
    // Prepare
    const fixture = await createFixture();
    await put(fixture.tableName, 'e1', 'e2');
    const written = await streamRecords(fixture.streamArn);
    const { Shards } = await streams.describeStream({ StreamArn: fixture.streamArn });
    const fn = new FakeFunction(() => errorResult());

    // Act
    start(fixture, fn, { batchSize: 10, retryAttempts: 2 });
    const report = await receiveOnFailureRecord(fixture.queueUrl);

    // Assess
    expect(fn.events).toHaveLength(3);
    const arrival = new Date(written[0]!.dynamodb!.ApproximateCreationDateTime! * 1000).toISOString().replace('.000Z', 'Z');
    expect(report).toEqual({
      requestContext: {
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        functionArn: `arn:aws:lambda:us-east-1:000000000000:function:${OUTBOX_RELAY.id}`,
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 3,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      DDBStreamBatchInfo: {
        shardId: Shards[0]!.ShardId,
        startSequenceNumber: written[0]!.dynamodb!.SequenceNumber,
        endSequenceNumber: written[1]!.dynamodb!.SequenceNumber,
        approximateArrivalOfFirstRecord: arrival,
        approximateArrivalOfLastRecord: expect.stringMatching(/Z$/),
        batchSize: 2,
        streamArn: fixture.streamArn,
      },
    });
    await waitFor(async () => (await checkpointOf(fixture.streamArn)) === written[1]!.dynamodb!.SequenceNumber, 'the checkpoint past the skipped batch');
  });

  it('skips records older than MaximumRecordAgeInSeconds and reports MaximumRecordAgeExceeded', async () => {
    // Prepare
    const fixture = await createFixture();
    await put(fixture.tableName, 'e1');
    const fn = new FakeFunction(() => errorResult());

    // Act: retries are unlimited, so only the record's age can end them.
    start(fixture, fn, { retryAttempts: -1, maxRecordAgeSeconds: 1 });
    const report = await receiveOnFailureRecord(fixture.queueUrl);

    // Assess
    expect(report.requestContext.condition).toBe('MaximumRecordAgeExceeded');
    expect(report.requestContext.approximateInvokeCount).toBe(fn.events.length);
    expect(report.DDBStreamBatchInfo.batchSize).toBe(1);
  });

  it('resumes after its persisted checkpoint when restarted: nothing skipped, nothing repeated', async () => {
    // Prepare
    const fixture = await createFixture();
    await put(fixture.tableName, 'e1', 'e2', 'e3');
    const first = new FakeFunction();
    const mapping = start(fixture, first);
    await waitFor(() => first.events.flatMap((event) => event.Records).length === 3, 'the first three records', 20_000);
    await waitFor(async () => (await checkpointOf(fixture.streamArn)) !== undefined, 'the checkpoint');
    await mapping.stop();
    await put(fixture.tableName, 'e4', 'e5');

    // Act
    const second = new FakeFunction();
    start(fixture, second);
    await waitFor(() => second.events.flatMap((event) => event.Records).length >= 2, 'the restarted mapping', 20_000);

    // Assess
    expect(first.events.flatMap((event) => idsOf(event.Records))).toEqual(['e1', 'e2', 'e3']);
    expect(second.events.flatMap((event) => idsOf(event.Records))).toEqual(['e4', 'e5']);
  });

  it('delivers again, after a restart, a batch whose invocation failed when the poller stopped', async () => {
    // Prepare
    const fixture = await createFixture();
    await put(fixture.tableName, 'e1', 'e2');
    const failing = new FakeFunction(() => errorResult());
    const mapping = start(fixture, failing, { retryAttempts: 100 });
    await waitFor(() => failing.events.length >= 2, 'a retry');
    await mapping.stop();

    // Act
    const healthy = new FakeFunction();
    start(fixture, healthy);
    await waitFor(() => healthy.events.length === 1, 'the redelivery', 20_000);

    // Assess
    expect(batchIds(healthy)).toEqual([['e1', 'e2']]);
    expect(await receiveNothing(fixture.queueUrl)).toBe(true);
  });

  it("delivers DynamoDB Local's TTL deletes as the REMOVE by the DynamoDB service that AWS sends", async () => {
    // Prepare
    const fixture = await createFixture({ ttlAttribute: 'expiresAt' });
    const fn = new FakeFunction();
    start(fixture, fn, { eventNames: ['REMOVE'] });

    // Act
    await dynamodb.send(
      new PutItemCommand({
        TableName: fixture.tableName,
        Item: { [KEY]: { S: 'expired' }, expiresAt: { N: String(Math.floor(Date.now() / 1000) - 60) } },
      }),
    );
    await waitFor(() => fn.events.length === 1, 'the TTL delete', 30_000);

    // Assess
    const [record] = fn.events[0]!.Records;
    expect(record).toMatchObject({
      eventName: 'REMOVE',
      userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
      dynamodb: { Keys: { [KEY]: { S: 'expired' } }, OldImage: { [KEY]: { S: 'expired' } } },
    });
    expect(record?.dynamodb).not.toHaveProperty('NewImage');
  });

  async function receiveNothing(queueUrl: string): Promise<boolean> {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0 }));
    return Messages.length === 0;
  }
});
