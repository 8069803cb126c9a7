import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { inspectFauxqsQueue } from './fauxqs-inspection';
import type { QueueRef } from './ops-target';
import { peekMessages } from './peek-messages';
import { readQueueDepth, totalMessages, type QueueDepth } from './queue-depth';

export interface QueuePeek {
  /** In the shape SQS receives them (`Attributes`, `MessageAttributes`), oldest first where known. */
  readonly messages: readonly Message[];
  /** Messages an SQS peek could not hand back at once; they reappear after its hold period. */
  readonly notReleased: number;
  /** Every message was looked at, so the oldest is among them. */
  readonly complete: boolean;
}

/**
 * How the CLI reads queues without consuming them. Two adapters, because the harmless way
 * differs: on AWS a peek is a receive (it bumps the receive count, so queues with a redrive policy
 * are never peeked); fauxqs has a documented inspection endpoint that touches nothing.
 */
export interface QueueReader {
  /** `sqs-receive` or `fauxqs-inspection`: printed with the results, so nobody mistakes one for the other. */
  readonly method: 'sqs-receive' | 'fauxqs-inspection';
  depth(queue: QueueRef): Promise<QueueDepth>;
  /** Undefined where looking would have a side effect that matters (an AWS queue with a redrive policy). */
  peek(queue: QueueRef, limit: number): Promise<QueuePeek | undefined>;
}

/** AWS: attributes for counts; receive + ChangeMessageVisibility(0) for a peek, on queues without a redrive policy. */
export function sqsQueueReader(sqs: SQSClient): QueueReader {
  return {
    method: 'sqs-receive',
    depth: (queue) => readQueueDepth(sqs, queue.url),
    peek: async (queue, limit) => {
      const depth = await readQueueDepth(sqs, queue.url);
      if (depth.hasRedrivePolicy) return undefined;
      const peeked = await peekMessages(sqs, queue.url, { limit, releaseVisibilityTimeoutSeconds: 0 });
      // SQS hands out messages in no particular order: the oldest is known only if all were seen.
      return { ...peeked, complete: peeked.messages.length >= totalMessages(depth) };
    },
  };
}

/**
 * Local: fauxqs's `GET /_fauxqs/queues/<name>`. Besides touching nothing, it avoids two fauxqs
 * 2.4.1 flaws of the SQS route: with persistence, `ChangeMessageVisibility(0)` fails after taking
 * the message out of flight (it then stays hidden until the emulator restarts), and the counts
 * attributes lag until someone receives from the queue.
 */
export function fauxqsQueueReader(endpoint: string, now: () => Date = () => new Date()): QueueReader {
  return {
    method: 'fauxqs-inspection',
    depth: async (queue) => (await inspectFauxqsQueue(endpoint, queue.name, now())).depth,
    peek: async (queue, limit) => {
      // Sorted oldest first, so the oldest is always among the first `limit`.
      const { messages } = await inspectFauxqsQueue(endpoint, queue.name, now());
      return { messages: messages.slice(0, limit), notReleased: 0, complete: true };
    },
  };
}
