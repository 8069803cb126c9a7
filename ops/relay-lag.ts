import { CheckpointStore } from '../infra/local/runtime/stream-mapping/checkpoint-store';
import {
  isStreamsError,
  MAX_GET_RECORDS_LIMIT,
  STREAMS_ERRORS,
  type ShardIteratorType,
  type StreamsReader,
} from '../infra/local/runtime/stream-mapping/streams-reader';

/** How far the local relay's event source mapping is behind in one shard of the outbox stream. */
export interface ShardLag {
  readonly shardId: string;
  /** The last sequence number the mapping consumed; undefined while it has consumed nothing. */
  readonly checkpoint: string | undefined;
  readonly checkpointUpdatedAt: string | undefined;
  /** Closed and fully consumed. */
  readonly shardEnded: boolean;
  /**
   * Stream records after the checkpoint: outbox inserts not yet relayed, and the relay's own SENT
   * updates, which its filter drops but the checkpoint must still pass.
   */
  readonly recordsBehind: number;
  readonly newestSequenceNumber: string | undefined;
  /** `ApproximateCreationDateTime` of the first unconsumed record (DynamoDB Local truncates it to the minute). */
  readonly oldestUnconsumedAt: string | undefined;
  /** Counting stopped at the bound: `recordsBehind` is a lower bound. */
  readonly truncated: boolean;
}

export interface RelayLagOptions {
  readonly streams: StreamsReader;
  readonly streamArn: string;
  readonly checkpointDir: string;
  /** Records read per shard at most. */
  readonly maxRecords?: number;
}

const DEFAULT_MAX_RECORDS = 10_000;

/**
 * Compares each shard's checkpoint file with the stream itself by reading forward from the
 * checkpoint: exact locally, where the stream is small. On AWS the equivalent is the mapping's
 * `IteratorAge` CloudWatch metric.
 */
export async function readRelayLag(options: RelayLagOptions): Promise<ShardLag[]> {
  const store = new CheckpointStore(options.checkpointDir);
  const shardIds: string[] = [];
  let exclusiveStartShardId: string | undefined;
  do {
    const page = await options.streams.describeStream({
      StreamArn: options.streamArn,
      ...(exclusiveStartShardId === undefined ? {} : { ExclusiveStartShardId: exclusiveStartShardId }),
    });
    shardIds.push(...page.Shards.map((shard) => shard.ShardId));
    exclusiveStartShardId = page.LastEvaluatedShardId;
  } while (exclusiveStartShardId !== undefined);

  const lags: ShardLag[] = [];
  for (const shardId of shardIds) {
    const checkpoint = await store.load(options.streamArn, shardId);
    const base = {
      shardId,
      checkpoint: checkpoint?.sequenceNumber,
      checkpointUpdatedAt: checkpoint?.updatedAt,
      shardEnded: checkpoint?.shardEnded === true,
    };
    if (checkpoint?.shardEnded === true) {
      lags.push({ ...base, recordsBehind: 0, newestSequenceNumber: undefined, oldestUnconsumedAt: undefined, truncated: false });
    } else {
      lags.push({ ...base, ...(await countRecordsAfter(options, shardId, checkpoint?.sequenceNumber)) });
    }
  }
  return lags;
}

async function countRecordsAfter(
  options: RelayLagOptions,
  shardId: string,
  after: string | undefined,
): Promise<Pick<ShardLag, 'recordsBehind' | 'newestSequenceNumber' | 'oldestUnconsumedAt' | 'truncated'>> {
  const maxRecords = options.maxRecords ?? DEFAULT_MAX_RECORDS;
  const iteratorOf = (type: ShardIteratorType): Promise<string> =>
    options.streams.getShardIterator({
      StreamArn: options.streamArn,
      ShardId: shardId,
      ShardIteratorType: type,
      ...(type === 'AFTER_SEQUENCE_NUMBER' ? { SequenceNumber: after } : {}),
    });
  let iterator: string | null | undefined = await iteratorOf(after === undefined ? 'TRIM_HORIZON' : 'AFTER_SEQUENCE_NUMBER');
  let recordsBehind = 0;
  let newestSequenceNumber: string | undefined;
  let oldestUnconsumedAt: string | undefined;
  let retriedFromTrimHorizon = false;
  while (iterator !== undefined && iterator !== null && recordsBehind < maxRecords) {
    let page: Awaited<ReturnType<StreamsReader['getRecords']>>;
    try {
      page = await options.streams.getRecords({ ShardIterator: iterator, Limit: MAX_GET_RECORDS_LIMIT });
    } catch (error) {
      // The checkpoint aged out of the stream, or DynamoDB Local's first-write bug on a fresh shard:
      // every record still in the shard is then unconsumed.
      if (!isStreamsError(error, STREAMS_ERRORS.trimmedDataAccess) || retriedFromTrimHorizon) throw error;
      retriedFromTrimHorizon = true;
      iterator = await iteratorOf('TRIM_HORIZON');
      continue;
    }
    if (page.Records.length === 0) break;
    const first = page.Records[0]?.dynamodb?.ApproximateCreationDateTime;
    if (oldestUnconsumedAt === undefined && first !== undefined) oldestUnconsumedAt = new Date(first * 1000).toISOString();
    recordsBehind += page.Records.length;
    newestSequenceNumber = page.Records[page.Records.length - 1]?.dynamodb?.SequenceNumber ?? newestSequenceNumber;
    iterator = page.NextShardIterator;
  }
  return { recordsBehind, newestSequenceNumber, oldestUnconsumedAt, truncated: recordsBehind >= maxRecords };
}
