import type { DynamoDBStreamEvent } from 'aws-lambda';
import type { InvokeResult, LambdaInvoker } from '../../../infra/local/runtime/lambda-invoker';
import type {
  RawStreamRecord,
  ShardDescription,
  ShardIteratorType,
  StreamsReader,
} from '../../../infra/local/runtime/stream-mapping/streams-reader';
import { rawStreamRecord, type StreamRecordFixture } from './stream-fixtures';

interface FakeShard {
  readonly id: string;
  readonly parent?: string;
  readonly records: RawStreamRecord[];
  closed: boolean;
}

export function currentMinuteSeconds(): number {
  return Math.floor(Date.now() / 60_000) * 60;
}

/** An error as a Streams client throws it: named after the AWS error code. */
export function streamsError(code: string): Error {
  return Object.assign(new Error(`${code} (fake)`), { name: code });
}

/**
 * An in-memory DynamoDB stream: shards with records, iterators that are positions, and errors
 * queued for the next reads. Every call is recorded.
 */
export class FakeStream implements StreamsReader {
  readonly calls: string[] = [];
  private readonly shards: FakeShard[] = [];
  private readonly readErrors: Error[] = [];

  addShard(id: string, parent?: string): this {
    this.shards.push({ id, ...(parent === undefined ? {} : { parent }), records: [], closed: false });
    return this;
  }

  /** Appends records created now, their creation time truncated to the minute as DynamoDB Local does. */
  write(shardId: string, numbers: readonly number[], fixture: StreamRecordFixture = {}): this {
    const createdAtSeconds = currentMinuteSeconds();
    this.shard(shardId).records.push(...numbers.map((n) => rawStreamRecord(n, { createdAtSeconds, ...fixture })));
    return this;
  }

  close(shardId: string): this {
    this.shard(shardId).closed = true;
    return this;
  }

  /** The next GetRecords calls fail with these errors, in order. */
  failNextReads(...errors: Error[]): this {
    this.readErrors.push(...errors);
    return this;
  }

  async describeStream(): Promise<{ Shards: readonly ShardDescription[] }> {
    this.calls.push('DescribeStream');
    return { Shards: this.shards.map((shard) => ({ ShardId: shard.id, ...(shard.parent === undefined ? {} : { ParentShardId: shard.parent }) })) };
  }

  async getShardIterator(input: { ShardId: string; ShardIteratorType: ShardIteratorType; SequenceNumber?: string }): Promise<string> {
    this.calls.push(`GetShardIterator ${input.ShardId} ${input.ShardIteratorType}${input.SequenceNumber === undefined ? '' : ` ${BigInt(input.SequenceNumber)}`}`);
    const records = this.shard(input.ShardId).records;
    const index = (() => {
      switch (input.ShardIteratorType) {
        case 'TRIM_HORIZON':
          return 0;
        case 'LATEST':
          return records.length;
        case 'AT_SEQUENCE_NUMBER':
        case 'AFTER_SEQUENCE_NUMBER': {
          const after = BigInt(input.SequenceNumber ?? '0');
          const found = records.findIndex((record) => BigInt(record.dynamodb?.SequenceNumber ?? '0') > after);
          return found === -1 ? records.length : found;
        }
      }
    })();
    return `${input.ShardId}|${index}`;
  }

  async getRecords(input: { ShardIterator: string; Limit?: number }): Promise<{ Records: readonly RawStreamRecord[]; NextShardIterator?: string }> {
    const [shardId = '', index = '0'] = input.ShardIterator.split('|');
    this.calls.push(`GetRecords ${shardId} ${index}`);
    const error = this.readErrors.shift();
    if (error !== undefined) throw error;
    const shard = this.shard(shardId);
    const start = Number(index);
    const records = shard.records.slice(start, start + (input.Limit ?? 1000));
    const next = start + records.length;
    return shard.closed && next >= shard.records.length ? { Records: records } : { Records: records, NextShardIterator: `${shardId}|${next}` };
  }

  private shard(id: string): FakeShard {
    const shard = this.shards.find((candidate) => candidate.id === id);
    if (shard === undefined) throw new Error(`No shard ${id}`);
    return shard;
  }
}

/** A function stand-in: answers each invocation with `respond` and records the events it got. */
export class FakeFunction implements LambdaInvoker {
  readonly events: DynamoDBStreamEvent[] = [];

  constructor(private readonly respond: (event: DynamoDBStreamEvent) => InvokeResult | Promise<InvokeResult> = () => ({ status: 'ok', payload: null, durationMs: 1 })) {}

  async invoke(_functionName: string, event: unknown): Promise<InvokeResult> {
    const streamEvent = event as DynamoDBStreamEvent;
    this.events.push(streamEvent);
    return this.respond(streamEvent);
  }

  /** The sequence numbers of every invocation, as numbers, in order. */
  batches(): number[][] {
    return this.events.map((event) => event.Records.map((record) => Number(record.dynamodb?.SequenceNumber)));
  }
}

/** Polls `condition` until it holds or the deadline passes. */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
