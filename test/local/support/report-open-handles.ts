/**
 * Integration global teardown. The integration tests run in band (one jest worker on a 2-core
 * machine), so a child process or socket a test leaves open keeps jest itself alive after "Ran all
 * test suites.". Once CI stopped right there until its time limit, with nothing in the log to say
 * why. `test:local` runs with --forceExit, so a leak cannot hang CI; this names any child process
 * still open, so a leak is seen and fixed. A process a test has just killed closes its handles a
 * moment later, hence the short wait.
 */
import { setTimeout as sleep } from 'node:timers/promises';

const SETTLE_MS = 2_000;

interface ChildProcessHandle {
  readonly pid?: number;
  readonly spawnargs?: readonly string[];
  readonly exitCode: number | null;
  readonly signalCode: string | null;
}

function openChildProcesses(): ChildProcessHandle[] {
  const handles = (process as unknown as { _getActiveHandles(): object[] })._getActiveHandles();
  return handles.filter((handle): handle is ChildProcessHandle => handle.constructor.name === 'ChildProcess');
}

export default async function reportOpenHandles(): Promise<void> {
  const deadline = Date.now() + SETTLE_MS;
  while (openChildProcesses().length > 0 && Date.now() < deadline) await sleep(50);
  for (const child of openChildProcesses()) {
    const state = child.exitCode === null && child.signalCode === null ? 'running' : `ended (${child.exitCode ?? child.signalCode})`;
    process.stderr.write(`integration teardown: child process ${child.pid} still open, ${state}: ${(child.spawnargs ?? []).join(' ')}\n`);
  }
}
