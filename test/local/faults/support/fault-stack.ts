/**
 * A local stack whose functions all preload kill-after.cjs with one fault plan, started and
 * stopped the same way by every fault test file. With `FAULT_LOG_DIR` set, the runtime's output
 * (one line per invocation, every crash and retry) is kept there for reading after the run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../support/local-stack';
import type { FaultPlan } from './fault-plan';

export async function startFaultStack(plan: FaultPlan, options: LocalStackOptions): Promise<LocalStack> {
  return startLocalStack({
    ...options,
    runtimeEnv: { ...options.runtimeEnv, LOCAL_FUNCTION_ENV: plan.functionEnvironment() },
  });
}

/** Runtimes killed on purpose, whose output would otherwise be lost with them. */
const killedRuntimeOutput: string[] = [];

/** SIGKILLs the runtime (see LocalStack.killRuntime), keeping what it printed for the log. */
export async function killRuntime(stack: LocalStack): Promise<void> {
  const runtime = stack.runtime();
  await stack.killRuntime();
  killedRuntimeOutput.push(...runtime.output, `--- runtime ${runtime.pid} SIGKILLed ---`);
}

/** Everything the runtimes of this file printed: the killed ones', then the current one's. */
export function runtimeOutput(stack: LocalStack): string[] {
  return [...killedRuntimeOutput, ...stack.runtime().output];
}

export async function stopFaultStack(stack: LocalStack | undefined, plan: FaultPlan, name: string): Promise<void> {
  const logDir = process.env.FAULT_LOG_DIR;
  if (stack !== undefined && logDir !== undefined && logDir !== '') {
    mkdirSync(logDir, { recursive: true });
    writeFileSync(path.join(logDir, `${name}.runtime.log`), `${runtimeOutput(stack).join('\n')}\n`);
  }
  await stack?.stop();
  plan.remove();
}
