/**
 * A minimal DynamoDB Streams client for DynamoDB Local (`@aws-sdk/client-dynamodb-streams` is not a
 * dependency). It speaks the Streams JSON protocol (`X-Amz-Target: DynamoDBStreams_20120810.*`)
 * and returns records in their wire form, which is exactly the form a Lambda `DynamoDBStreamEvent`
 * carries (epoch-second `ApproximateCreationDateTime`, attribute values as `{ S: … }`); a local
 * poller only has to add `eventSourceARN`.
 */
import type { DynamoDBRecord } from 'aws-lambda';

const TARGET_PREFIX = 'DynamoDBStreams_20120810';

export type ShardIteratorType = 'TRIM_HORIZON' | 'LATEST' | 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER';

export interface StreamSummary {
  readonly StreamArn: string;
  readonly TableName: string;
  readonly StreamLabel: string;
}

export interface StreamShard {
  readonly ShardId: string;
  readonly ParentShardId?: string;
  readonly SequenceNumberRange: {
    readonly StartingSequenceNumber?: string;
    /** Present once the shard is closed (DynamoDB Local rolls shards over every 4 hours). */
    readonly EndingSequenceNumber?: string;
  };
}

export interface StreamDescription {
  readonly StreamArn: string;
  readonly StreamLabel: string;
  readonly StreamStatus: 'ENABLING' | 'ENABLED' | 'DISABLING' | 'DISABLED';
  readonly StreamViewType: string;
  readonly TableName: string;
  readonly Shards: readonly StreamShard[];
  readonly LastEvaluatedShardId?: string;
}

/**
 * A record as GetRecords returns it: a Lambda stream record without `eventSourceARN`. `eventName`
 * is any string: DynamoDB Local sends a TTL delete as `UNKNOWN_TO_SDK_VERSION` (AWS: `REMOVE`),
 * without `userIdentity`.
 */
export type StreamRecordFromGetRecords = Omit<DynamoDBRecord, 'eventSourceARN' | 'eventName'> & {
  readonly eventName?: string;
};

export interface GetRecordsOutput {
  readonly Records: readonly StreamRecordFromGetRecords[];
  /** Absent once a closed shard has been read to its end. */
  readonly NextShardIterator?: string;
}

/** A Streams error, named like the SDK names it (`TrimmedDataAccessException`, `ExpiredIteratorException`, …). */
export class DynamoDbStreamsError extends Error {
  constructor(
    name: string,
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
    this.name = name;
  }
}

export interface LocalDynamoDbStreamsClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly requestTimeoutMs?: number | undefined;
}

export class LocalDynamoDbStreamsClient {
  constructor(private readonly config: LocalDynamoDbStreamsClientConfig) {}

  async listStreams(input: { TableName?: string; ExclusiveStartStreamArn?: string } = {}): Promise<{
    Streams: readonly StreamSummary[];
    LastEvaluatedStreamArn?: string;
  }> {
    return this.call('ListStreams', input);
  }

  async describeStream(input: { StreamArn: string; ExclusiveStartShardId?: string }): Promise<StreamDescription> {
    const output = await this.call<{ StreamDescription: StreamDescription }>('DescribeStream', input);
    return output.StreamDescription;
  }

  async getShardIterator(input: {
    StreamArn: string;
    ShardId: string;
    ShardIteratorType: ShardIteratorType;
    SequenceNumber?: string;
  }): Promise<string> {
    const output = await this.call<{ ShardIterator: string }>('GetShardIterator', input);
    return output.ShardIterator;
  }

  async getRecords(input: { ShardIterator: string; Limit?: number }): Promise<GetRecordsOutput> {
    return this.call('GetRecords', input);
  }

  private async call<T>(operation: string, input: object): Promise<T> {
    const response = await fetch(this.config.endpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.0',
        'X-Amz-Target': `${TARGET_PREFIX}.${operation}`,
        // DynamoDB Local requires a credential scope (it picks a database by key and region unless
        // `-sharedDb`) but never verifies the signature.
        Authorization:
          `AWS4-HMAC-SHA256 Credential=${this.config.accessKeyId}/20200101/${this.config.region}/dynamodb/aws4_request, ` +
          'SignedHeaders=content-type;host;x-amz-target, Signature=local',
      },
      body: JSON.stringify(input),
      signal: this.config.requestTimeoutMs === undefined ? null : AbortSignal.timeout(this.config.requestTimeoutMs),
    });
    const text = await response.text();
    if (!response.ok) {
      const { name, message } = parseError(text);
      throw new DynamoDbStreamsError(name, message, response.status);
    }
    // Typed, not validated, as the SDK's own clients do: the emulator answers the documented shapes.
    return JSON.parse(text) as T;
  }
}

/** `{"__type":"com.amazonaws.dynamodb.v20120810#TrimmedDataAccessException","message":"…"}`. */
function parseError(text: string): { name: string; message: string } {
  try {
    const body = JSON.parse(text) as { __type?: string; message?: string; Message?: string };
    return {
      name: body.__type?.split('#').pop() ?? 'UnknownError',
      message: body.message ?? body.Message ?? text,
    };
  } catch {
    return { name: 'UnknownError', message: text };
  }
}
