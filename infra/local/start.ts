/**
 * `npm start`: the whole pipeline on this machine. Starts the cloud (DynamoDB Local, the SNS/SQS
 * emulator, the provisioned resources), then the runtime (our Lambda runtime, its event source
 * mappings and the API), prints where everything is and a line containing `ready`, and stops both
 * on Ctrl-C. Either half can also run on its own (`npm run start:cloud`, `npm run start:runtime`).
 *
 *   --fresh          start from an empty data directory
 *   --in-memory      keep no state on disk
 *   --function-logs  show the functions' own structured logs, not just one line per invocation
 */
import { parseArgs } from 'node:util';
import { localDataDir, localPorts, localTimeScale } from './local-settings';
import { CLOUD_READY, RUNTIME_READY, startCloudProcess, startRuntimeProcess, type StackProcess } from './stack-processes';

const START_TIMEOUT_MS = 180_000;
/** The halves started so far; each leads its own process group, so nothing may outlive this process. */
const running: StackProcess[] = [];
let stopping = false;

async function stopAll(exitCode: number): Promise<never> {
  stopping = true;
  for (const half of [...running].reverse()) await half.stop();
  process.exit(exitCode);
}

function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      fresh: { type: 'boolean', default: false },
      'in-memory': { type: 'boolean', default: false },
      'function-logs': { type: 'boolean', default: false },
    },
  });
  const startedAt = performance.now();
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      print(`${signal}: stopping the runtime, then the cloud`);
      void stopAll(0);
    });
  }
  const watch = (half: StackProcess): void => {
    void half.exited.then((exit) => {
      if (stopping) return;
      console.error(`${half.name} exited unexpectedly (${exit.code ?? exit.signal}); stopping everything`);
      void stopAll(1);
    });
  };

  const cloudArgs = [...(values.fresh ? ['--fresh'] : []), ...(values['in-memory'] ? ['--in-memory'] : [])];
  const cloud = startCloudProcess({ args: cloudArgs, onLine: (line) => print(`[cloud]   ${line}`) });
  running.push(cloud);
  watch(cloud);
  await cloud.waitForLine(CLOUD_READY, START_TIMEOUT_MS);

  const runtimeArgs = values['function-logs'] ? ['--function-logs'] : [];
  const runtime = startRuntimeProcess({ args: runtimeArgs, onLine: (line) => print(`[runtime] ${line}`) });
  running.push(runtime);
  watch(runtime);
  await runtime.waitForLine(RUNTIME_READY, START_TIMEOUT_MS);

  const ports = localPorts();
  print();
  print(`API              http://127.0.0.1:${ports.api}   (POST /orders, GET /orders/{orderId})`);
  print(`DynamoDB Local   http://127.0.0.1:${ports.dynamodb}`);
  print(`SNS/SQS          http://127.0.0.1:${ports.snsSqs}`);
  print(`data             ${values['in-memory'] ? 'in memory' : localDataDir()}`);
  print(`time scale       ${localTimeScale()} (LOCAL_TIME_SCALE)`);
  print(`pids             cloud ${cloud.pid}, runtime ${runtime.pid}`);
  print(`ready in ${Math.round(performance.now() - startedAt)} ms; Ctrl-C stops everything`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  void stopAll(1);
});
