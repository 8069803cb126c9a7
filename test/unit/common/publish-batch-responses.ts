import type { PublishBatchCommandInput, PublishBatchCommandOutput } from '@aws-sdk/client-sns';

/** PublishBatch's HTTP 200 answer, deciding per entry (by its message) whether SNS accepted it. */
export function answerPublishBatch(
  input: PublishBatchCommandInput,
  accepts: (message: string) => boolean = () => true,
): PublishBatchCommandOutput {
  const entries = input.PublishBatchRequestEntries ?? [];
  return {
    $metadata: { httpStatusCode: 200 },
    Successful: entries
      .filter((entry) => accepts(entry.Message ?? ''))
      .map((entry) => ({ Id: entry.Id, MessageId: `message-${entry.Id ?? ''}` })),
    Failed: entries
      .filter((entry) => !accepts(entry.Message ?? ''))
      .map((entry) => ({ Id: entry.Id, Code: 'InternalError', Message: 'Simulated SNS failure', SenderFault: false })),
  };
}

