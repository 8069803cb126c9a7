/**
 * Moving dead letters back to the queue they came from, without ever losing one.
 *
 * On AWS, SQS does it: `StartMessageMoveTask` from the DLQ's ARN to the source queue's ARN
 * (API_StartMessageMoveTask), polled with `ListMessageMoveTasks`. Where that API does not exist
 * (fauxqs answers `InvalidAction`) or cannot do what is asked (it moves everything; `maxMessages`
 * needs a count), the same is done by hand, one batch at a time, in an order that can only
 * duplicate: receive from the DLQ (the batch becomes invisible), send the same body and message
 * attributes to the source queue, and only then delete from the DLQ. A process killed between the
 * send and the delete leaves the message in both queues; it reappears in the DLQ when its
 * visibility timeout ends and the next redrive delivers it again, which the idempotent consumers
 * absorb. A send that fails leaves the message in the DLQ.
 */
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
  type Message,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { RedriveInterruptedError } from './ops-errors';
import { readQueueDepth, totalMessages } from './queue-depth';

export interface RedriveProgress {
  readonly moved: number;
  /** How many the redrive means to move, when known. */
  readonly total: number | undefined;
}

export interface RedriveOptions {
  readonly sqs: SQSClient;
  readonly deadLetterQueueUrl: string;
  readonly sourceQueueUrl: string;
  /**
   * At most this many messages. Default: as many as the DLQ held when the redrive started, so
   * messages that fail again and return while it runs are not chased round in a loop.
   */
  readonly maxMessages?: number;
  /** `auto` (default): SQS's message move task, by hand where it is missing; or always by hand. */
  readonly method?: 'auto' | 'receive-send-delete';
  /** How long a received batch stays hidden in the DLQ while it is sent (by hand). */
  readonly visibilityTimeoutSeconds?: number;
  readonly onProgress?: (progress: RedriveProgress) => void;
  /** Between two `ListMessageMoveTasks` polls. */
  readonly pollIntervalMs?: number;
  readonly sleep?: (milliseconds: number) => Promise<void>;
}

export interface MessageNotSent {
  readonly messageId: string;
  readonly code: string;
  readonly message: string;
}

export type RedriveResult =
  | {
      readonly method: 'message-move-task';
      readonly taskHandle: string;
      /** `COMPLETED`, `FAILED` or `CANCELLED`. */
      readonly status: string;
      readonly moved: number;
      readonly total: number | undefined;
      readonly failureReason: string | undefined;
    }
  | {
      readonly method: 'receive-send-delete';
      readonly moved: number;
      readonly total: number;
      /** Still in the DLQ (visible again after the visibility timeout): the send was refused. */
      readonly notSent: readonly MessageNotSent[];
      /** Sent, but the delete was refused: in both queues, so the next redrive duplicates them. */
      readonly sentNotDeleted: number;
      /** Why SQS's own move task was not used. */
      readonly reason: string;
    };

const SQS_MAX_BATCH = 10;
const DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 60;
const DEFAULT_POLL_INTERVAL_MS = 2_000;
/** The error codes of an SQS (or emulator) that lacks the message move task API. */
const UNSUPPORTED_CODES = new Set(['InvalidAction', 'UnsupportedOperation', 'AWS.SimpleQueueService.UnsupportedOperation']);
const MOVE_TASK_RUNNING = new Set(['RUNNING', 'CANCELLING']);

export async function redriveDeadLetters(options: RedriveOptions): Promise<RedriveResult> {
  if (options.method === 'receive-send-delete') return receiveSendDelete(options, 'asked for (--manual)');
  if (options.maxMessages !== undefined) {
    return receiveSendDelete(options, 'StartMessageMoveTask moves every message and cannot stop after --max');
  }
  const [sourceArn, destinationArn] = await Promise.all([
    queueArnOf(options.sqs, options.deadLetterQueueUrl),
    queueArnOf(options.sqs, options.sourceQueueUrl),
  ]);
  let taskHandle: string | undefined;
  try {
    ({ TaskHandle: taskHandle } = await options.sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: sourceArn, DestinationArn: destinationArn }),
    ));
  } catch (error) {
    if (!isUnsupported(error)) throw error;
    return receiveSendDelete(options, `StartMessageMoveTask is not supported here (${errorCode(error)})`);
  }
  return awaitMoveTask(options, sourceArn, taskHandle ?? '?');
}

/** Polls the task SQS runs until it ends, reporting its approximate progress. */
async function awaitMoveTask(options: RedriveOptions, sourceArn: string, taskHandle: string): Promise<RedriveResult> {
  const sleep = options.sleep ?? defaultSleep;
  for (;;) {
    const { Results = [] } = await options.sqs.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 1 }));
    // The most recent task comes first, and SQS runs one task per source queue at a time: ours.
    const task = Results[0];
    const moved = task?.ApproximateNumberOfMessagesMoved ?? 0;
    const total = task?.ApproximateNumberOfMessagesToMove;
    options.onProgress?.({ moved, total });
    if (task?.Status !== undefined && !MOVE_TASK_RUNNING.has(task.Status)) {
      return { method: 'message-move-task', taskHandle, status: task.Status, moved, total, failureReason: task.FailureReason };
    }
    await sleep(options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS);
  }
}

async function receiveSendDelete(options: RedriveOptions, reason: string): Promise<RedriveResult> {
  const { sqs, deadLetterQueueUrl, sourceQueueUrl } = options;
  const total = options.maxMessages ?? totalMessages(await readQueueDepth(sqs, deadLetterQueueUrl));
  const notSent: MessageNotSent[] = [];
  let moved = 0;
  let sentNotDeleted = 0;
  options.onProgress?.({ moved, total });

  while (moved + notSent.length < total) {
    const { Messages: batch = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: deadLetterQueueUrl,
        MaxNumberOfMessages: Math.min(SQS_MAX_BATCH, total - moved - notSent.length),
        VisibilityTimeout: options.visibilityTimeoutSeconds ?? DEFAULT_VISIBILITY_TIMEOUT_SECONDS,
        // A long poll asks every SQS server; a short one may answer empty while messages remain.
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    if (batch.length === 0) break;

    let sent: Message[];
    try {
      const outcome = await sendToSource(sqs, sourceQueueUrl, batch);
      sent = outcome.sent;
      notSent.push(...outcome.notSent);
    } catch (error) {
      // The send may have reached SQS before failing: those messages may be in both queues.
      throw new RedriveInterruptedError(moved, batch.length, { cause: error });
    }
    try {
      sentNotDeleted += await deleteFromDeadLetterQueue(sqs, deadLetterQueueUrl, sent);
    } catch (error) {
      throw new RedriveInterruptedError(moved, sent.length, { cause: error });
    }
    moved += sent.length;
    options.onProgress?.({ moved, total });
  }
  return { method: 'receive-send-delete', moved, total, notSent, sentNotDeleted, reason };
}

/** Same body, same message attributes, same trace header: the consumer cannot tell a redriven message apart. */
function toSendEntry(message: Message, id: string): SendMessageBatchRequestEntry {
  const traceHeader = message.Attributes?.AWSTraceHeader;
  return {
    Id: id,
    MessageBody: message.Body ?? '',
    MessageAttributes: message.MessageAttributes,
    ...(traceHeader === undefined ? {} : { MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: traceHeader } } }),
  };
}

async function sendToSource(
  sqs: SQSClient,
  queueUrl: string,
  batch: readonly Message[],
): Promise<{ sent: Message[]; notSent: MessageNotSent[] }> {
  const entries = batch.map((message, index) => toSendEntry(message, String(index)));
  try {
    const { Successful = [], Failed = [] } = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    const byId = (id: string | undefined): Message | undefined => batch[Number(id)];
    return {
      sent: Successful.map((entry) => byId(entry.Id)).filter((message) => message !== undefined),
      notSent: Failed.map((entry) => ({
        messageId: byId(entry.Id)?.MessageId ?? '?',
        code: entry.Code ?? 'Unknown',
        message: entry.Message ?? '',
      })),
    };
  } catch (error) {
    // A batch over the request size limit is refused whole, though each message fits on its own.
    if (errorCode(error) !== 'BatchRequestTooLong') throw error;
  }
  const sent: Message[] = [];
  const notSent: MessageNotSent[] = [];
  for (const [index, message] of batch.entries()) {
    const { Id: _id, ...single } = entries[index] ?? toSendEntry(message, String(index));
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, ...single }));
    sent.push(message);
  }
  return { sent, notSent };
}

/** Deletes what was sent; returns how many deletes SQS refused (those messages will come back). */
async function deleteFromDeadLetterQueue(sqs: SQSClient, queueUrl: string, sent: readonly Message[]): Promise<number> {
  if (sent.length === 0) return 0;
  const { Failed = [] } = await sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: sent.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
    }),
  );
  return Failed.length;
}

async function queueArnOf(sqs: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  const arn = Attributes?.QueueArn;
  if (arn === undefined) throw new Error(`Queue ${queueUrl} has no QueueArn`);
  return arn;
}

function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'Code' in error && typeof error.Code === 'string') return error.Code;
  return error instanceof Error ? error.name : String(error);
}

function isUnsupported(error: unknown): boolean {
  return UNSUPPORTED_CODES.has(errorCode(error)) || (error instanceof Error && UNSUPPORTED_CODES.has(error.name));
}

function defaultSleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
