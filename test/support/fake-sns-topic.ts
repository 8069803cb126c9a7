import { PublishBatchCommand, type PublishBatchRequestEntry, type PublishBatchResponse, type SNSClient } from '@aws-sdk/client-sns';
import type { AwsClientStub } from 'aws-sdk-client-mock';

/** PublishBatch's answer when SNS accepts every entry. */
export function acceptAll(input: PublishBatchCommand['input']): PublishBatchResponse {
  return {
    Successful: (input.PublishBatchRequestEntries ?? []).map((entry) => ({ Id: entry.Id, MessageId: `sns-${entry.Id ?? ''}` })),
    Failed: [],
  };
}

/** PublishBatch's answer when SNS refuses every entry: HTTP 200 with each entry in `Failed[]`. */
export function refuseAll(input: PublishBatchCommand['input']): PublishBatchResponse {
  return {
    Successful: [],
    Failed: (input.PublishBatchRequestEntries ?? []).map((entry) => ({
      Id: entry.Id,
      Code: 'InternalError',
      SenderFault: false,
      Message: 'The service is unavailable',
    })),
  };
}

/** Every entry the mocked SNS client was asked to publish, in order. */
export function publishedEntries(sns: AwsClientStub<SNSClient>): PublishBatchRequestEntry[] {
  return sns.commandCalls(PublishBatchCommand).flatMap((call) => call.args[0].input.PublishBatchRequestEntries ?? []);
}

/** A published entry's string message attributes, as `{ name: value }`. */
export function attributesOf(entry: PublishBatchRequestEntry | undefined): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(entry?.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue]));
}
