import { spawn } from 'node:child_process';
import path from 'node:path';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { eventually } from './eventually';
import { REPOSITORY_ROOT } from './local-function';

export interface RunningFauxqs {
  readonly pid: number;
  readonly endpoint: string;
  /** SIGKILL by PID, then waits for the exit. */
  stop(): Promise<void>;
}

/** A throwaway fauxqs (SNS + SQS, in memory) as a child process, answering before this resolves. */
export async function startFauxqs(port: number): Promise<RunningFauxqs> {
  const child = spawn(process.execPath, [path.join(REPOSITORY_ROOT, 'node_modules', 'fauxqs', 'dist', 'server.js')], {
    env: { ...process.env, FAUXQS_PORT: String(port), FAUXQS_PERSISTENCE: 'false' },
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid;
  if (pid === undefined) throw new Error('fauxqs did not start');
  const endpoint = `http://127.0.0.1:${port}`;
  const probe = testSqsClient(endpoint);
  try {
    await eventually(
      () =>
        probe.send(new ListQueuesCommand({})).then(
          () => true,
          () => undefined,
        ),
      { timeoutMs: 20_000, intervalMs: 50, what: `fauxqs on port ${port}` },
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    probe.destroy();
  }
  return {
    pid,
    endpoint,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGKILL');
      await exited;
    },
  };
}

export function testSqsClient(endpoint: string): SQSClient {
  return new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}
