import { localEndpoints } from '../infra/local/cloud/emulators';
import { describeLocalResources } from '../infra/local/cloud/provision';
import { LOCAL_REGION, localDataDir, localPorts } from '../infra/local/local-settings';
import { QUEUE_CONSUMERS } from '../src/common/settings';
import { TargetUnavailableError } from './ops-errors';
import type { OpsTarget } from './ops-target';

/**
 * The local stack, found the way `npm start` sets it up: ports from `PORT` / `DYNAMODB_PORT` /
 * `SNS_SQS_PORT`, the data directory from `LOCAL_DATA_DIR`, resource names read back from the
 * emulators (`describeLocalResources`), never guessed.
 */
export async function resolveLocalTarget(env: NodeJS.ProcessEnv = process.env): Promise<OpsTarget> {
  const ports = localPorts(env);
  const endpoints = localEndpoints(ports);
  let resources: Awaited<ReturnType<typeof describeLocalResources>>;
  try {
    resources = await describeLocalResources(endpoints);
  } catch (error) {
    throw new TargetUnavailableError(
      `The local stack does not answer at ${endpoints.snsSqs} (SNS/SQS) and ${endpoints.dynamodb} (DynamoDB): ` +
        `${error instanceof Error ? error.message : String(error)}. Start it with \`npm start\`, or set ` +
        'PORT / DYNAMODB_PORT / SNS_SQS_PORT to the ports it runs on.',
      { cause: error },
    );
  }
  const dataDir = localDataDir(env);
  return {
    kind: 'local',
    description: `local (SNS/SQS ${endpoints.snsSqs}, DynamoDB ${endpoints.dynamodb}, data ${dataDir})`,
    region: LOCAL_REGION,
    apiUrl: `http://127.0.0.1:${ports.api}`,
    tableNames: resources.tableNames,
    consumers: QUEUE_CONSUMERS.map((consumer) => {
      const queue = resources.queues[consumer.id];
      if (queue === undefined) throw new TargetUnavailableError(`The local cloud has no queue for ${consumer.id}`);
      return {
        consumerId: consumer.id,
        queue: { name: queue.name, url: queue.url },
        deadLetterQueue: { name: queue.dlqName, url: queue.dlqUrl },
      };
    }),
    relayFailureQueue: { name: resources.relayFailureQueue.name, url: resources.relayFailureQueue.url },
    local: { endpoints, dataDir, outboxStreamArn: resources.outboxStreamArn },
  };
}
