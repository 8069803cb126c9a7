/**
 * The decisions of a DynamoDB Streams event source mapping for one shard, without any I/O: which
 * records form the next batch, where the checkpoint moves after an invocation, when a batch is
 * retried, bisected or given up on. The poller (stream-mapping.ts) feeds it records and invocation
 * outcomes and carries out what it decides; time comes in as arguments, so tests drive it exactly.
 *
 * AWS behaviours (lambda/latest/dg/services-ddb-params.html, services-dynamodb-errors.html,
 * services-ddb-batchfailurereporting.html):
 * - the shard is read in order, one batch at a time (ParallelizationFactor 1);
 * - filter criteria drop records before invocation, and dropped records are consumed;
 * - success checkpoints past the batch; a reported failure checkpoints just before the lowest
 *   reported sequence number and processing resumes there, so later records come again;
 * - a failed batch is retried (the same records) until MaximumRetryAttempts; with
 *   BisectBatchOnFunctionError it is split in two first, which does not use up the retry quota, and
 *   a partial failure cuts the batch at the reported record instead;
 * - records over MaximumRecordAgeInSeconds and records out of retries are skipped, and their
 *   metadata goes to the on-failure destination.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import type { StreamRelaySettings } from '../../../../src/common/settings';
import type { BatchOutcome, FunctionResponse } from './interpret-invoke-result';

export interface ShardPolicy {
  readonly batchSize: number;
  /** MaximumBatchingWindowInSeconds, scaled, in ms. */
  readonly batchingWindowMs: number;
  /** MaximumRecordAgeInSeconds, scaled, in ms; `Infinity` for AWS's -1. */
  readonly maxRecordAgeMs: number;
  /** MaximumRetryAttempts; `Infinity` for AWS's -1. */
  readonly retryAttempts: number;
  readonly bisectBatchOnError: boolean;
  /** The filter criteria: the `eventName`s that reach the function. */
  readonly eventNames: ReadonlySet<string>;
}

/** The mapping's settings as the shard processor applies them; durations scaled for local runs. */
export function shardPolicyOf(stream: StreamRelaySettings['stream'], timeScale: number): ShardPolicy {
  return {
    batchSize: stream.batchSize,
    batchingWindowMs: stream.maxBatchingWindowSeconds * timeScale * 1000,
    maxRecordAgeMs: stream.maxRecordAgeSeconds === -1 ? Infinity : stream.maxRecordAgeSeconds * timeScale * 1000,
    retryAttempts: stream.retryAttempts === -1 ? Infinity : stream.retryAttempts,
    bisectBatchOnError: stream.bisectBatchOnError,
    eventNames: new Set(stream.eventNames),
  };
}

/**
 * DynamoDB Local truncates `ApproximateCreationDateTime` to the minute, so a record's creation
 * time is only known to lie in [that minute, that minute + 60 s), and no later than when the poller
 * first read it. The age counts from the latest possible creation time: it never overstates the
 * true age (no record is skipped early); it understates it by at most 60 s, and only for records
 * the poller reads late (after a restart). While the poller keeps up it is exact to a poll interval.
 */
const CREATION_TIME_RESOLUTION_MS = 60_000;

export interface BatchRecord {
  readonly record: DynamoDBRecord;
  readonly sequenceNumber: string;
  readonly position: bigint;
  readonly matchesFilter: boolean;
  readonly firstSeenAtMs: number;
  /** The latest time the record can have been written (see CREATION_TIME_RESOLUTION_MS). */
  readonly createdNoLaterThanMs: number;
  /** Invocations that carried this record. */
  readonly invocations: number;
  /** Failed invocations that count against MaximumRetryAttempts. */
  readonly failedAttempts: number;
  readonly lastResponse: FunctionResponse | undefined;
}

interface BufferedRecord extends BatchRecord {
  invocations: number;
  failedAttempts: number;
  lastResponse: FunctionResponse | undefined;
}

export interface StreamBatch {
  readonly records: readonly BatchRecord[];
}

export type DiscardCondition = 'RetryAttemptsExhausted' | 'MaximumRecordAgeExceeded';

/** Records skipped without success: the poller sends their metadata to the on-failure destination. */
export interface DiscardedRecords {
  readonly condition: DiscardCondition;
  readonly records: readonly BatchRecord[];
  readonly approximateInvokeCount: number;
  /** The last invocation's response; undefined if the records were never sent to the function. */
  readonly response: FunctionResponse | undefined;
}

export type ShardStep =
  /** Filtered-out records were consumed: persist the checkpoint. */
  | { readonly kind: 'consumed'; readonly checkpoint: string; readonly count: number }
  | { readonly kind: 'invoke'; readonly batch: StreamBatch }
  /** Records were skipped: report them, then persist the checkpoint. */
  | { readonly kind: 'discarded'; readonly discarded: DiscardedRecords; readonly checkpoint: string }
  /** Nothing to invoke yet: read more records, or wait until `untilMs` (the batching window's end). */
  | { readonly kind: 'wait'; readonly untilMs: number | undefined }
  /** The shard is closed and every record is consumed: its children may start. */
  | { readonly kind: 'finished' };

export type BatchDecision = 'checkpoint' | 'retry' | 'bisect' | 'discard';

export interface BatchCompletion {
  readonly decision: BatchDecision;
  /** Set when the checkpoint moved: persist it (after reporting `discarded`, if any). */
  readonly checkpoint?: string;
  readonly discarded?: DiscardedRecords;
  /** Sizes of the two halves when the batch was bisected. */
  readonly bisectedInto?: readonly [number, number];
  /** Failed attempts so far of the records that will be retried (for the retry log). */
  readonly failedAttempts: number;
}

export class ShardProcessor {
  /** Records read and not yet consumed, in shard order; the first follows the checkpoint. */
  private buffer: BufferedRecord[] = [];
  /** Exact batches to invoke before forming new ones: a retried batch, or the halves of a bisected one. */
  private pinned: BufferedRecord[][] = [];
  private ended = false;
  private checkpointSequence: string | undefined;
  private lastRead: { sequenceNumber: string; position: bigint } | undefined;
  private inFlight: StreamBatch | undefined;

  constructor(
    private readonly policy: ShardPolicy,
    checkpoint?: string,
  ) {
    this.checkpointSequence = checkpoint;
    if (checkpoint !== undefined) this.lastRead = { sequenceNumber: checkpoint, position: positionOf(checkpoint) };
  }

  /** The last consumed sequence number; a restarted poller resumes after it. */
  get checkpoint(): string | undefined {
    return this.checkpointSequence;
  }

  /**
   * Where a new shard iterator must start (AFTER_SEQUENCE_NUMBER) so that no buffered record is read
   * twice and none is missed; undefined means TRIM_HORIZON.
   */
  get resumeAfter(): string | undefined {
    return this.lastRead?.sequenceNumber;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Whether reading more records could change the next batch (the buffer holds less than a batch). */
  wantsRecords(): boolean {
    return !this.ended && this.buffer.filter((record) => record.matchesFilter).length < this.policy.batchSize;
  }

  /**
   * Appends records read from the shard. Records at or before the last one read are dropped: a
   * re-acquired iterator (expired, or a TRIM_HORIZON fallback) may return them again.
   */
  addRecords(records: readonly DynamoDBRecord[], nowMs: number): number {
    let added = 0;
    for (const record of records) {
      const sequenceNumber = record.dynamodb?.SequenceNumber;
      if (sequenceNumber === undefined) throw new Error(`Stream record ${record.eventID ?? '?'} has no SequenceNumber`);
      const position = positionOf(sequenceNumber);
      if (this.lastRead !== undefined && position <= this.lastRead.position) continue;
      const createdAtSeconds = record.dynamodb?.ApproximateCreationDateTime;
      this.buffer.push({
        record,
        sequenceNumber,
        position,
        matchesFilter: record.eventName !== undefined && this.policy.eventNames.has(record.eventName),
        firstSeenAtMs: nowMs,
        createdNoLaterThanMs:
          createdAtSeconds === undefined ? nowMs : Math.min(nowMs, createdAtSeconds * 1000 + CREATION_TIME_RESOLUTION_MS),
        invocations: 0,
        failedAttempts: 0,
        lastResponse: undefined,
      });
      this.lastRead = { sequenceNumber, position };
      added += 1;
    }
    return added;
  }

  /** GetRecords returned no next iterator: the shard is closed and read to its end. */
  markEnded(): void {
    this.ended = true;
  }

  next(nowMs: number): ShardStep {
    if (this.inFlight !== undefined) throw new Error('A batch is in flight: complete it before asking for the next step');
    let batch: BufferedRecord[];
    const retried = this.pinned[0];
    if (retried !== undefined) {
      batch = retried;
    } else {
      const leadingFiltered = this.buffer.findIndex((record) => record.matchesFilter);
      const consumedCount = leadingFiltered === -1 ? this.buffer.length : leadingFiltered;
      if (consumedCount > 0) {
        const last = this.buffer[consumedCount - 1] as BufferedRecord;
        this.consumeThrough(last);
        return { kind: 'consumed', checkpoint: last.sequenceNumber, count: consumedCount };
      }
      const matching = this.buffer.filter((record) => record.matchesFilter);
      const first = matching[0];
      if (first === undefined) return this.ended ? { kind: 'finished' } : { kind: 'wait', untilMs: undefined };
      const windowEndsAtMs = first.firstSeenAtMs + this.policy.batchingWindowMs;
      const ready = matching.length >= this.policy.batchSize || this.ended || nowMs >= windowEndsAtMs;
      if (!ready) return { kind: 'wait', untilMs: windowEndsAtMs };
      batch = matching.slice(0, this.policy.batchSize);
    }

    const expiredCount = countWhile(batch, (record) => nowMs - record.createdNoLaterThanMs > this.policy.maxRecordAgeMs);
    if (expiredCount > 0) {
      const expired = batch.slice(0, expiredCount);
      const discarded = this.discard('MaximumRecordAgeExceeded', expired);
      return { kind: 'discarded', discarded, checkpoint: this.checkpointSequence as string };
    }
    this.inFlight = { records: batch };
    return { kind: 'invoke', batch: this.inFlight };
  }

  /** Applies the outcome of invoking `batch` (the one `next` returned). */
  complete(batch: StreamBatch, outcome: BatchOutcome, response: FunctionResponse): BatchCompletion {
    if (batch !== this.inFlight) throw new Error('complete() must be given the batch in flight');
    this.inFlight = undefined;
    const records = batch.records as BufferedRecord[];
    for (const record of records) {
      record.invocations += 1;
      record.lastResponse = response;
    }
    const wasPinned = this.pinned[0] === records;

    switch (outcome.kind) {
      case 'success': {
        this.consumeThrough(records[records.length - 1] as BufferedRecord);
        return { decision: 'checkpoint', checkpoint: this.checkpointSequence, failedAttempts: 0 };
      }
      case 'partialFailure': {
        const failedAt = records.findIndex((record) => record.sequenceNumber === outcome.failedSequenceNumber);
        if (failedAt === -1) throw new Error(`Sequence number ${outcome.failedSequenceNumber} is not in the batch`);
        const before = this.checkpointSequence;
        // Everything before the lowest reported record succeeded, interleaved filtered records included.
        const preceding = this.buffer.filter((record) => record.position < (records[failedAt] as BufferedRecord).position);
        const lastPreceding = preceding[preceding.length - 1];
        if (lastPreceding !== undefined) this.consumeThrough(lastPreceding);
        const remaining = records.slice(failedAt);
        return this.retryOrDiscard(remaining, before, () => {
          if (this.policy.bisectBatchOnError) {
            // Bisect at the reported record: exactly the remaining records are retried.
            this.replaceHead(wasPinned && this.pinned[0] !== undefined, [remaining]);
          } else if (wasPinned) {
            // Without bisecting, Lambda re-reads from the new checkpoint and forms a batch as usual.
            this.pinned.shift();
          }
        });
      }
      case 'failure': {
        if (this.policy.bisectBatchOnError && records.length > 1) {
          const half = Math.ceil(records.length / 2);
          const halves: [BufferedRecord[], BufferedRecord[]] = [records.slice(0, half), records.slice(half)];
          this.replaceHead(wasPinned, halves);
          return {
            decision: 'bisect',
            bisectedInto: [halves[0].length, halves[1].length],
            failedAttempts: Math.max(...records.map((record) => record.failedAttempts)),
          };
        }
        return this.retryOrDiscard(records, this.checkpointSequence, () => {
          if (!wasPinned) this.pinned.unshift(records);
        });
      }
    }
  }

  /** The invocation could not be made at all: nothing changes, and `next` offers the same batch again. */
  abandon(batch: StreamBatch): void {
    if (batch !== this.inFlight) throw new Error('abandon() must be given the batch in flight');
    this.inFlight = undefined;
  }

  /** Counts a failed attempt against `records`; skips them once they are out of retries. */
  private retryOrDiscard(records: BufferedRecord[], checkpointBefore: string | undefined, retry: () => void): BatchCompletion {
    for (const record of records) record.failedAttempts += 1;
    const failedAttempts = Math.max(...records.map((record) => record.failedAttempts));
    if (failedAttempts > this.policy.retryAttempts) {
      const discarded = this.discard('RetryAttemptsExhausted', records);
      return { decision: 'discard', checkpoint: this.checkpointSequence, discarded, failedAttempts };
    }
    retry();
    const moved = this.checkpointSequence !== checkpointBefore;
    return { decision: 'retry', ...(moved ? { checkpoint: this.checkpointSequence } : {}), failedAttempts };
  }

  private discard(condition: DiscardCondition, records: BufferedRecord[]): DiscardedRecords {
    const mostInvoked = records.reduce((most, record) => (record.invocations > most.invocations ? record : most));
    const discarded: DiscardedRecords = {
      condition,
      records: [...records],
      approximateInvokeCount: mostInvoked.invocations,
      response: mostInvoked.lastResponse,
    };
    this.consumeThrough(records[records.length - 1] as BufferedRecord);
    return discarded;
  }

  /** Puts `batches` first in the queue of exact batches, in place of the head if it was the one run. */
  private replaceHead(replace: boolean, batches: BufferedRecord[][]): void {
    this.pinned.splice(0, replace ? 1 : 0, ...batches);
  }

  /** Moves the checkpoint to `record` and forgets everything up to it, in the buffer and in pinned batches. */
  private consumeThrough(record: BufferedRecord): void {
    this.checkpointSequence = record.sequenceNumber;
    this.buffer = this.buffer.filter((buffered) => buffered.position > record.position);
    this.pinned = this.pinned
      .map((batch) => batch.filter((buffered) => buffered.position > record.position))
      .filter((batch) => batch.length > 0);
  }
}

/** Sequence numbers are decimal strings of varying length: compare them as numbers. */
export function positionOf(sequenceNumber: string): bigint {
  if (!/^\d+$/.test(sequenceNumber)) throw new Error(`Not a stream sequence number: ${sequenceNumber}`);
  return BigInt(sequenceNumber);
}

function countWhile<T>(items: readonly T[], predicate: (item: T) => boolean): number {
  const index = items.findIndex((item) => !predicate(item));
  return index === -1 ? items.length : index;
}
