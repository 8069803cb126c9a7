import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { createEvent, OrderCreatedV1 } from '../../../src/common/events';
import { OUTBOX_STATUS, type OutboxItem } from '../../../src/common/outbox-item';

const OUTBOX_STREAM_ARN =
  'arn:aws:dynamodb:eu-west-1:123456789012:table/Outbox/stream/2025-01-15T00:00:00.000';

/** A realistic, strictly increasing stream sequence number for position `n` of a shard. */
export function sequenceNumberOf(n: number): string {
  return String(100_000_000_000_000_000_000n + BigInt(n));
}

export function orderIdOf(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

/**
 * A PENDING outbox item as the order service writes it: its payload is a valid OrderCreated
 * envelope carrying the same ids. Overrides apply to the item only, so they can make it disagree.
 */
export function anOutboxItem(n: number, overrides: Partial<OutboxItem> = {}): OutboxItem {
  const event = createEvent(OrderCreatedV1, {
    eventId: `order-created:${orderIdOf(n)}`,
    occurredAt: '2025-01-15T09:59:00.000Z',
    correlationId: `correlation-${n}`,
    data: {
      orderId: orderIdOf(n),
      customerEmail: 'student@example.com',
      currency: 'USD',
      items: [{ sku: 'BOOK-1', quantity: 3, price: 19.99 }],
      totalAmount: 59.97,
      paymentOutcome: 'approved',
      inventoryOutcome: 'reserved',
    },
  });
  return {
    eventId: event.eventId,
    eventType: event.eventType,
    eventVersion: event.eventVersion,
    orderId: event.data.orderId,
    correlationId: event.correlationId,
    status: OUTBOX_STATUS.pending,
    payload: JSON.stringify(event),
    createdAt: event.occurredAt,
    ...overrides,
  };
}

/** An image as DynamoDB Streams delivers it to Lambda: marshalled, binaries as base64. */
export function toStreamImage(value: object): Record<string, AttributeValue> {
  return Object.fromEntries(
    Object.entries(marshall(value, { removeUndefinedValues: true })).map(([name, attribute]) => [name, toStreamAttributeValue(attribute)]),
  );
}

function toStreamAttributeValue(value: SdkAttributeValue): AttributeValue {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.M !== undefined) return { M: toStreamImage(value.M) };
  if (value.L !== undefined) return { L: value.L.map(toStreamAttributeValue) };
  if (value.SS !== undefined) return { SS: value.SS };
  if (value.NS !== undefined) return { NS: value.NS };
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((binary) => Buffer.from(binary).toString('base64')) };
  throw new TypeError('Unsupported attribute value in a fixture');
}

function aStreamRecord(
  eventName: NonNullable<DynamoDBRecord['eventName']>,
  n: number,
  images: { keys: Record<string, AttributeValue>; newImage?: Record<string, AttributeValue>; oldImage?: Record<string, AttributeValue> },
): DynamoDBRecord {
  return {
    awsRegion: 'eu-west-1',
    eventID: `stream-event-${n}`,
    eventName,
    eventSource: 'aws:dynamodb',
    eventSourceARN: OUTBOX_STREAM_ARN,
    eventVersion: '1.1',
    dynamodb: {
      ApproximateCreationDateTime: 1_736_935_140,
      Keys: images.keys,
      ...(images.newImage === undefined ? {} : { NewImage: images.newImage }),
      ...(images.oldImage === undefined ? {} : { OldImage: images.oldImage }),
      SequenceNumber: sequenceNumberOf(n),
      SizeBytes: 512,
      StreamViewType: 'NEW_IMAGE',
    },
  };
}

/** The INSERT of outbox item `n`, or of any image (`toStreamImage` of something invalid). */
export function anInsertRecord(n: number, image: Record<string, AttributeValue> = toStreamImage(anOutboxItem(n))): DynamoDBRecord {
  return aStreamRecord('INSERT', n, { keys: keysOf(image), newImage: image });
}

/** The relay's own SENT update of item `n`. */
export function aModifyRecord(n: number): DynamoDBRecord {
  const image = toStreamImage({ ...anOutboxItem(n), status: OUTBOX_STATUS.sent, sentAt: '2025-01-15T10:00:00.000Z', expiresAt: 1_737_540_000 });
  return aStreamRecord('MODIFY', n, { keys: keysOf(image), newImage: image });
}

/** DynamoDB TTL deleting item `n`: a REMOVE with no NewImage, by the DynamoDB service principal. */
export function aTtlRemoveRecord(n: number): DynamoDBRecord {
  const oldImage = toStreamImage(anOutboxItem(n));
  return {
    ...aStreamRecord('REMOVE', n, { keys: keysOf(oldImage), oldImage }),
    userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
  };
}

function keysOf(image: Record<string, AttributeValue>): Record<string, AttributeValue> {
  return image.eventId === undefined ? {} : { eventId: image.eventId };
}

export function aStreamEvent(records: DynamoDBRecord[]): DynamoDBStreamEvent {
  return { Records: records };
}

export function aLambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'OutboxRelay',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:OutboxRelay',
    memoryLimitInMB: '512',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    logGroupName: '/aws/lambda/OutboxRelay',
    logStreamName: '2025/01/15/[$LATEST]abcdef',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
