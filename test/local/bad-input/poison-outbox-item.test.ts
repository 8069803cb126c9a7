import { randomUUID } from 'node:crypto';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { createLocalDynamoDbStreamsClient } from '../../../infra/local/cloud/aws-clients';
import type { OutboxItem } from '../../../src/common/outbox-item';
import { OUTBOX_RELAY } from '../../../src/common/settings';
import { eventually } from '../support/eventually';
import { startLocalStack, type LocalStack } from '../support/local-stack';
import { itemOf, outboxItemFor, pendingOrder, putAll } from './support/pipeline-fixtures';
import { buildOrderCreated } from '../../../src/order/domain/place-order';
import { readStreamRecord, readWholeStream } from './support/stream-records';

const BASE_PORT = 19720;
/** SNS's largest message (the topic's default MaximumMessageSize): the oversized payload is above it. */
const SNS_MAX_MESSAGE_BYTES = 256 * 1024;

interface OnFailureRecord {
  readonly requestContext: { readonly condition: string; readonly approximateInvokeCount: number; readonly functionArn: string };
  readonly responseContext: Record<string, unknown>;
  readonly version: string;
  readonly timestamp: string;
  readonly DDBStreamBatchInfo: {
    readonly shardId: string;
    readonly startSequenceNumber: string;
    readonly endSequenceNumber: string;
    readonly batchSize: number;
    readonly streamArn: string;
  };
}

/**
 * The poison outbox items: each one the relay cannot publish, for a different reason. (A payload
 * that is not JSON at all is test/local/e2e/relay-poison-record.test.ts's case.)
 */
const POISONS: readonly (readonly [string, (eventId: string) => OutboxItem])[] = [
  [
    'a payload over SNS’s 256 KiB message limit',
    (eventId) => {
      const order = { ...pendingOrder(), eventId };
      const event = buildOrderCreated(order);
      // The envelope agrees with the item; only its size is wrong (DynamoDB takes up to 400 KB).
      const payload = JSON.stringify({ ...event, data: { ...event.data, padding: 'x'.repeat(SNS_MAX_MESSAGE_BYTES) } });
      return outboxItemFor(order, payload);
    },
  ],
  [
    'a payload whose eventId is not the item’s',
    (eventId) => {
      const order = { ...pendingOrder(), eventId };
      return outboxItemFor(order, JSON.stringify(buildOrderCreated({ ...order, eventId: randomUUID() })));
    },
  ],
];

/** The relay's mapping log: `… batch=5 seq 120…124 …`, one line per invocation. */
function invokedRanges(lines: readonly string[]): { first: bigint; last: bigint }[] {
  return lines.flatMap((line) => {
    const match = /⇄ OutboxRelay shard \S+ batch=\d+ seq (\d+)(?:…(\d+))?/.exec(line);
    return match === null ? [] : [{ first: BigInt(match[1]!), last: BigInt(match[2] ?? match[1]!) }];
  });
}

/**
 * A poison outbox item written in one burst with valid ones, so that they share a stream batch:
 * the relay isolates it (partial-batch reporting, then bisecting), the mapping gives up on it alone
 * and sends its metadata (only) to the on-failure queue, and every valid item of the burst is
 * published: their outbox items are SENT and their orders complete.
 */
describe('a poison outbox item in a stream batch', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    // No sweeper: it would publish PENDING items itself and hide whatever the relay left behind.
    // The relay retries at once whatever the time scale; a larger one only gives the consumers
    // that complete the orders longer function timeouts on a loaded machine.
    stack = await startLocalStack({ basePort: BASE_PORT, timeScale: 0.5, runtimeEnv: { LOCAL_SCHEDULES: 'off' } });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it.each(POISONS)(
    'with %s goes alone to the on-failure queue as metadata, and the rest of its batch is published',
    async (_kind, poisonItem) => {
      // Prepare: valid items on both sides of the poison, in one BatchWriteItem. The relay is
      // stopped meanwhile, so its first read after restarting returns the whole burst at once.
      const { tableNames, outboxStreamArn, relayFailureQueue } = stack.resources;
      const orders = Array.from({ length: 4 }, () => pendingOrder());
      await putAll(stack.ddb, tableNames.orders, orders);
      const poison = poisonItem(randomUUID());
      const valid = orders.map((order) => outboxItemFor(order));
      const burst = [valid[0]!, valid[1]!, poison, valid[2]!, valid[3]!];
      await stack.killRuntime();
      await putAll(stack.ddb, tableNames.outbox, burst);
      const streams = createLocalDynamoDbStreamsClient(stack.endpoints);
      const sequenceOf = new Map(
        (await readWholeStream(streams, outboxStreamArn)).map(({ record }) => [
          record.dynamodb?.NewImage?.eventId?.S,
          record.dynamodb?.SequenceNumber ?? '',
        ]),
      );
      const poisonSequence = sequenceOf.get(poison.eventId)!;
      const burstSequences = burst.map((item) => BigInt(sequenceOf.get(item.eventId)!));

      // Act
      await stack.startRuntime();
      const onFailure = await eventually(
        async () => {
          const { Messages = [] } = await stack.sqs.send(
            new ReceiveMessageCommand({ QueueUrl: relayFailureQueue.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
          );
          const records = await Promise.all(
            Messages.map(async (message) => {
              await stack.sqs.send(new DeleteMessageCommand({ QueueUrl: relayFailureQueue.url, ReceiptHandle: message.ReceiptHandle }));
              return { body: message.Body ?? '', record: JSON.parse(message.Body ?? '{}') as OnFailureRecord };
            }),
          );
          return records.length > 0 ? records : undefined;
        },
        { timeoutMs: 90_000, intervalMs: 0, what: 'a record in the relay’s on-failure queue' },
      );
      let lastSeen = '';
      await eventually(
        async () => {
          const items = await Promise.all(valid.map((item) => itemOf(stack.ddb, tableNames.outbox, { eventId: item.eventId })));
          const placed = await Promise.all(orders.map((order) => itemOf(stack.ddb, tableNames.orders, { orderId: order.orderId })));
          lastSeen = JSON.stringify({ outbox: items.map((item) => item?.status), orders: placed.map((order) => order?.status) });
          const done = items.every((item) => item?.status === 'SENT') && placed.every((order) => order?.status === 'CONFIRMED');
          return done ? true : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 100, what: 'every valid item SENT and its order CONFIRMED' },
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}; last seen ${lastSeen}`);
      });
      // Anything the mapping gave up on is reported before it moves past it: nothing more can come.
      const { Messages: reportedLater = [] } = await stack.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: relayFailureQueue.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      const relayLog = stack.runtime().output;

      // Assess: the poison's stream record shared its first invocation with valid records on both sides.
      expect(burstSequences).toEqual([...burstSequences].sort((left, right) => (left < right ? -1 : 1)));
      const [first, , middle, , last] = burstSequences as [bigint, bigint, bigint, bigint, bigint];
      expect(invokedRanges(relayLog).some((range) => range.first <= first && range.last >= last)).toBe(true);
      expect(middle).toBe(BigInt(poisonSequence));

      // One on-failure record, about the poison alone, with metadata only.
      expect(onFailure).toHaveLength(1);
      expect(reportedLater).toEqual([]);
      const [{ body, record }] = onFailure as [{ body: string; record: OnFailureRecord }];
      expect(Object.keys(record).sort()).toEqual(['DDBStreamBatchInfo', 'requestContext', 'responseContext', 'timestamp', 'version']);
      expect(record.requestContext.condition).toBe('RetryAttemptsExhausted');
      expect(record.requestContext.approximateInvokeCount).toBeGreaterThan(OUTBOX_RELAY.stream.retryAttempts);
      expect(record.DDBStreamBatchInfo).toMatchObject({
        startSequenceNumber: poisonSequence,
        endSequenceNumber: poisonSequence,
        batchSize: 1,
        streamArn: outboxStreamArn,
      });
      expect(body).not.toContain(poison.eventId);
      expect(body).not.toContain(poison.orderId);

      // The record can be read back from the stream by its metadata, and the item is still in the table.
      const reread = await readStreamRecord(streams, {
        streamArn: record.DDBStreamBatchInfo.streamArn,
        shardId: record.DDBStreamBatchInfo.shardId,
        sequenceNumber: record.DDBStreamBatchInfo.startSequenceNumber,
      });
      expect(reread?.dynamodb?.NewImage?.eventId?.S).toBe(poison.eventId);
      expect(await itemOf(stack.ddb, tableNames.outbox, { eventId: poison.eventId })).toMatchObject({ status: 'PENDING' });
    },
    240_000,
  );
});
