/**
 * One invalid outbox item in the middle of a relay batch: the relay must publish every valid item
 * before it once, every valid item after it (at least once), and give up on the invalid one alone,
 * whose stream metadata (never the record) ends in the relay's on-failure queue once the mapping's
 * retries are spent. Nothing valid may be skipped with it.
 *
 * The items are written with the runtime stopped, so that the restarted stream poller reads them
 * all at once and the relay receives them as one batch. Their event type is one no consumer
 * subscribes to; a tap queue on the topic counts what the relay published.
 */
import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { OUTBOX_STATUS, type OutboxItem } from '../../../src/common/outbox-item';
import { OUTBOX_RELAY } from '../../../src/common/settings';
import { eventually } from '../support/eventually';
import { startLocalStack, type LocalStack } from '../support/local-stack';
import {
  outboxStreamSequenceNumbers,
  peekQueue,
  scanTable,
  subscribeTopicTap,
  type QueuedMessage,
  type TopicTap,
} from '../support/pipeline-state';

/** This file's stack: API 19116, DynamoDB Local 19117, SNS/SQS 19118. */
const BASE_PORT = 19116;
/** An event type of this test's own: the pipeline's consumers never see these events. */
const PROBE_EVENT_TYPE = 'RelayProbe';

/** What Lambda sends to a stream mapping's on-failure destination (metadata only). */
const onFailureRecordSchema = z.object({
  requestContext: z.object({ condition: z.string(), approximateInvokeCount: z.number() }),
  DDBStreamBatchInfo: z.object({
    startSequenceNumber: z.string(),
    endSequenceNumber: z.string(),
    batchSize: z.number(),
  }),
});

let stack: LocalStack;
let tap: TopicTap;

beforeAll(async () => {
  stack = await startLocalStack({ basePort: BASE_PORT });
  tap = await subscribeTopicTap(stack, stack.resources.topicArn, { eventTypes: [PROBE_EVENT_TYPE] });
}, 180_000);

afterAll(() => stack?.stop());

function aProbeItem(valid: boolean): OutboxItem {
  const eventId = randomUUID();
  const correlationId = randomUUID();
  const envelope = { eventId, eventType: PROBE_EVENT_TYPE, eventVersion: '1.0', correlationId, data: {} };
  return {
    eventId,
    eventType: PROBE_EVENT_TYPE,
    eventVersion: '1.0',
    orderId: randomUUID(),
    correlationId,
    status: OUTBOX_STATUS.pending,
    payload: valid ? JSON.stringify(envelope) : 'not json {',
    createdAt: new Date().toISOString(),
  };
}

describe('a relay batch with one invalid outbox item', () => {
  it('publishes the valid items before it once and those after it, and gives up on it alone', async () => {
    // Prepare
    const before = [aProbeItem(true), aProbeItem(true), aProbeItem(true)];
    const invalid = aProbeItem(false);
    const after = [aProbeItem(true), aProbeItem(true), aProbeItem(true)];
    const items = [...before, invalid, ...after];
    await stack.killRuntime();
    for (const item of items) {
      await stack.ddb.send(new PutCommand({ TableName: stack.resources.tableNames.outbox, Item: item }));
    }
    const sequenceNumbers = await outboxStreamSequenceNumbers(stack.endpoints, stack.resources.outboxStreamArn);
    const sequenceOf = (item: OutboxItem): string | undefined => sequenceNumbers.get(item.eventId);

    // Act
    await stack.startRuntime();

    // Assess
    const failures = await eventually(
      async () => {
        const messages = await peekQueue(stack.sqs, stack.resources.relayFailureQueue.url);
        return messages.length > 0 ? messages : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: 'the relay to give up on the invalid item' },
    );
    // The premise: the relay got all seven records as one batch.
    const firstBatch = `batch=${items.length} seq ${sequenceOf(items[0]!) ?? '?'}…${sequenceOf(items[items.length - 1]!) ?? '?'}`;
    expect(stack.runtime().output.filter((line) => line.includes(firstBatch))).toHaveLength(1);

    expect(failures).toHaveLength(1);
    const [failure] = failures;
    const record = onFailureRecordSchema.parse(JSON.parse(failure?.body ?? ''));
    expect(record.requestContext.condition).toBe('RetryAttemptsExhausted');
    expect(record.requestContext.approximateInvokeCount).toBeGreaterThan(OUTBOX_RELAY.stream.retryAttempts);
    expect(record.DDBStreamBatchInfo).toEqual({
      startSequenceNumber: sequenceOf(invalid),
      endSequenceNumber: sequenceOf(invalid),
      batchSize: 1,
    });
    // Metadata only: the record must be re-read from the table.
    expect(failure?.body).not.toContain(invalid.eventId);

    const published = new Map<string, number>();
    const count = (messages: readonly QueuedMessage[]): void => {
      for (const message of messages) {
        const eventId = message.attributes.eventId ?? z.object({ eventId: z.string() }).parse(JSON.parse(message.body)).eventId;
        published.set(eventId, (published.get(eventId) ?? 0) + 1);
      }
    };
    await eventually(
      async () => {
        count(await tap.drain());
        return [...before, ...after].every((item) => published.has(item.eventId)) ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: 'every valid item on the tap queue' },
    );
    // The relay marks an item SENT after SNS accepted it, so the tap can see an event a moment before its item turns SENT.
    const statuses = await eventually(
      async () => {
        const outbox = new Map((await scanTable(stack.ddb, stack.resources.tableNames.outbox)).map((item) => [item.eventId, item.status]));
        const current = items.map((item) => outbox.get(item.eventId));
        return [...before, ...after].every((item) => outbox.get(item.eventId) === OUTBOX_STATUS.sent) ? current : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: 'every valid item marked SENT' },
    );
    expect(statuses).toEqual([
      ...before.map(() => OUTBOX_STATUS.sent),
      OUTBOX_STATUS.pending,
      ...after.map(() => OUTBOX_STATUS.sent),
    ]);
    // Everything the relay published has left SNS by the time the items are SENT.
    count(await tap.drain());
    expect(before.map((item) => published.get(item.eventId))).toEqual([1, 1, 1]);
    expect(after.map((item) => (published.get(item.eventId) ?? 0) >= 1)).toEqual([true, true, true]);
    expect(published.has(invalid.eventId)).toBe(false);
  }, 150_000);
});
