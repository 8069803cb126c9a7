import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { createLocalDynamoDbClient, createLocalSnsClient, createLocalSqsClient } from '../../../infra/local/cloud/aws-clients';
import { startEmulators, type StartedEmulators } from '../../../infra/local/cloud/emulators';
import { provisionLocalResources, type LocalResources } from '../../../infra/local/cloud/provision';

/** The in-memory emulators, provisioned from the settings, with a client for each service. */
export interface ProvisionedCloud {
  readonly emulators: StartedEmulators;
  readonly resources: LocalResources;
  readonly dynamodb: DynamoDBClient;
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
  /** Closes the clients and stops both emulators by their process ids. */
  stop(): Promise<void>;
}

export async function startProvisionedCloud(
  ports: Parameters<typeof startEmulators>[0]['ports'],
  timeScale: number,
): Promise<ProvisionedCloud> {
  const emulators = await startEmulators({ ports });
  const resources = await provisionLocalResources(emulators.endpoints, { timeScale });
  const clients = {
    dynamodb: createLocalDynamoDbClient(emulators.endpoints),
    sns: createLocalSnsClient(emulators.endpoints),
    sqs: createLocalSqsClient(emulators.endpoints),
  };
  return {
    emulators,
    resources,
    ...clients,
    stop: async () => {
      for (const client of Object.values(clients)) client.destroy();
      await emulators.stop();
    },
  };
}
