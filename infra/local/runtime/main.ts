/**
 * `npm run start:runtime`: the local Lambda runtime in front of a running local cloud
 * (`npm run start:cloud`). Waits for the emulators, reads the provisioned resources, bundles every
 * function, then serves the order API and runs the event source mappings (one per consumer queue,
 * and the outbox stream's), prints `runtime ready`, and runs until SIGINT/SIGTERM.
 *
 *   --function-logs  show what the functions write (also `LOCAL_FUNCTION_LOGS=1`)
 *
 * It also runs the outbox sweeper on its (scaled) schedule, as EventBridge does; `LOCAL_SCHEDULES=off`
 * leaves the schedule out.
 *
 * Ports: PORT (API), DYNAMODB_PORT, SNS_SQS_PORT, XRAY_DAEMON_PORT (UDP); time scale: LOCAL_TIME_SCALE
 * (local-settings.ts). Traces go to `<data dir>/traces/segments.jsonl` (trace-store.ts).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ORDER_API_FUNCTION, ORDER_API_ROUTES, OUTBOX_RELAY, OUTBOX_SWEEPER, QUEUE_CONSUMERS } from '../../../src/common/settings';
import {
  createLocalDynamoDbStreamsClient,
  createLocalSqsClient,
  localAwsEnvironment,
  type LocalEndpoints,
} from '../cloud/aws-clients';
import { localEndpoints, waitForEmulators } from '../cloud/emulators';
import { localDataPaths } from '../cloud/local-data-dir';
import { describeLocalResources, type LocalResources } from '../cloud/provision';
import {
  LOCAL_ACCOUNT_ID,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  localDataDir,
  localDuplicateDeliveryRate,
  localPorts,
  localTimeScale,
  localXrayDaemonPort,
} from '../local-settings';
import { LocalApiGateway } from './api-gateway';
import { LambdaService } from './lambda-service';
import {
  functionEnvironmentOverrides,
  localFunctions,
  sqsMappingSettingsOf,
  streamMappingSettingsOf,
  sweeperScheduleOf,
} from './local-functions';
import { LocalSchedule, localSchedulesEnabled } from './schedule';
import { SqsEventSourceMapping } from './sqs-mapping';
import { startStreamMapping, type StreamMapping } from './stream-mapping/stream-mapping';
import { TraceSegmentStore, traceSegmentsPath } from './trace-store';
import { XRayDaemon } from './xray-daemon';

const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..', '..');
const DATA_PATHS = localDataPaths(localDataDir());

function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

interface Runtime {
  readonly service: LambdaService;
  readonly api: LocalApiGateway;
  readonly queueMappings: readonly SqsEventSourceMapping[];
  readonly streamMapping: StreamMapping;
  /** The sweeper's schedule (EventBridge's part); absent with `LOCAL_SCHEDULES=off`. */
  readonly sweeperSchedule: LocalSchedule | undefined;
  readonly xrayDaemon: XRayDaemon;
}

async function startRuntime(
  endpoints: LocalEndpoints,
  resources: LocalResources,
  options: { timeScale: number; apiPort: number; functionLogs: boolean; duplicateDeliveryRate: number; xrayDaemonPort: number },
): Promise<Runtime> {
  // The X-Ray daemon's part and the Lambda service's and API Gateway's parts of each trace, in one store.
  const traceSegments = new TraceSegmentStore(traceSegmentsPath(localDataDir()));
  const xrayDaemon = await XRayDaemon.start({
    port: options.xrayDaemonPort,
    segments: traceSegments,
    log: print,
    // The default port may be held by another local stack; a port asked for explicitly must be free.
    anyPortIfTaken: process.env.XRAY_DAEMON_PORT === undefined,
  });
  const functions = localFunctions({
    resources: { tableNames: resources.tableNames, topicArn: resources.topicArn },
    awsEnvironment: localAwsEnvironment(endpoints),
    timeScale: options.timeScale,
    environmentOverrides: functionEnvironmentOverrides(),
  });
  const bundlingStartedAt = performance.now();
  let service: LambdaService;
  try {
    service = await LambdaService.start({
      functions,
      repositoryRoot: REPOSITORY_ROOT,
      bundleDir: DATA_PATHS.functionBundles,
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT_ID,
      credentials: LOCAL_CREDENTIALS,
      functionLogs: options.functionLogs,
      xrayDaemonAddress: xrayDaemon.address,
      traceSegments,
    });
  } catch (error) {
    await xrayDaemon.stop();
    throw error;
  }
  print(`bundled ${functions.length} functions in ${Math.round(performance.now() - bundlingStartedAt)} ms`);

  const started: { stop(): Promise<void> }[] = [xrayDaemon, service];
  try {
    const api = await LocalApiGateway.start({
      port: options.apiPort,
      functionName: ORDER_API_FUNCTION.id,
      routes: ORDER_API_ROUTES,
      invoker: service,
      accountId: LOCAL_ACCOUNT_ID,
      traceSegments,
    });
    started.push(api);
    const queueMappings: SqsEventSourceMapping[] = [];
    for (const consumer of QUEUE_CONSUMERS) {
      const queue = resources.queues[consumer.id];
      if (queue === undefined) throw new Error(`No local queue for ${consumer.id}: provision the cloud again`);
      const mapping = await SqsEventSourceMapping.start({
        ...sqsMappingSettingsOf(consumer, options.timeScale),
        queueUrl: queue.url,
        queueArn: queue.arn,
        region: LOCAL_REGION,
        duplicateDeliveryRate: options.duplicateDeliveryRate,
        // One client per mapping: its pollers' long polls hold one connection each.
        sqs: createLocalSqsClient(endpoints),
        invoker: service,
      });
      queueMappings.push(mapping);
      started.push(mapping);
    }
    const streamMapping = startStreamMapping({
      ...streamMappingSettingsOf(OUTBOX_RELAY, options.timeScale),
      streamArn: resources.outboxStreamArn,
      invoker: service,
      streamsClient: createLocalDynamoDbStreamsClient(endpoints),
      sqsClient: createLocalSqsClient(endpoints),
      onFailureQueueUrl: resources.relayFailureQueue.url,
      checkpointDir: DATA_PATHS.streamCheckpoints,
      log: (line) => print(`stream ${OUTBOX_RELAY.id}: ${line}`),
    });
    const sweeperSchedule = localSchedulesEnabled()
      ? LocalSchedule.start({ ...sweeperScheduleOf(OUTBOX_SWEEPER, options.timeScale), invoker: service, log: print })
      : undefined;
    return { service, api, queueMappings, streamMapping, xrayDaemon, sweeperSchedule };
  } catch (error) {
    await Promise.allSettled(started.reverse().map((component) => component.stop()));
    throw error;
  }
}

/**
 * Stops the entry point first, then the mappings (they let the batches in flight finish), then
 * the environments. A second signal does not wait: every environment is killed at once.
 */
async function stopRuntime(runtime: Runtime): Promise<void> {
  await runtime.api.stop();
  await Promise.all([
    ...runtime.queueMappings.map((mapping) => mapping.stop()),
    runtime.streamMapping.stop(),
    runtime.sweeperSchedule?.stop(),
  ]);
  await runtime.service.stop();
  await runtime.xrayDaemon.stop();
}

function stopOnSignals(runtime: Runtime): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      print(`${signal}: killing execution environments ${runtime.service.livePids().join(', ') || '(none)'}`);
      void runtime.service.stop().finally(() => process.exit(1));
      return;
    }
    stopping = true;
    print(`${signal}: stopping the runtime (again to kill the functions at once)`);
    stopRuntime(runtime).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'function-logs': { type: 'boolean', default: false } } });
  const timeScale = localTimeScale();
  const ports = localPorts();
  const endpoints = localEndpoints(ports);
  const startedAt = performance.now();

  await waitForEmulators(endpoints);
  const resources = await describeLocalResources(endpoints);
  const runtime = await startRuntime(endpoints, resources, {
    timeScale,
    apiPort: ports.api,
    functionLogs: values['function-logs'] || process.env.LOCAL_FUNCTION_LOGS === '1',
    duplicateDeliveryRate: localDuplicateDeliveryRate(),
    xrayDaemonPort: localXrayDaemonPort(),
  });
  stopOnSignals(runtime);

  print(`API              ${runtime.api.url}  (${ORDER_API_ROUTES.map((route) => `${route.method} ${route.resource}`).join(', ')})`);
  for (const consumer of QUEUE_CONSUMERS) {
    const settings = sqsMappingSettingsOf(consumer, timeScale);
    print(
      `SQS mapping      ${resources.queues[consumer.id]?.name ?? consumer.queueName} → ${consumer.id}  ` +
        `(batch ${settings.batchSize}, window ${settings.maxBatchingWindowMs} ms, concurrency ${settings.maxConcurrency})`,
    );
  }
  print(`stream mapping   outbox → ${OUTBOX_RELAY.id}  (checkpoints in ${DATA_PATHS.streamCheckpoints})`);
  if (runtime.sweeperSchedule === undefined) {
    print(`schedule         ${OUTBOX_SWEEPER.id} off (LOCAL_SCHEDULES=off)`);
  } else {
    const sweeper = sweeperScheduleOf(OUTBOX_SWEEPER, timeScale);
    print(`schedule         every ${sweeper.intervalMs} ms → ${OUTBOX_SWEEPER.id}  (${JSON.stringify(sweeper.input)})`);
  }
  print(`X-Ray daemon     udp ${runtime.xrayDaemon.address} → ${traceSegmentsPath(localDataDir())}`);
  print(`time scale       ${timeScale}`);
  const duplicateRate = localDuplicateDeliveryRate();
  if (duplicateRate > 0) print(`SQS duplicates   ${duplicateRate} of processed messages delivered again (LOCAL_SQS_DUPLICATE_RATE)`);
  print(`runtime ready in ${Math.round(performance.now() - startedAt)} ms; Ctrl-C stops it`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
  process.exit(1);
});
