import { buildOnFailureRecord } from '../../../infra/local/runtime/stream-mapping/on-failure-record';
import type { BatchRecord, DiscardedRecords } from '../../../infra/local/runtime/stream-mapping/shard-processor';
import { sequenceNumber, STREAM_ARN, streamRecord } from './stream-fixtures';

function batchRecord(n: number, createdAtSeconds: number): BatchRecord {
  return {
    record: streamRecord(n, { createdAtSeconds }),
    sequenceNumber: sequenceNumber(n),
    position: BigInt(n),
    matchesFilter: true,
    firstSeenAtMs: createdAtSeconds * 1000,
    createdNoLaterThanMs: createdAtSeconds * 1000,
    invocations: 3,
    failedAttempts: 3,
    lastResponse: undefined,
  };
}

const CONTEXT = {
  streamArn: STREAM_ARN,
  shardId: 'shardId-00000001767225600000-abcdef12',
  functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:OutboxRelay',
  requestId: '316aa6d0-8154-4bd4-9af7-85d5f4a6bc81',
  now: new Date('2026-01-01T00:13:49.717Z'),
};

describe('buildOnFailureRecord', () => {
  it("describes skipped records with AWS's metadata only, never the records", () => {
    // Prepare
    const discarded: DiscardedRecords = {
      condition: 'RetryAttemptsExhausted',
      records: [batchRecord(4, 1_767_226_380), batchRecord(5, 1_767_226_440)],
      approximateInvokeCount: 3,
      response: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    };

    // Act
    const record = buildOnFailureRecord(discarded, CONTEXT);

    // Assess
    expect(record).toEqual({
      requestContext: {
        requestId: CONTEXT.requestId,
        functionArn: CONTEXT.functionArn,
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 3,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: '2026-01-01T00:13:49.717Z',
      DDBStreamBatchInfo: {
        shardId: CONTEXT.shardId,
        startSequenceNumber: sequenceNumber(4),
        endSequenceNumber: sequenceNumber(5),
        approximateArrivalOfFirstRecord: '2026-01-01T00:13:00Z',
        approximateArrivalOfLastRecord: '2026-01-01T00:14:00Z',
        batchSize: 2,
        streamArn: STREAM_ARN,
      },
    });
    expect(JSON.stringify(record)).not.toContain('NewImage');
  });

  it('leaves the response empty for records that aged out before any invocation', () => {
    // Prepare
    const discarded: DiscardedRecords = {
      condition: 'MaximumRecordAgeExceeded',
      records: [batchRecord(7, 1_767_226_380)],
      approximateInvokeCount: 0,
      response: undefined,
    };

    // Act
    const record = buildOnFailureRecord(discarded, CONTEXT);

    // Assess
    expect(record.requestContext).toMatchObject({ condition: 'MaximumRecordAgeExceeded', approximateInvokeCount: 0 });
    expect(record.responseContext).toEqual({ statusCode: null, executedVersion: null, functionError: null });
  });
});
