import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  createLocalDynamoDbClient,
  createLocalDynamoDbStreamsClient,
  createLocalSqsClient,
} from '../infra/local/cloud/aws-clients';
import type { LocalDynamoDbStreamsClient } from '../infra/local/cloud/local-dynamodb-streams-client';
import type { OpsTarget } from './ops-target';
import { fauxqsQueueReader, sqsQueueReader, type QueueReader } from './queue-reader';

export interface OpsClients {
  readonly sqs: SQSClient;
  readonly dynamodb: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
  /** Counts and non-destructive peeks: fauxqs's inspection endpoint locally, SQS receives on AWS. */
  readonly queues: QueueReader;
  /** Only the local stack's outbox stream is read (for the relay's checkpoint lag). */
  readonly streams: LocalDynamoDbStreamsClient | undefined;
  destroy(): void;
}

/** Clients for the target: the emulators' endpoints locally, the default credential chain on AWS. */
export function createOpsClients(target: OpsTarget): OpsClients {
  const local = target.local;
  const sqs = local === undefined ? new SQSClient({ region: target.region }) : createLocalSqsClient(local.endpoints);
  const dynamodb =
    local === undefined ? new DynamoDBClient({ region: target.region }) : createLocalDynamoDbClient(local.endpoints);
  return {
    sqs,
    dynamodb,
    documents: DynamoDBDocumentClient.from(dynamodb),
    queues: local === undefined ? sqsQueueReader(sqs) : fauxqsQueueReader(local.endpoints.snsSqs),
    streams: local === undefined ? undefined : createLocalDynamoDbStreamsClient(local.endpoints, { requestTimeoutMs: 10_000 }),
    destroy: () => {
      sqs.destroy();
      dynamodb.destroy();
    },
  };
}
