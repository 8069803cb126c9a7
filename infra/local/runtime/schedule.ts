/**
 * The local stand-in for an EventBridge schedule rule (`rate(…)`) with a constant input: every
 * interval it invokes the function with that input, the first time one interval after it starts
 * (EventBridge too fires within the first interval, not at once). The Lambda service prints the
 * invocation line; this prints what a successful run returned, or why it failed.
 *
 * One difference, on purpose: a tick that comes while the previous run is still going is skipped.
 * On AWS the function's timeout is far below the interval, so runs cannot overlap; scaled down
 * locally the two can meet, and a queued run would only repeat the one in flight.
 */
import type { LambdaInvoker } from './lambda-invoker';

export interface LocalScheduleOptions {
  readonly functionName: string;
  readonly intervalMs: number;
  /** The rule's constant input (`RuleTargetInput.fromObject`). */
  readonly input: unknown;
  readonly invoker: LambdaInvoker;
  readonly log: (line: string) => void;
}

/**
 * `LOCAL_SCHEDULES=off` starts the runtime without its schedules, as a stack whose rules are
 * disabled: a test can then build a state (stuck outbox items, say) before the sweeper may act.
 */
export function localSchedulesEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = env.LOCAL_SCHEDULES;
  if (raw === undefined || raw === '' || raw === 'on') return true;
  if (raw === 'off') return false;
  throw new Error(`LOCAL_SCHEDULES must be "on" or "off", got ${raw}`);
}

export class LocalSchedule {
  private readonly timer: NodeJS.Timeout;
  private running: Promise<void> | undefined;
  private stopped = false;

  private constructor(private readonly options: LocalScheduleOptions) {
    if (!(options.intervalMs > 0)) throw new RangeError(`A schedule's interval must be positive, got ${options.intervalMs} ms`);
    this.timer = setInterval(() => this.tick(), options.intervalMs);
  }

  static start(options: LocalScheduleOptions): LocalSchedule {
    return new LocalSchedule(options);
  }

  /** No further runs; waits for the one in flight, if any. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  private tick(): void {
    const { functionName, log } = this.options;
    if (this.stopped) return;
    if (this.running !== undefined) {
      log(`schedule ${functionName}: previous run still going, tick skipped`);
      return;
    }
    this.running = this.run().finally(() => {
      this.running = undefined;
    });
  }

  private async run(): Promise<void> {
    const { functionName, input, invoker, log } = this.options;
    try {
      const result = await invoker.invoke(functionName, input);
      switch (result.status) {
        case 'ok':
          log(`schedule ${functionName}: ${JSON.stringify(result.payload)}`);
          return;
        case 'error':
          log(`schedule ${functionName}: ${result.errorType}: ${result.errorMessage}`);
          return;
        default:
          log(`schedule ${functionName}: run ended by ${result.status}`);
      }
    } catch (error) {
      // The service is stopping, or the function is unknown: the next tick tries again.
      log(`schedule ${functionName}: invoke failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
