import { LambdaService, LambdaServiceStoppedError, type InvokeResult } from '../../../infra/local/runtime/lambda-service';
import { eventually, isProcessAlive } from '../support/eventually';
import { fixtureFunction, TEST_SERVICE_OPTIONS } from '../support/local-function';

interface EchoPayload {
  readonly event: unknown;
  readonly pid: number;
  readonly invocations: number;
  readonly env: Record<string, string>;
  readonly execArgv: string[];
  readonly context: {
    readonly awsRequestId: string;
    readonly functionName: string;
    readonly functionVersion: string;
    readonly invokedFunctionArn: string;
    readonly memoryLimitInMB: string;
    readonly logGroupName: string;
    readonly logStreamName: string;
    readonly remainingTimeInMillis: number;
  };
}

interface SleepPayload {
  readonly pid: number;
  readonly startedAt: number;
  readonly endedAt: number;
}

function payloadOf<T>(result: InvokeResult): T {
  if (result.status !== 'ok') throw new Error(`Expected ok, got ${JSON.stringify(result)}`);
  return result.payload as T;
}

/** Whether any two invocations that ran in the same process overlapped in time. */
function overlapWithinOneProcess(runs: readonly SleepPayload[]): boolean {
  return runs.some((a, i) =>
    runs.some((b, j) => i !== j && a.pid === b.pid && a.startedAt < b.endedAt && b.startedAt < a.endedAt),
  );
}

/** Set in the test process only: an execution environment must not inherit it. */
const LEAKED_VARIABLE = 'LOCAL_RUNTIME_TEST_SHOULD_NOT_LEAK';

describe('LambdaService', () => {
  let service: LambdaService;
  const logLines: string[] = [];
  const startedPids = new Set<number>();

  beforeAll(async () => {
    process.env.LOCAL_RUNTIME_TEST_SHOULD_NOT_LEAK = 'leaked';
    service = await LambdaService.start({
      ...TEST_SERVICE_OPTIONS,
      log: (line) => logLines.push(line),
      functionLogs: false,
      functions: [
        fixtureFunction('echo', { environment: { TABLE_NAME: 'orders-table' }, memorySizeMb: 384 }),
        fixtureFunction('sleep', { maxConcurrency: 2 }),
        fixtureFunction('sleep', { name: 'serial-sleep', maxConcurrency: 1 }),
        fixtureFunction('hang', { timeoutSeconds: 1 }),
        fixtureFunction('crash'),
        fixtureFunction('throws'),
        fixtureFunction('init-fails'),
      ],
    });
  });

  afterEach(() => {
    for (const pid of service.livePids()) startedPids.add(pid);
  });

  afterAll(async () => {
    delete process.env.LOCAL_RUNTIME_TEST_SHOULD_NOT_LEAK;
    await service.stop();
    for (const pid of startedPids) {
      if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
    }
  });

  it('runs a function with exactly its configured variables plus the ones Lambda reserves', async () => {
    // Act
    const { env } = payloadOf<EchoPayload>(await service.invoke('echo', {}));

    // Assess
    expect(env).toMatchObject({
      TABLE_NAME: 'orders-table',
      AWS_LAMBDA_FUNCTION_NAME: 'echo',
      AWS_LAMBDA_FUNCTION_TIMEOUT: '3',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '384',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      _HANDLER: 'index.handler',
    });
    expect(env.LAMBDA_TASK_ROOT).toMatch(/echo$/);
    expect(env._X_AMZN_TRACE_ID).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
    expect(env).not.toHaveProperty(LEAKED_VARIABLE);
    expect(env).not.toHaveProperty('HOME');
  });

  it("sizes the heap from the function's memory as Lambda's Node.js runtime does", async () => {
    // Act
    const { execArgv } = payloadOf<EchoPayload>(await service.invoke('echo', {}));

    // Assess: 384 MB = a young generation of 38 MB (two 19 MB semi-spaces) + 346 MB of old space
    expect(execArgv).toEqual(['--max-semi-space-size=19', '--max-old-space-size=346']);
  });

  it('gives the handler a Lambda context', async () => {
    // Act
    const { context } = payloadOf<EchoPayload>(await service.invoke('echo', {}));

    // Assess
    expect(context).toMatchObject({
      functionName: 'echo',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:echo',
      memoryLimitInMB: '384',
      logGroupName: '/aws/lambda/echo',
    });
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(context.remainingTimeInMillis).toBeGreaterThan(0);
    expect(context.remainingTimeInMillis).toBeLessThanOrEqual(3000);
  });

  it('reuses an idle environment: the second invocation is warm and sees the module state', async () => {
    // Act
    const first = await service.invoke('echo', { n: 1 });
    const second = await service.invoke('echo', { n: 2 });

    // Assess
    expect(payloadOf<EchoPayload>(second).pid).toBe(payloadOf<EchoPayload>(first).pid);
    expect(payloadOf<EchoPayload>(second).invocations).toBe(payloadOf<EchoPayload>(first).invocations + 1);
    expect(payloadOf<EchoPayload>(second).event).toEqual({ n: 2 });
    expect(second.initDurationMs).toBeUndefined();
  });

  it('scales out to separate processes for concurrent invocations, up to the concurrency', async () => {
    // Act: three concurrent invocations of a function allowed two environments.
    const results = await Promise.all([1, 2, 3].map(() => service.invoke('sleep', { ms: 300 })));

    // Assess
    const runs = results.map((result) => payloadOf<SleepPayload>(result));
    expect(new Set(runs.map((run) => run.pid)).size).toBe(2);
    expect(results.filter((result) => result.initDurationMs !== undefined).length).toBeLessThanOrEqual(2);
    expect(overlapWithinOneProcess(runs)).toBe(false);
    expect(service.environmentCount('sleep')).toBe(2);
  });

  it('runs one invocation at a time in an environment, queueing the rest', async () => {
    // Act
    const results = await Promise.all([1, 2, 3].map(() => service.invoke('serial-sleep', { ms: 100 })));

    // Assess
    const runs = results.map((result) => payloadOf<SleepPayload>(result));
    expect(new Set(runs.map((run) => run.pid)).size).toBe(1);
    expect(overlapWithinOneProcess(runs)).toBe(false);
  });

  it('kills a timed-out environment and starts the next invocation cold', async () => {
    // Prepare
    const before = new Set(service.livePids());
    const invocation = service.invoke('hang', {});
    const pid = await eventually(() => service.livePids().find((candidate) => !before.has(candidate)), {
      what: 'the hanging environment to start',
    });

    // Act
    const result = await invocation;

    // Assess
    expect(result.status).toBe('timeout');
    expect(result.durationMs).toBeGreaterThanOrEqual(990);
    await eventually(() => (isProcessAlive(pid) ? undefined : true), { what: `process ${pid} to be killed` });
    const next = await service.invoke('hang', {});
    expect(next.initDurationMs).toBeDefined();
  });

  it('fails the invocation when its environment crashes, and replaces the environment', async () => {
    // Act
    const crashed = await service.invoke('crash', { exitCode: 7 });
    const next = await service.invoke('crash', { exitCode: 7 });

    // Assess
    expect(crashed).toMatchObject({ status: 'crash', exitCode: 7, signal: null });
    expect(next.initDurationMs).toBeDefined();
    expect(logLines).toContain('  [crash] about to exit');
  });

  it('returns a thrown error as errorType and errorMessage and keeps the environment', async () => {
    // Act
    const failed = await service.invoke('throws', {});
    const again = await service.invoke('throws', {});

    // Assess
    expect(failed).toMatchObject({
      status: 'error',
      errorType: 'PaymentGatewayUnavailableError',
      errorMessage: 'gateway down',
    });
    expect(again.initDurationMs).toBeUndefined();
  });

  it('fails the invocation and discards the environment on an unhandled rejection', async () => {
    // Act
    const failed = await service.invoke('throws', { unhandled: true });
    const next = await service.invoke('throws', {});

    // Assess
    expect(failed).toMatchObject({
      status: 'error',
      errorType: 'Runtime.UnhandledPromiseRejection',
      errorMessage: 'Error: nobody awaited this',
    });
    expect(next.initDurationMs).toBeDefined();
  });

  it('reports an error thrown while loading the handler as the invocation error', async () => {
    // Act
    const result = await service.invoke('init-fails', {});

    // Assess
    expect(result).toMatchObject({
      status: 'error',
      errorType: 'Error',
      errorMessage: 'Environment variable MUST_BE_SET is required',
    });
  });

  it('rejects an event over the 6 MB synchronous payload limit without invoking', async () => {
    // Prepare
    const event = { blob: 'x'.repeat(6 * 1024 * 1024) };

    // Act
    const result = await service.invoke('echo', event);

    // Assess
    expect(result).toMatchObject({ status: 'error', errorType: 'RequestEntityTooLargeException' });
  });

  it('logs one line per invocation with the outcome and the duration', async () => {
    // Prepare
    const linesBefore = logLines.length;

    // Act
    await service.invoke('throws', {});

    // Assess
    const lines = logLines.slice(linesBefore);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^λ throws error PaymentGatewayUnavailableError: gateway down \d+ ms/);
  });
});

describe('LambdaService function logs', () => {
  it('passes the function output through only when asked to', async () => {
    // Prepare
    const quiet: string[] = [];
    const verbose: string[] = [];
    const [quietService, verboseService] = await Promise.all([
      LambdaService.start({ ...TEST_SERVICE_OPTIONS, functions: [fixtureFunction('writes-logs')], log: (line) => quiet.push(line) }),
      LambdaService.start({
        ...TEST_SERVICE_OPTIONS,
        functions: [fixtureFunction('writes-logs')],
        functionLogs: true,
        log: (line) => verbose.push(line),
      }),
    ]);

    try {
      // Act
      await quietService.invoke('writes-logs', { marker: 'quiet' });
      await verboseService.invoke('writes-logs', { marker: 'verbose' });
      await eventually(() => (verbose.some((line) => line.includes('warning for verbose')) ? true : undefined), {
        what: 'the function output',
      });

      // Assess
      expect(quiet).toHaveLength(1);
      expect(verbose).toContain('[writes-logs] {"level":"INFO","message":"handled","marker":"verbose"}');
    } finally {
      await Promise.all([quietService.stop(), verboseService.stop()]);
    }
  });
});

describe('LambdaService.stop', () => {
  it('kills every environment by PID and refuses further invocations', async () => {
    // Prepare
    const service = await LambdaService.start({
      ...TEST_SERVICE_OPTIONS,
      functions: [fixtureFunction('sleep'), fixtureFunction('hang', { timeoutSeconds: 30 })],
      log: () => undefined,
    });
    await service.invoke('sleep', { ms: 1 });
    const inFlight = service.invoke('hang', {});
    await eventually(() => (service.livePids().length === 2 ? true : undefined), { what: 'two environments' });
    const pids = service.livePids();

    // Act
    await service.stop();

    // Assess
    expect(pids.filter(isProcessAlive)).toEqual([]);
    expect(service.livePids()).toEqual([]);
    await expect(inFlight).resolves.toMatchObject({ status: 'crash', signal: 'SIGKILL' });
    await expect(service.invoke('sleep', { ms: 1 })).rejects.toThrow(LambdaServiceStoppedError);
  });
});

describe('LambdaService after a timeout', () => {
  it('never hands the killed environment to the next invocation', async () => {
    // Prepare: one environment at most, so a reused environment would be the timed-out one.
    const service = await LambdaService.start({
      ...TEST_SERVICE_OPTIONS,
      functions: [fixtureFunction('sleep', { timeoutSeconds: 1, maxConcurrency: 1 })],
      log: () => undefined,
    });
    try {
      // Act: the next invocation is queued behind the one that times out, and runs the moment it is released.
      const timedOut = service.invoke('sleep', { ms: 5_000 });
      const next = service.invoke('sleep', { ms: 1 });

      // Assess
      await expect(timedOut).resolves.toMatchObject({ status: 'timeout' });
      await expect(next).resolves.toMatchObject({ status: 'ok' });
    } finally {
      await service.stop();
    }
  });
});
