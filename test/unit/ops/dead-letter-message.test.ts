import type { Message } from '@aws-sdk/client-sqs';
import { describeDeadLetter, mentionsOrder } from '../../../ops/dead-letter-message';

function aMessage(overrides: Partial<Message> = {}): Message {
  return {
    MessageId: 'message-1',
    Body: JSON.stringify({ eventId: 'event-1', eventType: 'OrderCreated', data: { orderId: 'order-from-body' } }),
    Attributes: { ApproximateReceiveCount: '4', SentTimestamp: '1795914649074', ApproximateFirstReceiveTimestamp: '1795914649080' },
    ...overrides,
  };
}

describe('describeDeadLetter', () => {
  it('takes the event type and order id from the message attributes the relay set', () => {
    // Prepare
    const message = aMessage({
      MessageAttributes: {
        eventType: { DataType: 'String', StringValue: 'PaymentCompleted' },
        orderId: { DataType: 'String', StringValue: 'order-from-attribute' },
      },
    });

    // Act
    const summary = describeDeadLetter(message);

    // Assess
    expect(summary).toMatchObject({
      messageId: 'message-1',
      receiveCount: 4,
      sentAt: '2026-11-29T01:10:49.074Z',
      firstReceivedAt: '2026-11-29T01:10:49.080Z',
      eventType: 'PaymentCompleted',
      eventId: 'event-1',
      orderId: 'order-from-attribute',
      failure: undefined,
    });
  });

  it('falls back to the body for a message without attributes', () => {
    // Act
    const summary = describeDeadLetter(aMessage());

    // Assess
    expect(summary).toMatchObject({ eventType: 'OrderCreated', orderId: 'order-from-body' });
  });

  it('reads why the relay gave up from a stream on-failure record', () => {
    // Prepare
    const message = aMessage({
      Body: JSON.stringify({
        requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 11 },
        responseContext: { functionError: 'Unhandled' },
        DDBStreamBatchInfo: { shardId: 'shard-1', startSequenceNumber: '100', endSequenceNumber: '104', batchSize: 5 },
      }),
    });

    // Act
    const summary = describeDeadLetter(message);

    // Assess
    expect(summary.failure).toBe(
      'RetryAttemptsExhausted after 11 invocation(s) (Unhandled): 5 record(s) of shard-1, sequence 100…104; ' +
        're-read them from the outbox table (items still PENDING)',
    );
  });

  it('cuts a long body to an excerpt and copes with one that is not JSON', () => {
    // Prepare
    const message = aMessage({ Body: `not json ${'x'.repeat(300)}` });

    // Act
    const summary = describeDeadLetter(message, 20);

    // Assess
    expect(summary.bodyExcerpt).toBe('not json xxxxxxxxxx…');
    expect(summary.eventType).toBeUndefined();
  });
});

describe('mentionsOrder', () => {
  it('matches on the orderId attribute or anywhere in the body', () => {
    // Prepare
    const byAttribute = aMessage({ Body: '{}', MessageAttributes: { orderId: { DataType: 'String', StringValue: 'o-1' } } });
    const byBody = aMessage({ Body: '{"data":{"orderId":"o-1"}}' });

    // Act
    const matches = [mentionsOrder(byAttribute, 'o-1'), mentionsOrder(byBody, 'o-1'), mentionsOrder(byBody, 'o-2')];

    // Assess
    expect(matches).toEqual([true, true, false]);
  });
});
