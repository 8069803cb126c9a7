import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { DynamoDbOutboxMarker } from '../../../src/outbox-relay/adapters/dynamodb-outbox-marker';

const dynamo = mockClient(DynamoDBDocumentClient);
const SENT_AT = new Date('2025-01-15T10:00:00.750Z');
const TTL_SECONDS = 7 * 24 * 60 * 60;

function aMarker(): DynamoDbOutboxMarker {
  return new DynamoDbOutboxMarker({
    tableName: 'Outbox',
    sentTtlSeconds: TTL_SECONDS,
    documentClient: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })),
  });
}

beforeEach(() => {
  dynamo.reset();
});

describe('DynamoDbOutboxMarker.markSent', () => {
  it('sets SENT, sentAt and a TTL in epoch seconds and leaves the pending index, only on an item that exists and is PENDING', async () => {
    // Prepare
    dynamo.on(UpdateCommand).resolves({});

    // Act
    const outcome = await aMarker().markSent('order-created:1', SENT_AT);

    // Assess
    expect(outcome).toBe('marked');
    expect(dynamo).toHaveReceivedCommandTimes(UpdateCommand, 1);
    expect(dynamo.commandCalls(UpdateCommand)[0]?.args[0].input).toEqual({
      TableName: 'Outbox',
      Key: { eventId: 'order-created:1' },
      UpdateExpression: 'SET #status = :sent, #sentAt = :sentAt, #expiresAt = :expiresAt REMOVE #pendingBucket',
      ConditionExpression: 'attribute_exists(eventId) AND #status = :pending',
      ExpressionAttributeNames: {
        '#status': 'status',
        '#sentAt': 'sentAt',
        '#expiresAt': 'expiresAt',
        '#pendingBucket': 'pendingBucket',
      },
      ExpressionAttributeValues: {
        ':sent': 'SENT',
        ':pending': 'PENDING',
        ':sentAt': '2025-01-15T10:00:00.750Z',
        // Whole seconds: 1736935200 + 7 days, not 1736935200750 + anything.
        ':expiresAt': 1_736_935_200 + TTL_SECONDS,
      },
    });
  });

  it('answers already-sent-or-gone when the item is no longer PENDING or no longer exists', async () => {
    // Prepare
    dynamo.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));

    // Act
    const outcome = await aMarker().markSent('order-created:1', SENT_AT);

    // Assess
    expect(outcome).toBe('already-sent-or-gone');
  });

  it('rethrows any other error so the record is retried', async () => {
    // Prepare
    const throttled = Object.assign(new Error('Rate of requests exceeds the allowed throughput'), { name: 'ThrottlingException' });
    dynamo.on(UpdateCommand).rejects(throttled);

    // Act
    const marking = aMarker().markSent('order-created:1', SENT_AT);

    // Assess
    await expect(marking).rejects.toBe(throttled);
  });
});
