/**
 * The SQS event source mapping, as Lambda runs one: pollers long-poll the queue, gather a batch
 * (up to `batchSize`, waiting up to the batching window), invoke the function synchronously and
 * delete what succeeded. Nothing else touches the messages: a failed batch is not deleted and
 * reappears after the queue's visibility timeout; the queue's redrive policy moves a message to its
 * DLQ after `maxReceiveCount` receives.
 * (docs: lambda/latest/dg/services-sqs-configure.html, services-sqs-scaling.html,
 * services-sqs-errorhandling.html)
 */
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import type { LambdaInvoker } from './lambda-invoker';
import { settleBatch, toSqsRecord, traceHeadersOf, type BatchSettlement } from './sqs-event';

/** ReceiveMessage's own limits. */
const MAX_MESSAGES_PER_RECEIVE = 10;
export const LONG_POLL_SECONDS = 20;
const MAX_ENTRIES_PER_DELETE = 10;
/** Lambda invokes before a batch exceeds the 6 MB synchronous payload limit. */
const MAX_BATCH_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** SQS's largest message (1 MiB since 2025): once a batch is this close to the limit, it is invoked. */
const MAX_MESSAGE_BYTES = 1024 * 1024;
/** Within a sub-second batching window, empty short polls are spaced by this much. */
const WINDOW_POLL_INTERVAL_MS = 20;
/** After a failed ReceiveMessage (emulator restarting), the poller waits this long before retrying. */
const RECEIVE_RETRY_DELAY_MS = 1_000;

export interface SqsMappingOptions {
  readonly functionName: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly batchSize: number;
  /** The batching window this runtime applies (already scaled for local runs). */
  readonly maxBatchingWindowMs: number;
  /** Most batches in flight at once (`ScalingConfig.MaximumConcurrency`). */
  readonly maxConcurrency: number;
  /** `FunctionResponseTypes: ['ReportBatchItemFailures']`. */
  readonly reportBatchItemFailures: boolean;
  /** The function's timeout, checked against the queue's visibility timeout as Lambda does. */
  readonly functionTimeoutSeconds: number;
  readonly region: string;
  readonly sqs: SQSClient;
  readonly invoker: LambdaInvoker;
  /** Where anomalies are reported (invalid batch responses, failed deletes); default: stderr. */
  readonly log?: (line: string) => void;
  /**
   * Standard queues are at-least-once: AWS may deliver a message again although its batch
   * succeeded. With a rate above 0 (`LOCAL_SQS_DUPLICATE_RATE`), a message that succeeded on its
   * first receive is left undeleted with this probability, so it comes back after the visibility
   * timeout as an AWS duplicate does: same messageId, ApproximateReceiveCount 2. Default 0.
   */
  readonly duplicateDeliveryRate?: number;
  /** Numbers in [0, 1) that decide the duplicates; `Math.random` by default. */
  readonly random?: () => number;
}

/** Lambda refuses a mapping whose function could still run when its messages become visible again. */
export class VisibilityTimeoutTooShortError extends Error {
  constructor(queueArn: string, visibilityTimeoutSeconds: number, functionTimeoutSeconds: number) {
    super(
      `Queue visibility timeout (${visibilityTimeoutSeconds} s) of ${queueArn} is less than the function timeout ` +
        `(${functionTimeoutSeconds} s): Lambda refuses this event source mapping`,
    );
    this.name = 'VisibilityTimeoutTooShortError';
  }
}

function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

function messageBytes(message: Message): number {
  return Buffer.byteLength(message.Body ?? '');
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let index = 0; index < items.length; index += size) chunks.push(items.slice(index, index + size));
  return chunks;
}

export class SqsEventSourceMapping {
  private running = true;
  private readonly abortController = new AbortController();
  private readonly pollers = new Set<Promise<void>>();
  /** Counted synchronously, so two pollers that find the queue empty together cannot both leave. */
  private activePollers = 0;
  private inFlight = 0;
  private readonly log: (line: string) => void;

  private constructor(private readonly options: SqsMappingOptions) {
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  }

  /** Validates the mapping as Lambda does on creation, then starts one poller; more join under load. */
  static async start(options: SqsMappingOptions): Promise<SqsEventSourceMapping> {
    if (options.batchSize < 1 || options.maxConcurrency < 1) {
      throw new RangeError('batchSize and maxConcurrency must be at least 1');
    }
    const duplicateRate = options.duplicateDeliveryRate ?? 0;
    if (!(duplicateRate >= 0 && duplicateRate <= 1)) {
      throw new RangeError(`duplicateDeliveryRate must be in [0, 1], got ${duplicateRate}`);
    }
    const { Attributes } = await options.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: options.queueUrl, AttributeNames: ['VisibilityTimeout'] }),
    );
    const visibilityTimeoutSeconds = Number(Attributes?.VisibilityTimeout ?? 30);
    if (visibilityTimeoutSeconds < options.functionTimeoutSeconds) {
      throw new VisibilityTimeoutTooShortError(options.queueArn, visibilityTimeoutSeconds, options.functionTimeoutSeconds);
    }
    const mapping = new SqsEventSourceMapping(options);
    mapping.addPoller();
    return mapping;
  }

  /** Pollers currently running (each has at most one batch in flight). */
  get pollerCount(): number {
    return this.activePollers;
  }

  /** Batches received and not yet settled. */
  get batchesInFlight(): number {
    return this.inFlight;
  }

  /**
   * Stops receiving and waits for the batches in flight to settle (their invocations run to the
   * end and their messages are deleted or left to reappear, as always).
   */
  async stop(): Promise<void> {
    this.running = false;
    this.abortController.abort();
    while (this.pollers.size > 0) await Promise.allSettled([...this.pollers]);
  }

  private addPoller(): void {
    this.activePollers += 1;
    const poller = this.poll().finally(() => this.pollers.delete(poller));
    this.pollers.add(poller);
  }

  /**
   * One poller: receive a batch, invoke, settle, repeat. Lambda scales pollers with the backlog:
   * a poller that finds messages brings in another (up to the maximum concurrency), and a poller
   * that finds the queue empty leaves, unless it is the last one.
   */
  private async poll(): Promise<void> {
    try {
      while (this.running) {
        let batch: Message[];
        try {
          batch = await this.receiveBatch();
        } catch (error) {
          if (!this.running) return;
          this.log(`SQS mapping ${this.options.functionName}: ReceiveMessage failed (${String(error)}); retrying`);
          await new Promise((resolve) => setTimeout(resolve, RECEIVE_RETRY_DELAY_MS));
          continue;
        }
        if (batch.length === 0) {
          // `finally` gives up the place before any other poller can look at the count.
          if (this.activePollers > 1) return;
          continue;
        }
        if (this.running && this.activePollers < this.options.maxConcurrency) this.addPoller();
        this.inFlight += 1;
        try {
          await this.processBatch(batch);
        } catch (error) {
          // Nothing was deleted: the batch reappears after the visibility timeout.
          this.log(`SQS mapping ${this.options.functionName}: batch not processed (${String(error)})`);
        } finally {
          this.inFlight -= 1;
        }
      }
    } finally {
      this.activePollers -= 1;
    }
  }

  private async receive(maxMessages: number, waitTimeSeconds: number): Promise<Message[]> {
    const { Messages } = await this.options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.options.queueUrl,
        MaxNumberOfMessages: Math.min(maxMessages, MAX_MESSAGES_PER_RECEIVE),
        WaitTimeSeconds: waitTimeSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: this.abortController.signal },
    );
    return Messages ?? [];
  }

  /**
   * Long-polls until messages arrive, then keeps receiving until the batch is full, the batching
   * window (counted from the first message) has passed, or the batch nears the payload limit.
   */
  private async receiveBatch(): Promise<Message[]> {
    const { batchSize, maxBatchingWindowMs } = this.options;
    const batch = await this.receive(batchSize, LONG_POLL_SECONDS);
    if (batch.length === 0) return batch;
    const windowEndsAt = performance.now() + maxBatchingWindowMs;
    let bytes = batch.reduce((total, message) => total + messageBytes(message), 0);
    while (this.running && batch.length < batchSize && bytes <= MAX_BATCH_PAYLOAD_BYTES - MAX_MESSAGE_BYTES) {
      const remainingMs = windowEndsAt - performance.now();
      if (remainingMs <= 0) break;
      // WaitTimeSeconds is whole seconds: below one second, short polls spaced a little apart.
      const waitTimeSeconds = Math.floor(remainingMs / 1000);
      let received: Message[];
      try {
        received = await this.receive(batchSize - batch.length, waitTimeSeconds);
      } catch (error) {
        // Stopping: the messages already received are still processed.
        if (isAbortError(error)) break;
        throw error;
      }
      batch.push(...received);
      bytes += received.reduce((total, message) => total + messageBytes(message), 0);
      if (received.length === 0 && waitTimeSeconds === 0) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(remainingMs, WINDOW_POLL_INTERVAL_MS)));
      }
    }
    return batch;
  }

  private async processBatch(batch: readonly Message[]): Promise<void> {
    const { functionName, queueArn, region, reportBatchItemFailures } = this.options;
    const event: SQSEvent = {
      Records: batch.map((message) => toSqsRecord(message, { eventSourceARN: queueArn, awsRegion: region })),
    };
    // A new trace per invocation, linked to the traces the messages came from (traceHeadersOf).
    const result = await this.options.invoker.invoke(functionName, event, { linkedTraceHeaders: traceHeadersOf(event.Records) });
    const messageIds = new Set(event.Records.map((record) => record.messageId));
    const settlement = settleBatch(result, messageIds, reportBatchItemFailures);
    if (settlement.kind === 'failure' && result.status === 'ok') {
      // The invocation line says "ok"; say why the batch still counts as failed.
      this.log(`SQS mapping ${functionName}: whole batch of ${batch.length} returns to the queue: ${settlement.reason}`);
    }
    await this.deleteSettled(event, settlement);
  }

  private async deleteSettled(event: SQSEvent, settlement: BatchSettlement): Promise<void> {
    if (settlement.kind === 'failure') return;
    const succeeded = event.Records.filter(
      (record) => settlement.kind === 'success' || !settlement.failedMessageIds.has(record.messageId),
    );
    const toDelete = succeeded.filter((record) => !this.deliverAgain(record));
    for (const records of chunk(toDelete, MAX_ENTRIES_PER_DELETE)) {
      try {
        const { Failed } = await this.options.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: this.options.queueUrl,
            Entries: records.map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle })),
          }),
        );
        // A message that could not be deleted is delivered again after its visibility timeout.
        for (const failure of Failed ?? []) {
          const record = records[Number(failure.Id)];
          this.log(
            `SQS mapping ${this.options.functionName}: delete of ${record?.messageId ?? failure.Id} failed ` +
              `(${failure.Code ?? 'unknown'}: ${failure.Message ?? ''}); it will be delivered again`,
          );
        }
      } catch (error) {
        this.log(
          `SQS mapping ${this.options.functionName}: DeleteMessageBatch failed (${String(error)}); ` +
            `${records.length} processed messages will be delivered again`,
        );
      }
    }
  }

  /** Whether a processed message is left in the queue to play an at-least-once duplicate (once at most). */
  private deliverAgain(record: SQSEvent['Records'][number]): boolean {
    const rate = this.options.duplicateDeliveryRate ?? 0;
    if (rate === 0 || record.attributes.ApproximateReceiveCount !== '1') return false;
    if ((this.options.random ?? Math.random)() >= rate) return false;
    this.log(
      `SQS mapping ${this.options.functionName}: ${record.messageId} processed and left in the queue: ` +
        'it will be delivered again as an at-least-once duplicate (LOCAL_SQS_DUPLICATE_RATE)',
    );
    return true;
  }
}
