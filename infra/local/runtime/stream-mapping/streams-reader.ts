/**
 * The three DynamoDB Streams reads the event source mapping makes. `LocalDynamoDbStreamsClient`
 * (infra/local/cloud) satisfies this port as it is; a fake stream satisfies it in unit tests.
 * Records stay in their wire form on purpose: what GetRecords returns is what Lambda puts in the
 * event (binary attributes as base64, `ApproximateCreationDateTime` in epoch seconds).
 */
import type { DynamoDBRecord } from 'aws-lambda';

export type ShardIteratorType = 'TRIM_HORIZON' | 'LATEST' | 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER';

export interface ShardDescription {
  readonly ShardId: string;
  readonly ParentShardId?: string;
}

/**
 * A record as GetRecords returns it. `eventName` is any string here: DynamoDB Local sends
 * `UNKNOWN_TO_SDK_VERSION` for TTL deletes. `userIdentity` is the API's `{ Type, PrincipalId }`.
 */
export type RawStreamRecord = Omit<DynamoDBRecord, 'eventSourceARN' | 'eventName'> & { readonly eventName?: string };

export interface StreamsReader {
  describeStream(input: { StreamArn: string; ExclusiveStartShardId?: string }): Promise<{
    readonly Shards: readonly ShardDescription[];
    /** Set when more shards follow: pass it as `ExclusiveStartShardId`. */
    readonly LastEvaluatedShardId?: string;
  }>;
  getShardIterator(input: {
    StreamArn: string;
    ShardId: string;
    ShardIteratorType: ShardIteratorType;
    SequenceNumber?: string;
  }): Promise<string>;
  getRecords(input: { ShardIterator: string; Limit?: number }): Promise<{
    readonly Records: readonly RawStreamRecord[];
    /** Absent once a closed shard has been read to its end. */
    readonly NextShardIterator?: string | null;
  }>;
}

/** The error codes the poller reacts to; any other failure is retried as transient. */
export const STREAMS_ERRORS = {
  /** The position is no longer in the stream, or DynamoDB Local's never-written-shard bug. */
  trimmedDataAccess: 'TrimmedDataAccessException',
  /** Shard iterators expire 15 minutes after they are issued. */
  expiredIterator: 'ExpiredIteratorException',
} as const;

/** Errors of the Streams API are named after their AWS error code (as the AWS SDK names them). */
export function isStreamsError(error: unknown, code: string): boolean {
  return error instanceof Error && error.name === code;
}

/** GetRecords' largest `Limit`. */
export const MAX_GET_RECORDS_LIMIT = 1000;
