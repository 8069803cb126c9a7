import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

/**
 * A queue's approximate counts (SQS attributes). The age of the oldest message is not among them:
 * on AWS it is the CloudWatch metric `ApproximateAgeOfOldestMessage`.
 */
export interface QueueDepth {
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
  /** A receive on such a queue counts toward `maxReceiveCount`: never peek it. */
  readonly hasRedrivePolicy: boolean;
}

export async function readQueueDepth(sqs: SQSClient, queueUrl: string): Promise<QueueDepth> {
  const { Attributes: attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
        'RedrivePolicy',
      ],
    }),
  );
  return {
    visible: Number(attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(attributes.ApproximateNumberOfMessagesDelayed ?? 0),
    hasRedrivePolicy: attributes.RedrivePolicy !== undefined && attributes.RedrivePolicy !== '',
  };
}

/** Every message the queue holds, visible or not. */
export function totalMessages(depth: QueueDepth): number {
  return depth.visible + depth.inFlight + depth.delayed;
}
