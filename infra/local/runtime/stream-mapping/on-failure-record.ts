import type { DiscardedRecords, DiscardCondition } from './shard-processor';

/**
 * What Lambda sends to a DynamoDB stream mapping's on-failure destination: metadata only, never
 * the records, which must be re-read from the stream or the table
 * (lambda/latest/dg/services-dynamodb-errors.html, "Example invocation record").
 */
export interface StreamOnFailureRecord {
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: DiscardCondition;
    readonly approximateInvokeCount: number;
  };
  /** Null fields when the records were skipped for their age before any invocation carried them. */
  readonly responseContext: {
    readonly statusCode: number | null;
    readonly executedVersion: string | null;
    readonly functionError: string | null;
  };
  readonly version: '1.0';
  readonly timestamp: string;
  readonly DDBStreamBatchInfo: {
    readonly shardId: string;
    readonly startSequenceNumber: string;
    readonly endSequenceNumber: string;
    readonly approximateArrivalOfFirstRecord: string;
    readonly approximateArrivalOfLastRecord: string;
    readonly batchSize: number;
    readonly streamArn: string;
  };
}

export interface OnFailureContext {
  readonly streamArn: string;
  readonly shardId: string;
  readonly functionArn: string;
  readonly requestId: string;
  readonly now: Date;
}

export function buildOnFailureRecord(discarded: DiscardedRecords, context: OnFailureContext): StreamOnFailureRecord {
  const first = discarded.records[0];
  const last = discarded.records[discarded.records.length - 1];
  if (first === undefined || last === undefined) throw new Error('An on-failure record needs at least one record');
  return {
    requestContext: {
      requestId: context.requestId,
      functionArn: context.functionArn,
      condition: discarded.condition,
      approximateInvokeCount: discarded.approximateInvokeCount,
    },
    responseContext: {
      statusCode: discarded.response?.statusCode ?? null,
      executedVersion: discarded.response?.executedVersion ?? null,
      functionError: discarded.response?.functionError ?? null,
    },
    version: '1.0',
    timestamp: context.now.toISOString(),
    DDBStreamBatchInfo: {
      shardId: context.shardId,
      startSequenceNumber: first.sequenceNumber,
      endSequenceNumber: last.sequenceNumber,
      approximateArrivalOfFirstRecord: arrivalOf(first.record.dynamodb?.ApproximateCreationDateTime, first.firstSeenAtMs),
      approximateArrivalOfLastRecord: arrivalOf(last.record.dynamodb?.ApproximateCreationDateTime, last.firstSeenAtMs),
      batchSize: discarded.records.length,
      streamArn: context.streamArn,
    },
  };
}

/** AWS writes the record's creation time to the second: `2019-11-14T00:13:19Z`. */
function arrivalOf(creationEpochSeconds: number | undefined, fallbackMs: number): string {
  const ms = creationEpochSeconds === undefined ? fallbackMs : creationEpochSeconds * 1000;
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
