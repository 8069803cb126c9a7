import type { FunctionResponse } from '../../../infra/local/runtime/stream-mapping/interpret-invoke-result';
import {
  ShardProcessor,
  shardPolicyOf,
  type ShardStep,
  type StreamBatch,
} from '../../../infra/local/runtime/stream-mapping/shard-processor';
import { sequenceNumber, streamRecord, streamSettings, type StreamRecordFixture } from './stream-fixtures';
import type { StreamRelaySettings } from '../../../src/common/settings';

const T0 = 1_767_225_600_000;
const OK: FunctionResponse = { statusCode: 200, executedVersion: '$LATEST', functionError: null };
const UNHANDLED: FunctionResponse = { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' };
const FAILURE = { kind: 'failure', reason: 'Error: boom' } as const;
const SUCCESS = { kind: 'success' } as const;

function processorWith(settings: Partial<StreamRelaySettings['stream']> = {}, checkpoint?: string): ShardProcessor {
  return new ShardProcessor(shardPolicyOf(streamSettings(settings), 1), checkpoint);
}

function add(processor: ShardProcessor, numbers: readonly number[], fixture: StreamRecordFixture = {}, nowMs = T0): void {
  processor.addRecords(
    numbers.map((n) => streamRecord(n, { createdAtSeconds: T0 / 1000, ...fixture })),
    nowMs,
  );
}

function expectInvoke(step: ShardStep): StreamBatch {
  expect(step.kind).toBe('invoke');
  return (step as Extract<ShardStep, { kind: 'invoke' }>).batch;
}

function numbersOf(batch: Pick<StreamBatch, 'records'>): number[] {
  return batch.records.map((record) => Number(record.sequenceNumber));
}

describe('ShardProcessor', () => {
  it('invokes with the records in shard order, at most BatchSize of them', () => {
    // Prepare
    const processor = processorWith({ batchSize: 3 });
    add(processor, [1, 2, 3, 4, 5]);

    // Act
    const batch = expectInvoke(processor.next(T0));

    // Assess
    expect(numbersOf(batch)).toEqual([1, 2, 3]);
    expect(batch.records[0]?.record.eventSourceARN).toMatch(/stream/);
  });

  it('waits for the batching window before invoking a batch that is not full', () => {
    // Prepare
    const processor = processorWith({ batchSize: 3, maxBatchingWindowSeconds: 2 });
    add(processor, [1, 2], {}, T0);

    // Act
    const early = processor.next(T0 + 1_999);
    const late = processor.next(T0 + 2_000);

    // Assess
    expect(early).toEqual({ kind: 'wait', untilMs: T0 + 2_000 });
    expect(numbersOf(expectInvoke(late))).toEqual([1, 2]);
  });

  it('invokes a full batch without waiting for the batching window', () => {
    // Prepare
    const processor = processorWith({ batchSize: 3, maxBatchingWindowSeconds: 60 });
    add(processor, [1, 2, 3]);

    // Act
    const step = processor.next(T0);

    // Assess
    expect(numbersOf(expectInvoke(step))).toEqual([1, 2, 3]);
  });

  it('consumes records the filter criteria reject without invoking the function', () => {
    // Prepare
    const processor = processorWith({ eventNames: ['INSERT'] });
    add(processor, [1, 2], { eventName: 'MODIFY' });
    add(processor, [3], { eventName: 'INSERT' });

    // Act
    const first = processor.next(T0);
    const second = processor.next(T0);

    // Assess
    expect(first).toEqual({ kind: 'consumed', checkpoint: sequenceNumber(2), count: 2 });
    expect(numbersOf(expectInvoke(second))).toEqual([3]);
  });

  it('moves the checkpoint past filtered records inside a successful batch', () => {
    // Prepare
    const processor = processorWith({ batchSize: 2 });
    add(processor, [1]);
    add(processor, [2], { eventName: 'REMOVE' });
    add(processor, [3]);
    const batch = expectInvoke(processor.next(T0));

    // Act
    const completion = processor.complete(batch, SUCCESS, OK);

    // Assess
    expect(numbersOf(batch)).toEqual([1, 3]);
    expect(completion).toEqual({ decision: 'checkpoint', checkpoint: sequenceNumber(3), failedAttempts: 0 });
  });

  it('checkpoints after the batch when the function succeeds', () => {
    // Prepare
    const processor = processorWith({ batchSize: 2 });
    add(processor, [1, 2, 3]);
    const batch = expectInvoke(processor.next(T0));

    // Act
    const completion = processor.complete(batch, SUCCESS, OK);

    // Assess
    expect(completion.checkpoint).toBe(sequenceNumber(2));
    expect(processor.checkpoint).toBe(sequenceNumber(2));
    expect(numbersOf(expectInvoke(processor.next(T0)))).toEqual([3]);
  });

  it('checkpoints just before the lowest reported sequence number and delivers the later records again', () => {
    // Prepare
    const processor = processorWith({ batchSize: 4, bisectBatchOnError: false });
    add(processor, [1, 2, 3, 4, 5, 6]);
    const batch = expectInvoke(processor.next(T0));

    // Act
    const completion = processor.complete(
      batch,
      { kind: 'partialFailure', failedSequenceNumber: sequenceNumber(2), reportedCount: 2 },
      OK,
    );
    const retried = expectInvoke(processor.next(T0));

    // Assess
    expect(completion).toEqual({ decision: 'retry', checkpoint: sequenceNumber(1), failedAttempts: 1 });
    // Without bisecting, Lambda re-reads from the checkpoint: later records of the batch come again, and more.
    expect(numbersOf(retried)).toEqual([2, 3, 4, 5]);
  });

  it('retries exactly the records from the lowest reported one when bisecting is on', () => {
    // Prepare
    const processor = processorWith({ batchSize: 4, bisectBatchOnError: true });
    add(processor, [1, 2, 3, 4, 5, 6]);
    const batch = expectInvoke(processor.next(T0));

    // Act
    processor.complete(batch, { kind: 'partialFailure', failedSequenceNumber: sequenceNumber(3), reportedCount: 1 }, OK);
    const retried = expectInvoke(processor.next(T0));

    // Assess
    expect(processor.checkpoint).toBe(sequenceNumber(2));
    expect(numbersOf(retried)).toEqual([3, 4]);
  });

  it('counts a partial failure against the retry quota', () => {
    // Prepare
    const processor = processorWith({ batchSize: 2, retryAttempts: 1 });
    add(processor, [1, 2]);
    const partial = { kind: 'partialFailure', failedSequenceNumber: sequenceNumber(2), reportedCount: 1 } as const;

    // Act
    processor.complete(expectInvoke(processor.next(T0)), partial, OK);
    const last = processor.complete(expectInvoke(processor.next(T0)), partial, OK);

    // Assess
    expect(last.decision).toBe('discard');
    expect(last.discarded?.condition).toBe('RetryAttemptsExhausted');
    expect(last.discarded?.records.map((record) => record.sequenceNumber)).toEqual([sequenceNumber(2)]);
    expect(last.checkpoint).toBe(sequenceNumber(2));
  });

  it('retries the same batch after a function error, even when more records arrived', () => {
    // Prepare
    const processor = processorWith({ batchSize: 3, bisectBatchOnError: false });
    add(processor, [1, 2]);
    const batch = expectInvoke(processor.next(T0));

    // Act
    const completion = processor.complete(batch, FAILURE, UNHANDLED);
    add(processor, [3]);
    const retried = expectInvoke(processor.next(T0));

    // Assess
    expect(completion).toEqual({ decision: 'retry', failedAttempts: 1 });
    expect(processor.checkpoint).toBeUndefined();
    expect(numbersOf(retried)).toEqual([1, 2]);
  });

  it('skips a batch once MaximumRetryAttempts retries have failed and reports RetryAttemptsExhausted', () => {
    // Prepare
    const processor = processorWith({ batchSize: 2, retryAttempts: 2 });
    add(processor, [1, 2, 3]);
    const decisions: string[] = [];

    // Act
    let completion = processor.complete(expectInvoke(processor.next(T0)), FAILURE, UNHANDLED);
    decisions.push(completion.decision);
    while (completion.decision === 'retry') {
      completion = processor.complete(expectInvoke(processor.next(T0)), FAILURE, UNHANDLED);
      decisions.push(completion.decision);
    }

    // Assess
    expect(decisions).toEqual(['retry', 'retry', 'discard']);
    expect(completion.discarded).toMatchObject({
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 3,
      response: UNHANDLED,
    });
    expect(completion.checkpoint).toBe(sequenceNumber(2));
    expect(numbersOf(expectInvoke(processor.next(T0)))).toEqual([3]);
  });

  it('bisects a failing batch and isolates a poison record without using the retry quota', () => {
    // Prepare
    const processor = processorWith({ batchSize: 4, retryAttempts: 1, bisectBatchOnError: true });
    add(processor, [1, 2, 3, 4]);
    const invoked: number[][] = [];
    const discarded: number[][] = [];

    // Act: the function fails whenever record 3 is in the batch.
    for (let step = processor.next(T0); step.kind === 'invoke'; step = processor.next(T0)) {
      invoked.push(numbersOf(step.batch));
      const poisoned = numbersOf(step.batch).includes(3);
      const completion = processor.complete(step.batch, poisoned ? FAILURE : SUCCESS, poisoned ? UNHANDLED : OK);
      if (completion.discarded !== undefined) discarded.push(numbersOf(completion.discarded));
    }

    // Assess
    expect(invoked).toEqual([[1, 2, 3, 4], [1, 2], [3, 4], [3], [3], [4]]);
    expect(discarded).toEqual([[3]]);
    expect(processor.checkpoint).toBe(sequenceNumber(4));
  });

  it('reports how many invocations carried a record that was skipped after bisecting', () => {
    // Prepare
    const processor = processorWith({ batchSize: 2, retryAttempts: 0, bisectBatchOnError: true });
    add(processor, [1, 2]);

    // Act: [1,2] fails and is bisected, [1] fails once and is out of retries.
    processor.complete(expectInvoke(processor.next(T0)), FAILURE, UNHANDLED);
    const completion = processor.complete(expectInvoke(processor.next(T0)), FAILURE, UNHANDLED);

    // Assess
    expect(completion.decision).toBe('discard');
    expect(completion.discarded?.approximateInvokeCount).toBe(2);
    expect(numbersOf(expectInvoke(processor.next(T0)))).toEqual([2]);
  });

  it('skips records older than MaximumRecordAgeInSeconds before invoking and reports MaximumRecordAgeExceeded', () => {
    // Prepare
    const processor = processorWith({ batchSize: 3, maxRecordAgeSeconds: 10 });
    add(processor, [1, 2], {}, T0);
    add(processor, [3], { createdAtSeconds: (T0 + 5_000) / 1000 }, T0 + 5_000);

    // Act
    const step = processor.next(T0 + 10_001);
    const after = processor.next(T0 + 10_001);

    // Assess
    expect(step).toMatchObject({
      kind: 'discarded',
      checkpoint: sequenceNumber(2),
      discarded: { condition: 'MaximumRecordAgeExceeded', approximateInvokeCount: 0, response: undefined },
    });
    expect(numbersOf(expectInvoke(after))).toEqual([3]);
  });

  it('skips a retried batch whose records grew too old between retries', () => {
    // Prepare
    const processor = processorWith({ batchSize: 2, maxRecordAgeSeconds: 10, retryAttempts: -1 });
    add(processor, [1, 2]);
    processor.complete(expectInvoke(processor.next(T0)), FAILURE, UNHANDLED);

    // Act
    const step = processor.next(T0 + 10_001);

    // Assess
    expect(step).toMatchObject({
      kind: 'discarded',
      discarded: { condition: 'MaximumRecordAgeExceeded', approximateInvokeCount: 1, response: UNHANDLED },
    });
    expect(processor.checkpoint).toBe(sequenceNumber(2));
  });

  it('measures the age of a record it reads at once from its first read, not the minute-truncated creation time', () => {
    // Prepare: DynamoDB Local says the record was written at the start of the minute, 50 s ago.
    const processor = processorWith({ maxRecordAgeSeconds: 10 });
    add(processor, [1], { createdAtSeconds: (T0 - 50_000) / 1000 }, T0);

    // Act
    const step = processor.next(T0 + 9_000);

    // Assess
    expect(step.kind).toBe('invoke');
  });

  it('measures the age of a record it reads late from its creation minute', () => {
    // Prepare: written in the minute that began 5 min ago, read only now (after a restart).
    const processor = processorWith({ maxRecordAgeSeconds: 120 });
    add(processor, [1], { createdAtSeconds: (T0 - 300_000) / 1000 }, T0);

    // Act
    const step = processor.next(T0);

    // Assess
    expect(step).toMatchObject({ kind: 'discarded', discarded: { condition: 'MaximumRecordAgeExceeded' } });
  });

  it('finishes a closed shard once every record is consumed, and not before', () => {
    // Prepare
    const processor = processorWith({ batchSize: 10, maxBatchingWindowSeconds: 60 });
    add(processor, [1]);
    processor.markEnded();

    // Act: a closed shard does not wait for the batching window.
    const batch = expectInvoke(processor.next(T0));
    processor.complete(batch, SUCCESS, OK);
    const step = processor.next(T0);

    // Assess
    expect(step).toEqual({ kind: 'finished' });
    expect(processor.wantsRecords()).toBe(false);
  });

  it('drops records at or before the last one read, which a new iterator may return again', () => {
    // Prepare
    const processor = processorWith({ batchSize: 10 });
    add(processor, [1, 2]);

    // Act
    const added = processor.addRecords([streamRecord(2), streamRecord(3)], T0);

    // Assess
    expect(added).toBe(1);
    expect(processor.resumeAfter).toBe(sequenceNumber(3));
    expect(numbersOf(expectInvoke(processor.next(T0)))).toEqual([1, 2, 3]);
  });

  it('resumes after the checkpoint it starts from', () => {
    // Prepare
    const processor = processorWith({}, sequenceNumber(7));

    // Act
    const added = processor.addRecords([streamRecord(6), streamRecord(7), streamRecord(8)], T0);

    // Assess
    expect(processor.resumeAfter).toBe(sequenceNumber(8));
    expect(added).toBe(1);
  });

  it('offers the same batch again after an invocation that could not be made, counting nothing', () => {
    // Prepare
    const processor = processorWith({ batchSize: 2, retryAttempts: 0 });
    add(processor, [1, 2]);
    const batch = expectInvoke(processor.next(T0));

    // Act
    processor.abandon(batch);
    const again = expectInvoke(processor.next(T0));

    // Assess
    expect(numbersOf(again)).toEqual([1, 2]);
    expect(again.records.map((record) => record.failedAttempts)).toEqual([0, 0]);
  });

  it('stops asking for records once a full batch is buffered', () => {
    // Prepare
    const processor = processorWith({ batchSize: 2 });

    // Act
    add(processor, [1]);
    const wantsAfterOne = processor.wantsRecords();
    add(processor, [2]);
    const wantsAfterTwo = processor.wantsRecords();

    // Assess
    expect(wantsAfterOne).toBe(true);
    expect(wantsAfterTwo).toBe(false);
  });
});

describe('shardPolicyOf', () => {
  it('scales the batching window and the maximum record age, not the retry count', () => {
    // Prepare
    const settings = streamSettings({ maxBatchingWindowSeconds: 5, maxRecordAgeSeconds: 600, retryAttempts: 10 });

    // Act
    const policy = shardPolicyOf(settings, 0.1);

    // Assess
    expect(policy.batchingWindowMs).toBeCloseTo(500);
    expect(policy.maxRecordAgeMs).toBeCloseTo(60_000);
    expect(policy.retryAttempts).toBe(10);
  });

  it('reads -1 as no limit, as Lambda does', () => {
    // Prepare
    const settings = streamSettings({ maxRecordAgeSeconds: -1, retryAttempts: -1 });

    // Act
    const policy = shardPolicyOf(settings, 0.1);

    // Assess
    expect(policy.maxRecordAgeMs).toBe(Infinity);
    expect(policy.retryAttempts).toBe(Infinity);
  });
});
