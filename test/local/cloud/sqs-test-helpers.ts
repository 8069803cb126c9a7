import {
  PurgeQueueCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/**
 * Long-polls a queue until a message matching `matches` arrives, or fails at the deadline. Messages
 * that do not match stay in flight for the queue's visibility timeout.
 */
export async function receiveUntil(
  sqs: SQSClient,
  queueUrl: string,
  matches: (message: Message) => boolean,
  timeoutMs = 10_000,
): Promise<Message> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const waitTimeSeconds = Math.min(2, Math.max(0, Math.floor((deadline - Date.now()) / 1000)));
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: waitTimeSeconds,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        MessageAttributeNames: ['All'],
      }),
    );
    const match = Messages.find(matches);
    if (match !== undefined) {
      return match;
    }
  }
  throw new Error(`No matching message on ${queueUrl} within ${timeoutMs} ms`);
}

/** One receive that does not wait (the queues' default is a 20 s long poll). */
export async function receiveNow(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
  );
  return Messages;
}

export async function purgeQueues(sqs: SQSClient, queueUrls: readonly string[]): Promise<void> {
  await Promise.all(queueUrls.map((url) => sqs.send(new PurgeQueueCommand({ QueueUrl: url }))));
}
