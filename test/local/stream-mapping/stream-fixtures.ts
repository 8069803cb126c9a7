import type { DynamoDBRecord } from 'aws-lambda';
import type { StreamRelaySettings } from '../../../src/common/settings';
import type { InvokeResult } from '../../../infra/local/runtime/lambda-invoker';
import type { RawStreamRecord } from '../../../infra/local/runtime/stream-mapping/streams-reader';

export const STREAM_ARN = 'arn:aws:dynamodb:ddblocal:000000000000:table/outbox/stream/2026-01-01T00:00:00.000';

/** DynamoDB Local's sequence numbers: one counter, 21 digits. */
export function sequenceNumber(n: number): string {
  return String(n).padStart(21, '0');
}

export interface StreamRecordFixture {
  readonly eventName?: string;
  readonly createdAtSeconds?: number;
  readonly key?: string;
}

/** A record as GetRecords returns it (no `eventSourceARN`). */
export function rawStreamRecord(n: number, fixture: StreamRecordFixture = {}): RawStreamRecord {
  const eventName = fixture.eventName ?? 'INSERT';
  const key = { eventId: { S: fixture.key ?? `event-${n}` } };
  const image = { ...key, status: { S: 'PENDING' } };
  return {
    eventID: `id-${n}`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'ddblocal',
    dynamodb: {
      ApproximateCreationDateTime: fixture.createdAtSeconds ?? 1_767_225_600,
      Keys: key,
      ...(eventName === 'INSERT' || eventName === 'MODIFY' ? { NewImage: image } : {}),
      ...(eventName === 'INSERT' ? {} : { OldImage: image }),
      SequenceNumber: sequenceNumber(n),
      SizeBytes: 42,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

/** A record as Lambda delivers it. */
export function streamRecord(n: number, fixture: StreamRecordFixture = {}): DynamoDBRecord {
  return { ...(rawStreamRecord(n, fixture) as DynamoDBRecord), eventSourceARN: STREAM_ARN };
}

export function streamSettings(overrides: Partial<StreamRelaySettings['stream']> = {}): StreamRelaySettings['stream'] {
  return {
    batchSize: 3,
    maxBatchingWindowSeconds: 0,
    retryAttempts: 2,
    maxRecordAgeSeconds: 3600,
    bisectBatchOnError: false,
    parallelizationFactor: 1,
    eventNames: ['INSERT'],
    ...overrides,
  };
}

export const okResult = (payload: unknown = null): InvokeResult => ({ status: 'ok', payload, durationMs: 5 });
export const errorResult = (message = 'boom'): InvokeResult => ({
  status: 'error',
  errorType: 'Error',
  errorMessage: message,
  durationMs: 5,
});
export const batchItemFailures = (...sequenceNumbers: string[]) => ({
  batchItemFailures: sequenceNumbers.map((itemIdentifier) => ({ itemIdentifier })),
});
