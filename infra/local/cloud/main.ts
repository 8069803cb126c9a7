/**
 * `npm run start:cloud`: starts the emulators, provisions the resources from the shared settings,
 * prints where everything is and `cloud ready`, then runs until SIGINT/SIGTERM/SIGHUP, which stop
 * both emulators. `npm run` reaches this process through `sh -c`, which does not pass a SIGTERM on:
 * signal this process (or its process group), not npm's.
 *
 *   --in-memory  nothing is written to disk (default: persistent under LOCAL_DATA_DIR, else .local-data/)
 *   --fresh      deletes the data directory first
 *
 * Ports: DYNAMODB_PORT, SNS_SQS_PORT; time scale: LOCAL_TIME_SCALE (see local-settings.ts).
 */
import { parseArgs } from 'node:util';
import { localDataDir, localPorts, localTimeScale } from '../local-settings';
import { localAwsEnvironment } from './aws-clients';
import { startEmulators, type StartedEmulators } from './emulators';
import { resetLocalData } from './local-data-dir';
import { provisionLocalResources, type LocalResources } from './provision';

function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'in-memory': { type: 'boolean', default: false }, fresh: { type: 'boolean', default: false } },
  });
  const dataDir = values['in-memory'] ? undefined : localDataDir();
  const timeScale = localTimeScale();
  const ports = localPorts();
  if (values.fresh && dataDir !== undefined) {
    resetLocalData(dataDir);
  }

  const startedAt = performance.now();
  const emulators = await startEmulators({ dataDir, ports });
  stopOnSignals(emulators);
  let resources: LocalResources;
  try {
    const provisioningStartedAt = performance.now();
    resources = await provisionLocalResources(emulators.endpoints, { timeScale });
    printSummary(emulators, resources, {
      dataDir,
      timeScale,
      provisioningMs: Math.round(performance.now() - provisioningStartedAt),
      totalMs: Math.round(performance.now() - startedAt),
    });
  } catch (error) {
    await emulators.stop();
    throw error;
  }

  const crash = await emulators.unexpectedExit;
  console.error(crash.message);
  await emulators.stop();
  process.exit(1);
}

function stopOnSignals(emulators: StartedEmulators): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      return;
    }
    stopping = true;
    print(`${signal}: stopping the emulators (pids ${emulators.pids.dynamodb}, ${emulators.pids.snsSqs})`);
    emulators.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', stop);
}

function printSummary(
  emulators: StartedEmulators,
  resources: LocalResources,
  run: { dataDir: string | undefined; timeScale: number; provisioningMs: number; totalMs: number },
): void {
  print(`DynamoDB Local   ${emulators.endpoints.dynamodb}  (pid ${emulators.pids.dynamodb}, ready in ${emulators.startupMs.dynamodb} ms)`);
  print(`fauxqs SNS/SQS   ${emulators.endpoints.snsSqs}  (pid ${emulators.pids.snsSqs}, ready in ${emulators.startupMs.snsSqs} ms)`);
  print(`data             ${run.dataDir ?? 'in memory'}`);
  print(`time scale       ${run.timeScale}`);
  print();
  for (const [role, name] of Object.entries(resources.tableNames)) {
    print(`table  ${role.padEnd(14)} ${name}`);
  }
  print(`stream outbox         ${resources.outboxStreamArn}`);
  print(`topic                 ${resources.topicArn}`);
  for (const [consumer, queue] of Object.entries(resources.queues)) {
    print(`queue  ${consumer.padEnd(14)} ${queue.url}  (dlq ${queue.dlqName}, visibility ${queue.visibilityTimeoutSeconds} s)`);
  }
  print(`queue  relay failures ${resources.relayFailureQueue.url}`);
  print();
  print('Point an SDK client at the local cloud with:');
  for (const [name, value] of Object.entries(localAwsEnvironment(emulators.endpoints))) {
    print(`  export ${name}=${value}`);
  }
  print();
  print(`cloud ready in ${run.totalMs} ms (provisioning ${run.provisioningMs} ms); Ctrl-C stops it`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
  process.exit(1);
});
