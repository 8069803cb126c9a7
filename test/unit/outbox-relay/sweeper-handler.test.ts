// First: sets the environment the handler module reads when it loads.
import { TOPIC_ARN } from './relay-env';
import { PublishBatchCommand, SNSClient, type PublishBatchCommandInput } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { InvalidEventError } from '../../../src/common/errors';
import { OUTBOX_STATUS, pendingBuckets } from '../../../src/common/outbox-item';
import { MESSAGE_ATTRIBUTES, OUTBOX_SENT_TTL_SECONDS, OUTBOX_SWEEPER, TABLES } from '../../../src/common/settings';
import { handler } from '../../../src/outbox-relay/sweeper-handler';
import { acceptAll, attributesOf, publishedEntries } from '../../support/fake-sns-topic';
import { answerPublishBatch } from '../common/publish-batch-responses';
import { aStuckItem, FakeOutboxTable } from './fake-outbox-table';
import { aLambdaContext, anOutboxItem } from './stream-fixtures';

const NOW = new Date('2025-01-15T10:00:00.000Z');
/** An hour old: well past the default threshold (15 minutes). */
const AN_HOUR_AGO = '2025-01-15T09:00:00.000Z';
const DEFAULT_CUTOFF = new Date(NOW.getTime() - OUTBOX_SWEEPER.pendingThresholdSeconds * 1000).toISOString();

const sns = mockClient(SNSClient);
const dynamo = mockClient(DynamoDBDocumentClient);
let table: FakeOutboxTable;

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** What EventBridge sends: the rule's constant input. */
function aScheduledRequest(pendingThresholdSeconds = OUTBOX_SWEEPER.pendingThresholdSeconds): unknown {
  return { pendingThresholdSeconds };
}

function queries(): QueryCommand['input'][] {
  return dynamo.commandCalls(QueryCommand).map((call) => call.args[0].input);
}

beforeEach(() => {
  sns.reset();
  dynamo.reset();
  sns.on(PublishBatchCommand).callsFake(acceptAll);
  table = new FakeOutboxTable(dynamo);
  jest.useFakeTimers({ now: NOW });
});

afterEach(() => {
  jest.useRealTimers();
});

describe('outbox sweeper handler', () => {
  it('finds stuck items through the pending index, one Query per bucket with the cutoff, never a Scan', async () => {
    // Prepare
    table.put(aStuckItem(1, AN_HOUR_AGO));

    // Act
    await handler(aScheduledRequest(), aLambdaContext());

    // Assess
    expect(dynamo).not.toHaveReceivedCommand(ScanCommand);
    expect(queries()).toHaveLength(TABLES.outbox.pendingIndex.buckets);
    for (const input of queries()) {
      expect(input).toMatchObject({
        TableName: 'Outbox',
        IndexName: 'pending-by-age',
        KeyConditionExpression: '#bucket = :bucket AND #createdAt < :createdBefore',
        ExpressionAttributeNames: { '#bucket': 'pendingBucket', '#createdAt': 'createdAt' },
        ExpressionAttributeValues: { ':createdBefore': DEFAULT_CUTOFF },
        ScanIndexForward: true,
        Limit: OUTBOX_SWEEPER.pageSize,
      });
    }
    expect(queries().map((input) => input.ExpressionAttributeValues?.[':bucket'])).toEqual(pendingBuckets());
  });

  it('publishes each stuck item under its original event id with its payload verbatim, then marks it SENT', async () => {
    // Prepare
    const traced = aStuckItem(1, AN_HOUR_AGO);
    const stuck = { ...traced, traceHeader: 'Root=1-67891233-abcdef012345678912345678;Sampled=1' };
    const other = aStuckItem(2, '2025-01-15T09:30:00.000Z');
    table.put(stuck, other);

    // Act
    const summary = await handler(aScheduledRequest(), aLambdaContext());

    // Assess
    expect(summary).toEqual({
      createdBefore: DEFAULT_CUTOFF,
      found: 2,
      sent: 2,
      alreadySent: 0,
      leftPending: 0,
      invalid: 0,
      reachedLimit: false,
    });
    expect(sns).toHaveReceivedCommandWith(PublishBatchCommand, { TopicArn: TOPIC_ARN });
    const entries = publishedEntries(sns);
    expect(entries.map((entry) => entry.Message).sort()).toEqual([stuck.payload, other.payload].sort());
    const entry = entries.find((candidate) => candidate.Message === stuck.payload);
    expect(attributesOf(entry)).toEqual({
      [MESSAGE_ATTRIBUTES.eventType]: 'OrderCreated',
      [MESSAGE_ATTRIBUTES.eventVersion]: '1.0',
      [MESSAGE_ATTRIBUTES.correlationId]: stuck.correlationId,
      [MESSAGE_ATTRIBUTES.orderId]: stuck.orderId,
      [MESSAGE_ATTRIBUTES.traceHeader]: stuck.traceHeader,
    });
    expect(JSON.parse(entry?.Message ?? '{}')).toMatchObject({ eventId: stuck.eventId });
    expect(table.item(stuck.eventId)).toEqual({
      ...stuck,
      status: OUTBOX_STATUS.sent,
      sentAt: NOW.toISOString(),
      expiresAt: NOW.getTime() / 1000 + OUTBOX_SENT_TTL_SECONDS,
    });
    expect(table.pendingIds()).toEqual([]);
  });

  it('leaves items younger than the threshold to the relay', async () => {
    // Prepare: one minute old
    table.put(anOutboxItem(1, { createdAt: '2025-01-15T09:59:00.000Z' }));

    // Act
    const summary = await handler(aScheduledRequest(), aLambdaContext());

    // Assess
    expect(summary.found).toBe(0);
    expect(sns).not.toHaveReceivedCommand(PublishBatchCommand);
    expect(dynamo).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('takes the threshold the schedule sends', async () => {
    // Prepare: one minute old, and a schedule that sweeps after 30 s (a scaled local run)
    table.put(anOutboxItem(1, { createdAt: '2025-01-15T09:59:00.000Z' }));

    // Act
    const summary = await handler(aScheduledRequest(30), aLambdaContext());

    // Assess
    expect(summary).toMatchObject({ createdBefore: '2025-01-15T09:59:30.000Z', sent: 1 });
    expect(queries()[0]?.ExpressionAttributeValues?.[':createdBefore']).toBe('2025-01-15T09:59:30.000Z');
  });

  it('runs with the default threshold on a plain EventBridge scheduled event', async () => {
    // Prepare
    const scheduledEvent = {
      version: '0',
      id: '89d1a02d-5ec7-412e-82f5-13505f849b41',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '123456789012',
      time: NOW.toISOString(),
      region: 'eu-west-1',
      resources: ['arn:aws:events:eu-west-1:123456789012:rule/OutboxSweeper'],
      detail: {},
    };

    // Act
    const summary = await handler(scheduledEvent, aLambdaContext());

    // Assess
    expect(summary.createdBefore).toBe(DEFAULT_CUTOFF);
  });

  it('leaves the entries SNS listed in Failed[] PENDING, and a later run publishes them', async () => {
    // Prepare
    const items = range(1, 4).map((n) => aStuckItem(n, AN_HOUR_AGO));
    table.put(...items);
    const refused = new Set([items[1]?.payload, items[3]?.payload]);
    sns.on(PublishBatchCommand).callsFake((input: PublishBatchCommandInput) => answerPublishBatch(input, (message) => !refused.has(message)));

    // Act
    const first = await handler(aScheduledRequest(), aLambdaContext());
    sns.on(PublishBatchCommand).callsFake(acceptAll);
    const second = await handler(aScheduledRequest(), aLambdaContext());

    // Assess
    expect(first).toMatchObject({ found: 4, sent: 2, leftPending: 2 });
    expect(dynamo.commandCalls(UpdateCommand).slice(0, 2).map((call) => call.args[0].input.Key?.eventId).sort()).toEqual(
      [items[0]?.eventId, items[2]?.eventId].sort(),
    );
    expect(second).toMatchObject({ found: 2, sent: 2, leftPending: 0 });
    expect(table.pendingIds()).toEqual([]);
  });

  it('pages through the index and stops at maxItemsPerRun, leaving the rest for the next run', async () => {
    // Prepare: 50 more stuck items than one run may take
    const total = OUTBOX_SWEEPER.maxItemsPerRun + 50;
    table.put(...range(1, total).map((n) => aStuckItem(n, AN_HOUR_AGO)));

    // Act
    const first = await handler(aScheduledRequest(), aLambdaContext());
    const queriesOfFirstRun = queries().length;
    const second = await handler(aScheduledRequest(), aLambdaContext());

    // Assess
    expect(first).toMatchObject({ found: OUTBOX_SWEEPER.maxItemsPerRun, sent: OUTBOX_SWEEPER.maxItemsPerRun, reachedLimit: true });
    expect(queries().slice(0, queriesOfFirstRun).some((input) => input.ExclusiveStartKey !== undefined)).toBe(true);
    expect(queries().every((input) => input.Limit === OUTBOX_SWEEPER.pageSize)).toBe(true);
    expect(second).toMatchObject({ found: 50, sent: 50, reachedLimit: false });
    expect(table.pendingIds()).toEqual([]);
    expect(publishedEntries(sns)).toHaveLength(total);
  });

  it('refuses a request whose threshold is not a positive number', async () => {
    // Act
    const sweeping = handler({ pendingThresholdSeconds: -5 }, aLambdaContext());

    // Assess
    await expect(sweeping).rejects.toThrow(InvalidEventError);
    expect(dynamo).not.toHaveReceivedCommand(QueryCommand);
  });
});
