/**
 * The local DynamoDB Streams → Lambda event source mapping: polls every shard of a stream (a
 * closed parent before its children), invokes the function with batches built from the records,
 * and persists a checkpoint per shard. What a batch outcome means (retry, bisect, skip) is decided
 * by ShardProcessor; this module only does the I/O: Streams reads, invocations, checkpoint files
 * and on-failure messages.
 */
import { randomUUID } from 'node:crypto';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import type { StreamRelaySettings } from '../../../../src/common/settings';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../../local-settings';
import type { InvokeResult, LambdaInvoker } from '../lambda-invoker';
import { CheckpointStore } from './checkpoint-store';
import { interpretInvokeResult } from './interpret-invoke-result';
import { buildOnFailureRecord } from './on-failure-record';
import {
  ShardProcessor,
  shardPolicyOf,
  type BatchCompletion,
  type DiscardedRecords,
  type ShardPolicy,
  type StreamBatch,
} from './shard-processor';
import {
  isStreamsError,
  MAX_GET_RECORDS_LIMIT,
  STREAMS_ERRORS,
  type ShardDescription,
  type StreamsReader,
} from './streams-reader';
import { toLambdaStreamRecord } from './to-lambda-stream-record';

export interface StreamMappingOptions {
  readonly streamArn: string;
  readonly functionName: string;
  readonly invoker: LambdaInvoker;
  readonly streamsClient: StreamsReader;
  readonly sqsClient: SQSClient;
  /** The on-failure destination: skipped batches' metadata goes here. */
  readonly onFailureQueueUrl: string;
  /** Checkpoints live under it, one file per stream and shard. */
  readonly checkpointDir: string;
  /** The mapping's settings, as the CDK stack reads them (`OUTBOX_RELAY.stream`). */
  readonly settings: StreamRelaySettings['stream'];
  /** Scales the batching window and the maximum record age (`localTimeScale()`). */
  readonly timeScale: number;
  /** One line per invocation, skip and shard event. */
  readonly log: (line: string) => void;
  /** `FunctionResponseTypes: [ReportBatchItemFailures]`; on by default, as the CDK stack sets it. */
  readonly reportBatchItemFailures?: boolean;
  /** The function's ARN in on-failure records; default: the local region and account. */
  readonly functionArn?: string;
  /** How long an idle shard waits between GetRecords calls; default `LAMBDA_STREAM_POLL_INTERVAL_MS`. */
  readonly pollIntervalMs?: number;
  /** How often the stream is described to find new shards (a finished shard also triggers it). */
  readonly shardDiscoveryIntervalMs?: number;
  /** Back-off after a failed Streams call, invocation request or on-failure send. */
  readonly errorBackoffMs?: number;
  /** Epoch milliseconds; injected by tests. */
  readonly now?: () => number;
}

export interface StreamMapping {
  /**
   * Stops polling. An invocation in flight is allowed to finish and its outcome is applied (a
   * success moves the checkpoint); nothing else is started. Resolves when every shard has stopped.
   */
  stop(): Promise<void>;
}

export class UnsupportedStreamMappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedStreamMappingError';
  }
}

/**
 * Where a mapping without a checkpoint starts: the oldest record, as the stack's mapping does, so a
 * new or reset mapping never skips outbox items already in the stream. The only position implemented.
 */
export const STARTING_POSITION = 'TRIM_HORIZON';

/**
 * Lambda polls each shard of a DynamoDB stream "at a base rate of 4 times per second" and again at
 * once after a batch (lambda/latest/dg/with-ddb.html). Polling an idle shard faster would make the
 * local relay lag shorter than AWS's.
 */
export const LAMBDA_STREAM_POLL_INTERVAL_MS = 250;
const DEFAULT_SHARD_DISCOVERY_INTERVAL_MS = 5_000;
const DEFAULT_ERROR_BACKOFF_MS = 1_000;

export function startStreamMapping(options: StreamMappingOptions): StreamMapping {
  const { settings } = options;
  if (settings.parallelizationFactor !== 1) {
    // With a factor above 1 Lambda runs one batch per partition key at a time within a shard; the
    // local poller runs one batch per shard, which is that behaviour only for a factor of 1.
    throw new UnsupportedStreamMappingError(`ParallelizationFactor ${settings.parallelizationFactor} is not supported locally (only 1)`);
  }
  if (!Number.isInteger(settings.batchSize) || settings.batchSize < 1 || settings.batchSize > 10_000) {
    throw new UnsupportedStreamMappingError(`BatchSize must be an integer in [1, 10000], got ${settings.batchSize}`);
  }
  const poller = new StreamPoller(options);
  poller.start();
  return { stop: () => poller.stop() };
}

class StreamPoller {
  private readonly policy: ShardPolicy;
  private readonly store: CheckpointStore;
  private readonly abort = new AbortController();
  private readonly running = new Map<string, Promise<void>>();
  private readonly finished = new Set<string>();
  private readonly now: () => number;
  private readonly pollIntervalMs: number;
  private readonly errorBackoffMs: number;
  private readonly functionArn: string;
  private wakeDiscovery: (() => void) | undefined;
  private discovery: Promise<void> | undefined;
  private stopping = false;

  constructor(private readonly options: StreamMappingOptions) {
    this.policy = shardPolicyOf(options.settings, options.timeScale);
    this.store = new CheckpointStore(options.checkpointDir);
    this.now = options.now ?? Date.now;
    this.pollIntervalMs = options.pollIntervalMs ?? LAMBDA_STREAM_POLL_INTERVAL_MS;
    this.errorBackoffMs = options.errorBackoffMs ?? DEFAULT_ERROR_BACKOFF_MS;
    this.functionArn = options.functionArn ?? `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${options.functionName}`;
  }

  start(): void {
    this.discovery = this.discoverShards();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    this.wakeDiscovery?.();
    await this.discovery;
    await Promise.all(this.running.values());
  }

  /** Finds shards and starts each one whose parent is finished (or gone from the stream). */
  private async discoverShards(): Promise<void> {
    const intervalMs = this.options.shardDiscoveryIntervalMs ?? DEFAULT_SHARD_DISCOVERY_INTERVAL_MS;
    while (!this.stopping) {
      try {
        await this.startReadyShards(await this.describeShards());
      } catch (error) {
        this.log(`shard discovery failed, retrying: ${describeError(error)}`);
      }
      await new Promise<void>((resolve) => {
        this.wakeDiscovery = resolve;
        void sleep(intervalMs, this.abort.signal).then(resolve);
      });
    }
  }

  private async describeShards(): Promise<readonly ShardDescription[]> {
    const shards: ShardDescription[] = [];
    let exclusiveStartShardId: string | undefined;
    do {
      const page = await this.options.streamsClient.describeStream({
        StreamArn: this.options.streamArn,
        ...(exclusiveStartShardId === undefined ? {} : { ExclusiveStartShardId: exclusiveStartShardId }),
      });
      shards.push(...page.Shards);
      exclusiveStartShardId = page.LastEvaluatedShardId;
    } while (exclusiveStartShardId !== undefined);
    return shards;
  }

  private async startReadyShards(shards: readonly ShardDescription[]): Promise<void> {
    const present = new Set(shards.map((shard) => shard.ShardId));
    const waiting = shards.filter((shard) => !this.running.has(shard.ShardId) && !this.finished.has(shard.ShardId));
    const saved = new Map<string, string | undefined>();
    for (const shard of waiting) {
      const checkpoint = await this.store.load(this.options.streamArn, shard.ShardId);
      if (checkpoint?.shardEnded === true) this.finished.add(shard.ShardId);
      else saved.set(shard.ShardId, checkpoint?.sequenceNumber);
    }
    for (const [shardId, checkpoint] of saved) {
      const parent = shards.find((shard) => shard.ShardId === shardId)?.ParentShardId;
      // A closed shard is finished before its children: records of one item stay in order across a rollover.
      const parentDone = parent === undefined || this.finished.has(parent) || !present.has(parent);
      if (!parentDone || this.stopping) continue;
      const task = this.pollShard(shardId, checkpoint)
        .catch((error: unknown) => this.log(`shard ${shardId} stopped on an unexpected error: ${describeError(error)}`))
        .finally(() => this.running.delete(shardId));
      this.running.set(shardId, task);
    }
  }

  private async pollShard(shardId: string, checkpoint: string | undefined): Promise<void> {
    const processor = new ShardProcessor(this.policy, checkpoint);
    const signal = this.abort.signal;
    let iterator: string | undefined;
    let trimmedReads = 0;
    let iteratorErrors = 0;
    this.log(`shard ${shardId} polling from ${checkpoint === undefined ? 'TRIM_HORIZON' : `after ${checkpoint}`}`);

    while (!this.stopping) {
      let idle = true;
      try {
        if (processor.wantsRecords()) {
          iterator ??= await this.shardIterator(shardId, processor.resumeAfter, trimmedReads);
          const output = await this.options.streamsClient.getRecords({ ShardIterator: iterator, Limit: MAX_GET_RECORDS_LIMIT });
          trimmedReads = 0;
          iteratorErrors = 0;
          const records = output.Records.map((record) => toLambdaStreamRecord(record, this.options.streamArn));
          idle = processor.addRecords(records, this.now()) === 0;
          iterator = output.NextShardIterator ?? undefined;
          if (iterator === undefined) processor.markEnded();
        }
      } catch (error) {
        iterator = undefined;
        const trimmed = isStreamsError(error, STREAMS_ERRORS.trimmedDataAccess);
        if (trimmed || isStreamsError(error, STREAMS_ERRORS.expiredIterator)) {
          // Trimmed: DynamoDB Local fails the first read after a shard's first write with an iterator
          // taken before it; a second failure in a row means the position itself is trimmed.
          // Expired: iterators last 15 minutes (a long retry). Either way: a new iterator, at once.
          if (trimmed) trimmedReads += 1;
          iteratorErrors += 1;
          this.log(`shard ${shardId} ${(error as Error).name}: taking a new iterator`);
          if (iteratorErrors > 3) await sleep(this.errorBackoffMs, signal);
          continue;
        }
        this.log(`shard ${shardId} read failed, retrying: ${describeError(error)}`);
        await sleep(this.errorBackoffMs, signal);
        continue;
      }

      const step = processor.next(this.now());
      switch (step.kind) {
        case 'consumed':
          await this.saveCheckpoint(shardId, step.checkpoint, false);
          break;
        case 'discarded':
          this.log(`shard ${shardId} skip ${rangeOf(step.discarded.records)}: ${step.discarded.condition}`);
          if (await this.sendOnFailure(shardId, step.discarded)) await this.saveCheckpoint(shardId, step.checkpoint, false);
          else return;
          break;
        case 'invoke':
          if (!(await this.invokeBatch(shardId, processor, step.batch))) return;
          break;
        case 'finished':
          await this.saveCheckpoint(shardId, processor.checkpoint, true);
          this.finished.add(shardId);
          this.log(`shard ${shardId} closed and fully processed`);
          this.wakeDiscovery?.();
          return;
        case 'wait':
          if (idle) await sleep(Math.min(this.pollIntervalMs, (step.untilMs ?? Infinity) - this.now()), signal);
          break;
      }
    }
  }

  /**
   * AFTER_SEQUENCE_NUMBER of the last record read (the checkpoint, at first), TRIM_HORIZON without
   * one: a restarted poller never skips to LATEST. After two TrimmedDataAccessExceptions in a row
   * the position itself has left the stream (24 h retention): TRIM_HORIZON is the oldest left.
   */
  private async shardIterator(shardId: string, after: string | undefined, trimmedReads: number): Promise<string> {
    const base = { StreamArn: this.options.streamArn, ShardId: shardId };
    if (after === undefined) return this.options.streamsClient.getShardIterator({ ...base, ShardIteratorType: STARTING_POSITION });
    if (trimmedReads >= 2) {
      this.log(`shard ${shardId} position ${after} was trimmed from the stream: records after it may be lost; resuming at TRIM_HORIZON`);
      return this.options.streamsClient.getShardIterator({ ...base, ShardIteratorType: 'TRIM_HORIZON' });
    }
    return this.options.streamsClient.getShardIterator({ ...base, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after });
  }

  /** Returns false when the mapping stopped before the batch's consequences were recorded. */
  private async invokeBatch(shardId: string, processor: ShardProcessor, batch: StreamBatch): Promise<boolean> {
    const event: DynamoDBStreamEvent = { Records: batch.records.map((record) => record.record) };
    let result: InvokeResult;
    try {
      result = await this.options.invoker.invoke(this.options.functionName, event);
    } catch (error) {
      // The invocation was never made (the local Lambda service refused it): nothing counts against
      // the retry quota, as with Lambda's throttling; the records can still age out.
      processor.abandon(batch);
      this.log(`shard ${shardId} could not invoke ${this.options.functionName}: ${describeError(error)}`);
      await sleep(this.errorBackoffMs, this.abort.signal);
      return true;
    }
    const sequenceNumbers = batch.records.map((record) => record.sequenceNumber);
    const { outcome, response } = interpretInvokeResult(result, sequenceNumbers, this.options.reportBatchItemFailures ?? true);
    const completion = processor.complete(batch, outcome, response);
    this.log(invocationLine(shardId, batch, result, outcome.kind === 'partialFailure' ? outcome : undefined, completion, this.policy));
    if (completion.discarded !== undefined && !(await this.sendOnFailure(shardId, completion.discarded))) return false;
    if (completion.checkpoint !== undefined) await this.saveCheckpoint(shardId, completion.checkpoint, false);
    return true;
  }

  /**
   * Sends the skipped records' metadata, retrying until it is accepted: the checkpoint moves past
   * them only afterwards, so a crash in between re-sends rather than loses the report.
   */
  private async sendOnFailure(shardId: string, discarded: DiscardedRecords): Promise<boolean> {
    const record = buildOnFailureRecord(discarded, {
      streamArn: this.options.streamArn,
      shardId,
      functionArn: this.functionArn,
      requestId: randomUUID(),
      now: new Date(this.now()),
    });
    for (;;) {
      try {
        await this.options.sqsClient.send(
          new SendMessageCommand({ QueueUrl: this.options.onFailureQueueUrl, MessageBody: JSON.stringify(record) }),
        );
        return true;
      } catch (error) {
        this.log(`shard ${shardId} cannot send to the on-failure queue, retrying: ${describeError(error)}`);
        if (this.stopping) return false;
        await sleep(this.errorBackoffMs, this.abort.signal);
      }
    }
  }

  private async saveCheckpoint(shardId: string, sequenceNumber: string | undefined, shardEnded: boolean): Promise<void> {
    await this.store.save(
      { streamArn: this.options.streamArn, shardId, ...(sequenceNumber === undefined ? {} : { sequenceNumber }), shardEnded },
      new Date(this.now()),
    );
  }

  private log(message: string): void {
    this.options.log(`⇄ ${this.options.functionName} ${message}`);
  }
}

/**
 * `shard shardId-… batch=3 seq 21…25 error TypeError: boom 12 ms → bisect 2+1`: the mapping's view
 * of one invocation (the Lambda service logs the function's own line).
 */
function invocationLine(
  shardId: string,
  batch: StreamBatch,
  result: InvokeResult,
  partial: { failedSequenceNumber: string; reportedCount: number } | undefined,
  completion: BatchCompletion,
  policy: ShardPolicy,
): string {
  const outcome = (() => {
    switch (result.status) {
      case 'ok':
        return partial === undefined ? 'ok' : `ok, ${partial.reportedCount} reported failed from ${partial.failedSequenceNumber}`;
      case 'error':
        return `error ${result.errorType}: ${result.errorMessage}`;
      case 'timeout':
        return 'timeout';
      case 'crash':
        return `crash (${result.signal ?? `exit code ${result.exitCode ?? '-'}`})`;
    }
  })().replace(/\s*\n\s*/g, ' ');
  const retries = `${completion.failedAttempts}/${policy.retryAttempts}`;
  const decision = (() => {
    switch (completion.decision) {
      case 'checkpoint':
        return `checkpoint ${completion.checkpoint ?? '-'}`;
      case 'bisect':
        return `bisect ${completion.bisectedInto?.join('+') ?? ''}`;
      case 'retry':
        return `${completion.checkpoint === undefined ? '' : `checkpoint ${completion.checkpoint}, `}retry ${retries}`;
      case 'discard':
        return `out of retries (${policy.retryAttempts}): skip ${rangeOf(completion.discarded?.records ?? [])} to the on-failure queue`;
    }
  })();
  return `shard ${shardId} batch=${batch.records.length} ${rangeOf(batch.records)} ${outcome} ${result.durationMs} ms → ${decision}`;
}

function rangeOf(records: StreamBatch['records']): string {
  const first = records[0]?.sequenceNumber ?? '-';
  const last = records[records.length - 1]?.sequenceNumber ?? '-';
  return first === last ? `seq ${first}` : `seq ${first}…${last}`;
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Resolves after `ms`, or at once when the mapping stops. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
