import { PublishBatchCommand, SNSClient, type PublishBatchCommandInput } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { PublishFailedError } from '../../../src/common/errors';
import { publishOrThrow, toOutgoingEvent, type OutgoingEvent } from '../../../src/common/event-publisher';
import { PUBLISH_BATCH_MAX_BYTES, PUBLISH_BATCH_MAX_ENTRIES, SnsEventPublisher } from '../../../src/common/sns-event-publisher';
import { createEvent, PaymentCompletedV1 } from '../../../src/common/events';
import { MESSAGE_ATTRIBUTES } from '../../../src/common/settings';
import { answerPublishBatch } from './publish-batch-responses';

const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:OrderEvents';
const sns = mockClient(SNSClient);

function aPublisher(): SnsEventPublisher {
  return new SnsEventPublisher(TOPIC_ARN, new SNSClient({ region: 'eu-west-1' }));
}

function anEvent(n: number, overrides: Partial<OutgoingEvent> = {}): OutgoingEvent {
  return {
    eventId: `order-created:${n}`,
    eventType: 'OrderCreated',
    eventVersion: '1.0',
    correlationId: `correlation-${n}`,
    orderId: `order-${n}`,
    body: JSON.stringify({ eventId: `order-created:${n}` }),
    ...overrides,
  };
}

const range = (count: number): number[] => Array.from({ length: count }, (_, i) => i + 1);

function requests(): PublishBatchCommandInput[] {
  return sns.commandCalls(PublishBatchCommand).map((call) => call.args[0].input);
}

beforeEach(() => {
  sns.reset();
  sns.on(PublishBatchCommand).callsFake((input: PublishBatchCommandInput) => answerPublishBatch(input));
});

describe('SnsEventPublisher.publishAll', () => {
  it('sends each event to the topic with its body verbatim and the attributes subscriptions filter on', async () => {
    // Prepare
    const event = anEvent(1, { traceHeader: 'Root=1-67891233-abcdef012345678912345678' });

    // Act
    const outcome = await aPublisher().publishAll([event]);

    // Assess
    expect(outcome).toEqual({ published: [event.eventId], failed: [] });
    expect(sns).toHaveReceivedCommandWith(PublishBatchCommand, {
      TopicArn: TOPIC_ARN,
      PublishBatchRequestEntries: [
        {
          Id: 'entry-0',
          Message: event.body,
          MessageAttributes: {
            [MESSAGE_ATTRIBUTES.eventType]: { DataType: 'String', StringValue: 'OrderCreated' },
            [MESSAGE_ATTRIBUTES.eventVersion]: { DataType: 'String', StringValue: '1.0' },
            [MESSAGE_ATTRIBUTES.correlationId]: { DataType: 'String', StringValue: 'correlation-1' },
            [MESSAGE_ATTRIBUTES.orderId]: { DataType: 'String', StringValue: 'order-1' },
            [MESSAGE_ATTRIBUTES.traceHeader]: { DataType: 'String', StringValue: event.traceHeader },
          },
        },
      ],
    });
  });

  it('leaves out the orderId and traceHeader attributes when the event has none', async () => {
    // Prepare
    const event = anEvent(1, { orderId: undefined });

    // Act
    await aPublisher().publishAll([event]);

    // Assess
    expect(Object.keys(requests()[0]?.PublishBatchRequestEntries?.[0]?.MessageAttributes ?? {})).toEqual([
      MESSAGE_ATTRIBUTES.eventType,
      MESSAGE_ATTRIBUTES.eventVersion,
      MESSAGE_ATTRIBUTES.correlationId,
    ]);
  });

  it('splits 23 events into PublishBatch requests of at most 10 entries, in order', async () => {
    // Prepare
    const events = range(23).map((n) => anEvent(n));

    // Act
    const outcome = await aPublisher().publishAll(events);

    // Assess
    expect(requests().map((request) => request.PublishBatchRequestEntries?.length)).toEqual([10, 10, 3]);
    expect(PUBLISH_BATCH_MAX_ENTRIES).toBe(10);
    expect(requests().flatMap((request) => request.PublishBatchRequestEntries?.map((entry) => entry.Message))).toEqual(
      events.map((event) => event.body),
    );
    expect(outcome.published).toEqual(events.map((event) => event.eventId));
    expect(outcome.failed).toEqual([]);
  });

  it('keeps every request within the combined size SNS allows, however few its entries', async () => {
    // Prepare: ten 60 KB events; SNS refuses a whole request over 256 KiB.
    const events = range(10).map((n) => anEvent(n, { body: JSON.stringify({ eventId: `order-created:${n}`, pad: 'x'.repeat(60_000) }) }));

    // Act
    const outcome = await aPublisher().publishAll(events);

    // Assess
    const sizes = requests().map((request) =>
      (request.PublishBatchRequestEntries ?? []).reduce((total, entry) => total + Buffer.byteLength(entry.Message ?? ''), 0),
    );
    expect(sizes.length).toBeGreaterThan(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(PUBLISH_BATCH_MAX_BYTES);
    expect(requests().flatMap((request) => request.PublishBatchRequestEntries?.map((entry) => entry.Message))).toEqual(
      events.map((event) => event.body),
    );
    expect(outcome.published).toHaveLength(10);
  });

  it('counts bytes, not characters, and attributes as well as bodies', async () => {
    // Prepare: 4 × 65,500 bytes of bodies alone fit 256 KiB, but not with their attributes.
    const bodyBytes = 65_500;
    const events = range(4).map((n) => anEvent(n, { body: 'é'.repeat(bodyBytes / 2) }));

    // Act
    await aPublisher().publishAll(events);

    // Assess
    expect(4 * bodyBytes).toBeLessThanOrEqual(PUBLISH_BATCH_MAX_BYTES);
    expect(requests().map((request) => request.PublishBatchRequestEntries?.length)).toEqual([3, 1]);
  });

  it('sends an event larger than the limit in a request of its own', async () => {
    // Prepare
    const events = [anEvent(1), anEvent(2, { body: 'x'.repeat(PUBLISH_BATCH_MAX_BYTES + 1) }), anEvent(3)];

    // Act
    await aPublisher().publishAll(events);

    // Assess
    expect(requests().map((request) => request.PublishBatchRequestEntries?.map((entry) => entry.Message?.length))).toEqual([
      [events[0]!.body.length],
      [PUBLISH_BATCH_MAX_BYTES + 1],
      [events[2]!.body.length],
    ]);
  });

  it('reports the entries of an HTTP 200 answer listed in Failed[] with their code', async () => {
    // Prepare
    const events = range(3).map((n) => anEvent(n));
    sns.on(PublishBatchCommand).callsFake((input: PublishBatchCommandInput) => answerPublishBatch(input, (message) => message !== events[1]!.body));

    // Act
    const outcome = await aPublisher().publishAll(events);

    // Assess
    expect(outcome.published).toEqual([events[0]!.eventId, events[2]!.eventId]);
    expect(outcome.failed).toHaveLength(1);
    expect(outcome.failed[0]).toBeInstanceOf(PublishFailedError);
    expect(outcome.failed[0]).toMatchObject({ eventId: events[1]!.eventId, code: 'InternalError' });
  });

  it('reports an entry the answer lists neither as successful nor as failed', async () => {
    // Prepare
    const events = range(2).map((n) => anEvent(n));
    sns.on(PublishBatchCommand).callsFake((input: PublishBatchCommandInput) => {
      const answer = answerPublishBatch(input);
      return { ...answer, Successful: answer.Successful?.slice(0, 1) };
    });

    // Act
    const outcome = await aPublisher().publishAll(events);

    // Assess
    expect(outcome.published).toEqual([events[0]!.eventId]);
    expect(outcome.failed).toMatchObject([{ eventId: events[1]!.eventId, code: 'MissingFromResponse' }]);
  });

  it('reports an entry the answer lists as both successful and failed', async () => {
    // Prepare
    sns.on(PublishBatchCommand).callsFake((input: PublishBatchCommandInput) => {
      const answer = answerPublishBatch(input);
      return { ...answer, Failed: [{ Id: 'entry-0', Code: 'InternalError', SenderFault: false }] };
    });

    // Act
    const outcome = await aPublisher().publishAll([anEvent(1)]);

    // Assess
    expect(outcome.published).toEqual([]);
    expect(outcome.failed).toMatchObject([{ eventId: anEvent(1).eventId, code: 'InternalError' }]);
  });

  it('fails every event of a request that threw, and only those', async () => {
    // Prepare
    const events = range(23).map((n) => anEvent(n));
    sns.on(PublishBatchCommand).callsFake((input: PublishBatchCommandInput) => {
      if (input.PublishBatchRequestEntries?.[0]?.Message === events[10]!.body) {
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException' });
      }
      return answerPublishBatch(input);
    });

    // Act
    const outcome = await aPublisher().publishAll(events);

    // Assess
    expect(outcome.failed.map((failure) => failure.eventId)).toEqual(events.slice(10, 20).map((event) => event.eventId));
    expect(outcome.failed.every((failure) => failure.code === 'ThrottledException')).toBe(true);
    expect(outcome.published).toEqual([...events.slice(0, 10), ...events.slice(20)].map((event) => event.eventId));
  });

  it('sends nothing for no events', async () => {
    // Act
    const outcome = await aPublisher().publishAll([]);

    // Assess
    expect(outcome).toEqual({ published: [], failed: [] });
    expect(sns).not.toHaveReceivedAnyCommand();
  });
});

describe('publishOrThrow', () => {
  it('throws the PublishFailedError of an event SNS refused', async () => {
    // Prepare
    sns.on(PublishBatchCommand).callsFake((input: PublishBatchCommandInput) => answerPublishBatch(input, () => false));

    // Act
    const publishing = publishOrThrow(aPublisher(), anEvent(1));

    // Assess
    await expect(publishing).rejects.toThrow(PublishFailedError);
  });

  it('resolves once SNS accepted the event', async () => {
    // Act
    const publishing = publishOrThrow(aPublisher(), anEvent(1));

    // Assess
    await expect(publishing).resolves.toBeUndefined();
    expect(sns).toHaveReceivedCommandTimes(PublishBatchCommand, 1);
  });
});

describe('toOutgoingEvent', () => {
  it('serializes the event as the body and takes the routing attributes from it', () => {
    // Prepare
    const event = createEvent(PaymentCompletedV1, {
      eventId: 'payment-completed:1',
      occurredAt: '2025-01-15T10:00:00.000Z',
      correlationId: 'correlation-1',
      data: {
        orderId: '00000000-0000-4000-8000-000000000001',
        customerEmail: 'student@example.com',
        amount: 59.97,
        currency: 'USD',
        paymentId: 'payment-1',
      },
    });

    // Act
    const outgoing = toOutgoingEvent(event, 'Root=1-67891233-abcdef012345678912345678');

    // Assess
    expect(outgoing).toEqual({
      eventId: 'payment-completed:1',
      eventType: 'PaymentCompleted',
      eventVersion: event.eventVersion,
      correlationId: 'correlation-1',
      orderId: event.data.orderId,
      body: JSON.stringify(event),
      traceHeader: 'Root=1-67891233-abcdef012345678912345678',
    });
  });
});
