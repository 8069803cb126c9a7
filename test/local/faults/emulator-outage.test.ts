/**
 * An emulator unavailable to the pipeline for several seconds under load, then back.
 *
 * Mechanism: a TCP fault proxy (support/fault-proxy.ts) between the runtime and each emulator; the
 * runtime is started with DYNAMODB_PORT / SNS_SQS_PORT pointing at the proxies, so the functions,
 * the SQS pollers and the stream poller all go through them. Chosen over SIGSTOP/SIGCONT of the
 * emulator's PID because it can model both failures (`refuse`: the emulator is down, requests in
 * flight are reset and connections refused; `blackhole`: it hangs, nothing is answered), it
 * switches in milliseconds, it leaves the cloud process (which exits when an emulator dies) and
 * the emulators' own timers untouched, and the test's checker still reads the emulators directly.
 *
 * While DynamoDB is unavailable the API must answer 503 (not 500, not 502, and never hang), and
 * while SNS/SQS is it must go on accepting orders; nothing answered 202 may be lost, and the
 * pipeline must catch up once the emulator is back.
 *
 * The relay must ride out a few seconds of SNS outage by itself: Lambda retries a failed stream
 * batch at once, and the SDK stops retrying once its client's retry quota is spent, so before the
 * relay paused ahead of reporting refused events (OUTBOX_RELAY.unpublishedPauseSeconds) its retries
 * ran out within the outage and the events waited minutes for the sweeper. No relay on-failure
 * message is tolerated here.
 */
import type { AcceptedOrder } from '../support/invariants';
import type { LocalStack } from '../support/local-stack';
import { expectPipelineSettled } from './support/expect-pipeline-settled';
import { FaultPlan } from './support/fault-plan';
import { FaultProxy, type ProxyMode } from './support/fault-proxy';
import { startFaultStack, stopFaultStack } from './support/fault-stack';
import { expectationOf } from './support/order-client';
import { startOrderLoad, type TimedAttempt } from './support/order-load';
import { eventually } from '../support/eventually';

const BASE_PORT = 19540;
/** The stack takes basePort … basePort + 3 (API, DynamoDB Local, fauxqs, X-Ray daemon). */
const DYNAMODB_PROXY_PORT = BASE_PORT + 5;
const SNS_SQS_PROXY_PORT = BASE_PORT + 6;
const OUTAGE_MS = 5_000;
/**
 * After an outage the relay and the consumers work through a backlog: at the default 0.05 their
 * timeouts hit the 3 s floor, which full batches overrun on a loaded 2-core machine. 0.15 gives
 * the relay 4.5 s (consumers stay on the floor).
 */
const TIME_SCALE = 0.15;
/** The client's bound on one request: an API that hangs shows up as `no-answer`. */
const REQUEST_TIMEOUT_MS = 12_000;
/** Catching up takes a visibility timeout or two, more on a loaded machine. */
const SETTLE_TIMEOUT_MS = 180_000;
const TEST_TIMEOUT_MS = 300_000;
const plan = FaultPlan.create();
let stack: LocalStack;
let proxies: { readonly dynamodb: FaultProxy; readonly snsSqs: FaultProxy };
const accepted: AcceptedOrder[] = [];

beforeAll(async () => {
  proxies = {
    dynamodb: await FaultProxy.start({ port: DYNAMODB_PROXY_PORT, targetPort: BASE_PORT + 1 }),
    snsSqs: await FaultProxy.start({ port: SNS_SQS_PROXY_PORT, targetPort: BASE_PORT + 2 }),
  };
  stack = await startFaultStack(plan, {
    basePort: BASE_PORT,
    timeScale: TIME_SCALE,
    runtimeEnv: { DYNAMODB_PORT: String(DYNAMODB_PROXY_PORT), SNS_SQS_PORT: String(SNS_SQS_PROXY_PORT) },
  });
}, 120_000);

afterAll(async () => {
  await stopFaultStack(stack, plan, 'emulator-outage');
  await Promise.all([proxies?.dynamodb.stop(), proxies?.snsSqs.stop()]);
});

interface Outage {
  readonly startedAt: number;
  readonly endedAt: number;
  readonly attempts: readonly TimedAttempt[];
}

/** Orders flow, the emulator goes away for OUTAGE_MS, comes back, orders flow again. */
async function outageUnderLoad(proxy: FaultProxy, mode: Exclude<ProxyMode, 'forward'>): Promise<Outage> {
  const load = startOrderLoad(stack.apiUrl, { clients: 2, requestTimeoutMs: REQUEST_TIMEOUT_MS });
  try {
    await load.waitForAccepted(8);
    const startedAt = Date.now();
    await proxy.setMode(mode);
    await eventually(() => (Date.now() - startedAt >= OUTAGE_MS ? true : undefined), { timeoutMs: OUTAGE_MS * 2, intervalMs: 100 });
    await proxy.setMode('forward');
    const endedAt = Date.now();
    await load.waitForAccepted(load.acceptedCount() + 8);
    const result = await load.stop();
    for (const [intent, attempt] of result.accepted) accepted.push(expectationOf(intent, attempt));
    expect(result.accepted.size).toBe(result.intents.length);
    return { startedAt, endedAt, attempts: result.attempts };
  } finally {
    await proxy.setMode('forward');
    await load.stop(0);
  }
}

/** Attempts sent once the outage had begun and answered before it ended. */
function within(outage: Outage): TimedAttempt[] {
  return outage.attempts.filter((attempt) => attempt.startedAt >= outage.startedAt && attempt.endedAt <= outage.endedAt);
}

const statusCounts = (attempts: readonly TimedAttempt[]): Record<string, number> =>
  attempts.reduce<Record<string, number>>((counts, attempt) => ({ ...counts, [attempt.status]: (counts[attempt.status] ?? 0) + 1 }), {});

describe.each([
  { failure: 'down (connections refused)', mode: 'refuse' },
  { failure: 'hung (nothing answered)', mode: 'blackhole' },
] as const)('DynamoDB Local $failure for several seconds under load', ({ mode }) => {
  it('answers 503 while it is unavailable, loses nothing it accepted, and catches up', async () => {
    // Act
    const outage = await outageUnderLoad(proxies.dynamodb, mode);

    // Assess
    // Every request was answered, accepted or refused with a 503: no 500, no 502, no hang.
    expect(Object.keys(statusCounts(outage.attempts)).sort()).toEqual(['202', '503']);
    // The ones sent and answered while DynamoDB was away were all refused, well before the client gave up.
    const during = within(outage);
    expect(during.length).toBeGreaterThan(0);
    expect(statusCounts(during)).toEqual({ 503: during.length });
    expect(Math.max(...during.map((attempt) => attempt.durationMs))).toBeLessThan(REQUEST_TIMEOUT_MS);
    await expectPipelineSettled(stack, accepted, SETTLE_TIMEOUT_MS);
  }, TEST_TIMEOUT_MS);
});

describe.each([
  { failure: 'down (connections refused)', mode: 'refuse' },
  { failure: 'hung (nothing answered)', mode: 'blackhole' },
] as const)('the SNS/SQS emulator $failure for several seconds under load', ({ mode }) => {
  it('goes on accepting orders, loses none, and catches up once it is back', async () => {
    // Act
    const outage = await outageUnderLoad(proxies.snsSqs, mode);

    // Assess: the API writes only to DynamoDB; events wait in the outbox until SNS is back.
    expect(within(outage).length).toBeGreaterThan(0);
    expect(statusCounts(outage.attempts)).toEqual({ 202: outage.attempts.length });
    await expectPipelineSettled(stack, accepted, SETTLE_TIMEOUT_MS);
  }, TEST_TIMEOUT_MS);
});
