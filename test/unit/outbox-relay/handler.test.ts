// First: sets the environment the handler module reads when it loads.
import { OUTBOX_TABLE, TOPIC_ARN } from './relay-env';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PublishBatchCommand, SNSClient, type PublishBatchCommandInput } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { metrics } from '../../../src/common/observability';
import { OUTBOX_STATUS, type OutboxItem } from '../../../src/common/outbox-item';
import { BUSINESS_METRICS, MESSAGE_ATTRIBUTES, OUTBOX_RELAY, OUTBOX_SENT_TTL_SECONDS } from '../../../src/common/settings';
import { handler } from '../../../src/outbox-relay/handler';
import { FailedBatchHeadError } from '../../../src/outbox-relay/relay-outbox-batch';
import { answerPublishBatch } from '../common/publish-batch-responses';
import {
  aLambdaContext,
  aModifyRecord,
  anInsertRecord,
  anOutboxItem,
  aStreamEvent,
  aTtlRemoveRecord,
  sequenceNumberOf,
  toStreamImage,
} from './stream-fixtures';

const NOW = new Date('2025-01-15T10:00:00.000Z');

const sns = mockClient(SNSClient);
const dynamo = mockClient(DynamoDBDocumentClient);

/** Message bodies of every PublishBatch entry, in the order they were sent. */
function publishedMessages(): string[] {
  return sns
    .commandCalls(PublishBatchCommand)
    .flatMap((call) => call.args[0].input.PublishBatchRequestEntries ?? [])
    .map((entry) => entry.Message ?? '');
}

/** Event ids of every item the relay tried to mark SENT. */
function markedEventIds(): unknown[] {
  return dynamo.commandCalls(UpdateCommand).map((call) => call.args[0].input.Key?.eventId);
}

function failuresOf(...ns: number[]): { batchItemFailures: { itemIdentifier: string }[] } {
  return { batchItemFailures: ns.map((n) => ({ itemIdentifier: sequenceNumberOf(n) })) };
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Runs the handler and lets fake time pass, for the pause before a failure SNS caused is reported. */
async function relay(event: DynamoDBStreamEvent, context: Context = aLambdaContext()): Promise<DynamoDBBatchResponse> {
  const invocation = handler(event, context);
  await jest.runAllTimersAsync();
  return invocation;
}

/** Follows a promise without waiting for it: `settled` turns true once it has resolved or rejected. */
function watch(promise: Promise<unknown>): { readonly settled: boolean } {
  const state = { settled: false };
  promise.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
}

beforeEach(() => {
  sns.reset();
  dynamo.reset();
  sns.on(PublishBatchCommand).callsFake((input: PublishBatchCommandInput) => answerPublishBatch(input));
  dynamo.on(UpdateCommand).resolves({});
  jest.useFakeTimers({ now: NOW });
});

afterEach(() => {
  jest.useRealTimers();
});

describe('outbox relay handler', () => {
  it('publishes each new outbox item verbatim with the attributes subscriptions filter on', async () => {
    // Prepare
    const traced = anOutboxItem(1, { traceHeader: 'Root=1-67891233-abcdef012345678912345678;Sampled=1' });
    const untraced = anOutboxItem(2);

    // Act
    const response = await relay(
      aStreamEvent([anInsertRecord(1, toStreamImage(traced)), anInsertRecord(2, toStreamImage(untraced))]),
      aLambdaContext(),
    );

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(sns).toHaveReceivedCommandTimes(PublishBatchCommand, 1);
    expect(sns).toHaveReceivedCommandWith(PublishBatchCommand, {
      TopicArn: TOPIC_ARN,
      PublishBatchRequestEntries: [
        {
          Id: expect.any(String),
          Message: traced.payload,
          MessageAttributes: {
            [MESSAGE_ATTRIBUTES.eventType]: { DataType: 'String', StringValue: 'OrderCreated' },
            [MESSAGE_ATTRIBUTES.eventVersion]: { DataType: 'String', StringValue: '1.0' },
            [MESSAGE_ATTRIBUTES.correlationId]: { DataType: 'String', StringValue: traced.correlationId },
            [MESSAGE_ATTRIBUTES.orderId]: { DataType: 'String', StringValue: traced.orderId },
            [MESSAGE_ATTRIBUTES.traceHeader]: { DataType: 'String', StringValue: traced.traceHeader },
          },
        },
        {
          Id: expect.any(String),
          Message: untraced.payload,
          MessageAttributes: {
            [MESSAGE_ATTRIBUTES.eventType]: { DataType: 'String', StringValue: 'OrderCreated' },
            [MESSAGE_ATTRIBUTES.eventVersion]: { DataType: 'String', StringValue: '1.0' },
            [MESSAGE_ATTRIBUTES.correlationId]: { DataType: 'String', StringValue: untraced.correlationId },
            [MESSAGE_ATTRIBUTES.orderId]: { DataType: 'String', StringValue: untraced.orderId },
          },
        },
      ],
    });
    expect(markedEventIds()).toEqual([traced.eventId, untraced.eventId]);
  });

  it('publishes 23 items in three PublishBatch requests of at most 10 entries', async () => {
    // Prepare
    const numbers = range(1, 23);

    // Act
    const response = await relay(aStreamEvent(numbers.map((n) => anInsertRecord(n))), aLambdaContext());

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    const requestSizes = sns.commandCalls(PublishBatchCommand).map((call) => call.args[0].input.PublishBatchRequestEntries?.length);
    expect(requestSizes).toEqual([10, 10, 3]);
    expect(publishedMessages()).toEqual(numbers.map((n) => anOutboxItem(n).payload));
    expect(markedEventIds()).toEqual(numbers.map((n) => anOutboxItem(n).eventId));
  });

  it('reports exactly the entries PublishBatch listed in Failed[] and marks only the others SENT', async () => {
    // Prepare
    const refused = new Set([anOutboxItem(2).payload, anOutboxItem(4).payload]);
    sns.on(PublishBatchCommand).callsFake((input: PublishBatchCommandInput) => answerPublishBatch(input, (message) => !refused.has(message)));

    // Act
    const response = await relay(aStreamEvent(range(1, 5).map((n) => anInsertRecord(n))), aLambdaContext());

    // Assess
    expect(response).toEqual(failuresOf(2, 4));
    expect(markedEventIds()).toEqual([1, 3, 5].map((n) => anOutboxItem(n).eventId));
  });

  it('reports an entry that PublishBatch listed neither as successful nor as failed', async () => {
    // Prepare
    const lost = anOutboxItem(2).payload;
    sns.on(PublishBatchCommand).callsFake((input: PublishBatchCommandInput) => {
      const answer = answerPublishBatch(input);
      const lostId = input.PublishBatchRequestEntries?.find((entry) => entry.Message === lost)?.Id;
      return { ...answer, Successful: answer.Successful?.filter((entry) => entry.Id !== lostId) };
    });

    // Act
    const response = await relay(aStreamEvent(range(1, 3).map((n) => anInsertRecord(n))), aLambdaContext());

    // Assess
    expect(response).toEqual(failuresOf(2));
    expect(markedEventIds()).toEqual([1, 3].map((n) => anOutboxItem(n).eventId));
  });

  it('fails every record of a PublishBatch request that threw and none of the other requests', async () => {
    // Prepare
    const secondRequestsFirstMessage = anOutboxItem(11).payload;
    sns.on(PublishBatchCommand).callsFake((input: PublishBatchCommandInput) => {
      if (input.PublishBatchRequestEntries?.[0]?.Message === secondRequestsFirstMessage) {
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException' });
      }
      return answerPublishBatch(input);
    });

    // Act
    const response = await relay(aStreamEvent(range(1, 23).map((n) => anInsertRecord(n))), aLambdaContext());

    // Assess
    expect(response).toEqual(failuresOf(...range(11, 20)));
    expect(markedEventIds()).toEqual([...range(1, 10), ...range(21, 23)].map((n) => anOutboxItem(n).eventId));
  });

  it('reports an invalid item and leaves the records after it to the redelivery from that checkpoint', async () => {
    // Prepare
    const withoutOrderId: Partial<OutboxItem> = anOutboxItem(3);
    delete withoutOrderId.orderId;
    const records = [
      anInsertRecord(1),
      anInsertRecord(2),
      anInsertRecord(3, toStreamImage(withoutOrderId)),
      anInsertRecord(4),
      anInsertRecord(5),
    ];

    // Act
    const response = await relay(aStreamEvent(records), aLambdaContext());

    // Assess
    expect(response).toEqual(failuresOf(3));
    expect(publishedMessages()).toEqual([1, 2].map((n) => anOutboxItem(n).payload));
    expect(markedEventIds()).toEqual([1, 2].map((n) => anOutboxItem(n).eventId));
  });

  it('reports a refused record and the invalid record after it, lowest first', async () => {
    // Prepare
    const refused = anOutboxItem(2).payload;
    sns.on(PublishBatchCommand).callsFake((input: PublishBatchCommandInput) => answerPublishBatch(input, (message) => message !== refused));
    const records = [anInsertRecord(1), anInsertRecord(2), anInsertRecord(3, toStreamImage({ eventId: 'broken' }))];

    // Act
    const response = await relay(aStreamEvent(records), aLambdaContext());

    // Assess
    expect(response).toEqual(failuresOf(2, 3));
  });

  it('skips MODIFY and REMOVE records without reporting them', async () => {
    // Prepare
    const records = [aModifyRecord(1), anInsertRecord(2), aTtlRemoveRecord(3)];

    // Act
    const response = await relay(aStreamEvent(records), aLambdaContext());

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(publishedMessages()).toEqual([anOutboxItem(2).payload]);
    expect(markedEventIds()).toEqual([anOutboxItem(2).eventId]);
  });

  it('marks a published item SENT only while it is PENDING, with a TTL in epoch seconds', async () => {
    // Prepare
    const item = anOutboxItem(1);

    // Act
    await relay(aStreamEvent([anInsertRecord(1)]), aLambdaContext());

    // Assess
    expect(dynamo).toHaveReceivedCommandWith(UpdateCommand, {
      TableName: OUTBOX_TABLE,
      Key: { eventId: item.eventId },
      ConditionExpression: 'attribute_exists(eventId) AND #status = :pending',
      ExpressionAttributeValues: {
        ':sent': OUTBOX_STATUS.sent,
        ':pending': OUTBOX_STATUS.pending,
        ':sentAt': NOW.toISOString(),
        ':expiresAt': NOW.getTime() / 1000 + OUTBOX_SENT_TTL_SECONDS,
      },
    });
    const expiresAt = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input.ExpressionAttributeValues?.[':expiresAt'];
    expect(expiresAt).toBeLessThan(10_000_000_000);
  });

  it('treats a SENT mark that lost its condition as done', async () => {
    // Prepare
    dynamo.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));

    // Act
    const response = await relay(aStreamEvent([anInsertRecord(1), anInsertRecord(2)]), aLambdaContext());

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(dynamo).toHaveReceivedCommandTimes(UpdateCommand, 2);
  });

  it('reports a published record whose SENT mark failed for any other reason', async () => {
    // Prepare
    dynamo
      .on(UpdateCommand, { Key: { eventId: anOutboxItem(2).eventId } })
      .rejects(Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ProvisionedThroughputExceededException' }));

    // Act
    const response = await relay(aStreamEvent(range(1, 3).map((n) => anInsertRecord(n))), aLambdaContext());

    // Assess
    expect(response).toEqual(failuresOf(2));
    expect(publishedMessages()).toEqual(range(1, 3).map((n) => anOutboxItem(n).payload));
  });

  it('answers an empty batch with no failures and no calls', async () => {
    // Act
    const response = await relay(aStreamEvent([]), aLambdaContext());

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(sns).not.toHaveReceivedAnyCommand();
    expect(dynamo).not.toHaveReceivedAnyCommand();
  });

  it('fails the invocation on a record without a sequence number rather than report an empty identifier', async () => {
    // Prepare
    const record = anInsertRecord(1);
    delete record.dynamodb?.SequenceNumber;

    // Act
    const invocation = handler(aStreamEvent([record]), aLambdaContext());

    // Assess
    await expect(invocation).rejects.toThrow('has no SequenceNumber');
    expect(sns).not.toHaveReceivedAnyCommand();
  });
});

describe('outbox relay handler, when SNS does not accept events', () => {
  const PAUSE_MS = OUTBOX_RELAY.unpublishedPauseSeconds * 1000;

  it('waits before reporting them, so that Lambda does not spend its retries in an instant', async () => {
    // Prepare
    sns.on(PublishBatchCommand).callsFake((input: PublishBatchCommandInput) => answerPublishBatch(input, () => false));

    // Act
    const invocation = handler(aStreamEvent([anInsertRecord(1)]), aLambdaContext());
    const watched = watch(invocation);
    await jest.advanceTimersByTimeAsync(PAUSE_MS - 1);
    const settledBeforePause = watched.settled;
    await jest.advanceTimersByTimeAsync(1);

    // Assess
    expect(settledBeforePause).toBe(false);
    expect(watched.settled).toBe(true);
    await expect(invocation).resolves.toEqual(failuresOf(1));
  });

  it('waits before failing a batch whose first event was refused, and never past the time the invocation has left', async () => {
    // Prepare
    sns.on(PublishBatchCommand).callsFake((input: PublishBatchCommandInput) => answerPublishBatch(input, () => false));
    const context: Context = { ...aLambdaContext(), getRemainingTimeInMillis: () => 3_000 };

    // Act
    const invocation = handler(aStreamEvent([anInsertRecord(1), anInsertRecord(2)]), context);
    const outcome = invocation.catch((error: unknown) => error);
    const watched = watch(outcome);
    await jest.advanceTimersByTimeAsync(1_999);
    const settledBeforePause = watched.settled;
    await jest.advanceTimersByTimeAsync(1);

    // Assess: 3 s left, 1 s kept as a margin
    expect(settledBeforePause).toBe(false);
    expect(watched.settled).toBe(true);
    expect(await outcome).toBeInstanceOf(FailedBatchHeadError);
  });

  it('reports invalid records and failed SENT marks without waiting: only SNS refusals wait', async () => {
    // Prepare
    dynamo
      .on(UpdateCommand, { Key: { eventId: anOutboxItem(2).eventId } })
      .rejects(Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ProvisionedThroughputExceededException' }));
    const records = [anInsertRecord(1), anInsertRecord(2), anInsertRecord(3, toStreamImage({ eventId: 'broken' }))];

    // Act
    const invocation = handler(aStreamEvent(records), { ...aLambdaContext(), getRemainingTimeInMillis: () => 30_000 });
    const watched = watch(invocation);
    await jest.advanceTimersByTimeAsync(PAUSE_MS - 1);

    // Assess
    expect(watched.settled).toBe(true);
    await expect(invocation).resolves.toEqual(failuresOf(2, 3));
  });
});

describe('outbox relay handler metrics', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('counts the events published and the records reported failed', async () => {
    // Prepare
    const addMetric = jest.spyOn(metrics, 'addMetric');
    const refused = anOutboxItem(2);
    sns.on(PublishBatchCommand).callsFake((input: PublishBatchCommandInput) => answerPublishBatch(input, (message) => message !== refused.payload));

    // Act
    const response = await relay(
      aStreamEvent([anInsertRecord(1, toStreamImage(anOutboxItem(1))), anInsertRecord(2, toStreamImage(refused)), anInsertRecord(3, toStreamImage(anOutboxItem(3)))]),
      aLambdaContext(),
    );

    // Assess
    expect(response).toEqual(failuresOf(2));
    expect(addMetric.mock.calls).toEqual([
      [BUSINESS_METRICS.relayPublished, MetricUnit.Count, 2],
      [BUSINESS_METRICS.relayFailed, MetricUnit.Count, 1],
    ]);
  });
});
