import {
  ChangeMessageVisibilityBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { PeekRefusedError } from './ops-errors';

export interface PeekOptions {
  /** At most this many messages (SQS hands out 10 per receive). */
  readonly limit: number;
  /** What the messages' visibility is set back to: 0 on AWS (see `OpsTarget.releaseVisibilityTimeoutSeconds`). */
  readonly releaseVisibilityTimeoutSeconds: number;
  /** How long peeked messages stay hidden if this process dies before handing them back. */
  readonly holdSeconds?: number;
  /** Long poll of each receive: 1 s makes SQS sample every server, where a short poll may miss messages. */
  readonly waitTimeSeconds?: number;
}

export interface PeekResult {
  readonly messages: readonly Message[];
  /** Messages that could not be handed back at once; they reappear after `holdSeconds`. */
  readonly notReleased: number;
}

const DEFAULT_HOLD_SECONDS = 30;
const SQS_MAX_BATCH = 10;

/**
 * Reads messages without consuming them: receives (each receive hides the messages it returns, so
 * repeated receives never return one twice) until `limit` or an empty receive, then hands every
 * message back with ChangeMessageVisibility. A receive still increments `ApproximateReceiveCount`,
 * which is harmless only where no redrive policy counts it: a queue with one is refused.
 */
export async function peekMessages(sqs: SQSClient, queueUrl: string, options: PeekOptions): Promise<PeekResult> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['RedrivePolicy'] }));
  if (Attributes?.RedrivePolicy !== undefined && Attributes.RedrivePolicy !== '') throw new PeekRefusedError(queueUrl);

  const messages: Message[] = [];
  let notReleased = 0;
  try {
    while (messages.length < options.limit) {
      const { Messages: received = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(SQS_MAX_BATCH, options.limit - messages.length),
          VisibilityTimeout: options.holdSeconds ?? DEFAULT_HOLD_SECONDS,
          WaitTimeSeconds: options.waitTimeSeconds ?? 1,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
        }),
      );
      if (received.length === 0) break;
      messages.push(...received);
    }
  } finally {
    // Handed back even when a receive failed, so an error costs no one the hold period.
    notReleased = await release(sqs, queueUrl, messages, options.releaseVisibilityTimeoutSeconds);
  }
  return { messages, notReleased };
}

async function release(sqs: SQSClient, queueUrl: string, messages: readonly Message[], visibilityTimeout: number): Promise<number> {
  let notReleased = 0;
  for (let start = 0; start < messages.length; start += SQS_MAX_BATCH) {
    const chunk = messages.slice(start, start + SQS_MAX_BATCH);
    try {
      const { Failed = [] } = await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: chunk.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
            VisibilityTimeout: visibilityTimeout,
          })),
        }),
      );
      notReleased += Failed.length;
    } catch {
      // Not fatal: the hold period ends on its own; the caller reports the count.
      notReleased += chunk.length;
    }
  }
  return notReleased;
}
