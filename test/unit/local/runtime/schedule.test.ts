import type { InvokeResult, LambdaInvoker } from '../../../../infra/local/runtime/lambda-invoker';
import { LocalSchedule, localSchedulesEnabled } from '../../../../infra/local/runtime/schedule';

const INTERVAL_MS = 3_000;
const INPUT = { pendingThresholdSeconds: 9 };

interface PendingInvocation {
  readonly functionName: string;
  readonly event: unknown;
  finish(result: InvokeResult): void;
}

/** Every invocation of the test, so that none is left hanging when the schedule stops. */
let allInvocations: PendingInvocation[] = [];

/** An invoker whose invocations finish when the test says so. */
function aControlledInvoker(): LambdaInvoker & { readonly invocations: PendingInvocation[] } {
  const invocations: PendingInvocation[] = [];
  return {
    invocations,
    invoke: (functionName, event) =>
      new Promise<InvokeResult>((resolve) => {
        const invocation = { functionName, event, finish: resolve };
        invocations.push(invocation);
        allInvocations.push(invocation);
      }),
  };
}

const OK: InvokeResult = { status: 'ok', payload: { found: 2, sent: 2 }, durationMs: 40 };

let schedule: LocalSchedule | undefined;

beforeEach(() => {
  jest.useFakeTimers();
});

afterEach(async () => {
  const stopping = schedule?.stop();
  for (const invocation of allInvocations) invocation.finish(OK);
  await stopping;
  schedule = undefined;
  allInvocations = [];
  jest.useRealTimers();
});

describe('LocalSchedule', () => {
  it("invokes the function with the rule's input once per interval, the first time after one interval", async () => {
    // Prepare
    const invoker = aControlledInvoker();
    schedule = LocalSchedule.start({ functionName: 'OutboxSweeper', intervalMs: INTERVAL_MS, input: INPUT, invoker, log: () => undefined });

    // Act
    await jest.advanceTimersByTimeAsync(INTERVAL_MS - 1);
    const beforeFirstInterval = invoker.invocations.length;
    await jest.advanceTimersByTimeAsync(1);
    invoker.invocations[0]?.finish(OK);
    await jest.advanceTimersByTimeAsync(INTERVAL_MS);

    // Assess
    expect(beforeFirstInterval).toBe(0);
    expect(invoker.invocations.map(({ functionName, event }) => ({ functionName, event }))).toEqual([
      { functionName: 'OutboxSweeper', event: INPUT },
      { functionName: 'OutboxSweeper', event: INPUT },
    ]);
  });

  it('skips a tick that comes while the previous run is still going', async () => {
    // Prepare
    const invoker = aControlledInvoker();
    const lines: string[] = [];
    schedule = LocalSchedule.start({ functionName: 'OutboxSweeper', intervalMs: INTERVAL_MS, input: INPUT, invoker, log: (line) => lines.push(line) });

    // Act
    await jest.advanceTimersByTimeAsync(3 * INTERVAL_MS);

    // Assess
    expect(invoker.invocations).toHaveLength(1);
    expect(lines.filter((line) => line.includes('tick skipped'))).toHaveLength(2);
  });

  it('logs what a run returned, and why a run failed', async () => {
    // Prepare
    const invoker = aControlledInvoker();
    const lines: string[] = [];
    schedule = LocalSchedule.start({ functionName: 'OutboxSweeper', intervalMs: INTERVAL_MS, input: INPUT, invoker, log: (line) => lines.push(line) });

    // Act
    await jest.advanceTimersByTimeAsync(INTERVAL_MS);
    invoker.invocations[0]?.finish(OK);
    await jest.advanceTimersByTimeAsync(INTERVAL_MS);
    invoker.invocations[1]?.finish({ status: 'error', errorType: 'InvalidEventError', errorMessage: 'Sweep request is invalid', durationMs: 5 });
    await jest.advanceTimersByTimeAsync(0);

    // Assess
    expect(lines).toEqual([
      'schedule OutboxSweeper: {"found":2,"sent":2}',
      'schedule OutboxSweeper: InvalidEventError: Sweep request is invalid',
    ]);
  });

  it('runs no more once stopped, and waits for the run in flight', async () => {
    // Prepare
    const invoker = aControlledInvoker();
    schedule = LocalSchedule.start({ functionName: 'OutboxSweeper', intervalMs: INTERVAL_MS, input: INPUT, invoker, log: () => undefined });
    await jest.advanceTimersByTimeAsync(INTERVAL_MS);
    let stoppedAfterRun = false;

    // Act
    const stopping = schedule.stop().then(() => {
      stoppedAfterRun = true;
    });
    await jest.advanceTimersByTimeAsync(0);
    const stoppedBeforeRunEnded = stoppedAfterRun;
    invoker.invocations[0]?.finish(OK);
    await stopping;
    await jest.advanceTimersByTimeAsync(5 * INTERVAL_MS);

    // Assess
    expect(stoppedBeforeRunEnded).toBe(false);
    expect(stoppedAfterRun).toBe(true);
    expect(invoker.invocations).toHaveLength(1);
  });
});

describe('localSchedulesEnabled', () => {
  it.each([
    [undefined, true],
    ['', true],
    ['on', true],
    ['off', false],
  ])('reads LOCAL_SCHEDULES=%p as %p', (value, enabled) => {
    // Act
    const result = localSchedulesEnabled(value === undefined ? {} : { LOCAL_SCHEDULES: value });

    // Assess
    expect(result).toBe(enabled);
  });

  it('refuses any other value', () => {
    // Act
    const reading = () => localSchedulesEnabled({ LOCAL_SCHEDULES: 'false' });

    // Assess
    expect(reading).toThrow(/LOCAL_SCHEDULES/);
  });
});
