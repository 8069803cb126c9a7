/**
 * The whole runtime (the API, every execution environment, the SQS pollers and the stream poller)
 * SIGKILLed twice in the middle of a burst of 1,000 orders, and restarted each time while the cloud
 * keeps its state. The client places every order with an Idempotency-Key and keeps retrying what
 * failed or went unanswered; the stream poller must resume from its checkpoint, the messages that
 * were in flight must come back after their visibility timeout, and every order must complete.
 */
import { OUTBOX_RELAY } from '../../../src/common/settings';
import type { AcceptedOrder } from '../support/invariants';
import type { LocalStack } from '../support/local-stack';
import { expectPipelineSettled } from './support/expect-pipeline-settled';
import { eventIdsOfPublishBatch, FaultPlan } from './support/fault-plan';
import { killRuntime, runtimeOutput, startFaultStack, stopFaultStack } from './support/fault-stack';
import {
  expectationOf,
  expectationsFoundByKey,
  mapConcurrently,
  orderIntent,
  placeUntilAccepted,
  type Placement,
} from './support/order-client';

const BASE_PORT = 19530;
/**
 * A thousand orders are a backlog for a 2-core machine: at the default 0.05 the relay's and the
 * consumers' timeouts sit on the 3 s floor, which full batches overrun under this load, and a
 * batch that keeps timing out ends in its DLQ. 0.5 gives the relay 15 s and the consumers 8 s; the
 * in-flight messages of a killed runtime come back after 45 s.
 */
const TIME_SCALE = 0.5;
/** Generous: on a machine shared with other work the burst alone can take minutes. */
const SETTLE_TIMEOUT_MS = 360_000;
const ORDERS = 1_000;
/**
 * Callers at once. More only build a deeper backlog downstream: every consumer then scales to its
 * 10 environments at once, and 40 cold starts on 2 cores run full batches past their timeouts.
 */
const CLIENT_CONCURRENCY = 4;
/** The runtime is killed when this many orders have been accepted. */
const KILL_AT_ACCEPTED = [300, 700] as const;

const plan = FaultPlan.create();
let stack: LocalStack;

beforeAll(async () => {
  stack = await startFaultStack(plan, { basePort: BASE_PORT, timeScale: TIME_SCALE });
}, 120_000);

afterAll(() => stopFaultStack(stack, plan, 'runtime-crash'));

describe('the whole runtime killed in the middle of a burst of orders', () => {
  it('completes every order once after each restart', async () => {
    // Prepare: an observer (no kill) journals every PublishBatch of the relay.
    plan.arm({ id: 'relay-publishes', functionName: OUTBOX_RELAY.id, operation: 'PublishBatch', when: 'after-response', times: 0 });
    const intents = Array.from({ length: ORDERS }, () => orderIntent());
    let acceptedCount = 0;
    const restarts: Promise<void>[] = [];
    const killedRuntimes: number[] = [];
    const restartWhenDue = (): void => {
      const due = KILL_AT_ACCEPTED[restarts.length];
      if (due === undefined || acceptedCount < due) return;
      const previous = restarts.at(-1) ?? Promise.resolve();
      restarts.push(
        previous.then(async () => {
          killedRuntimes.push(stack.runtime().pid);
          await killRuntime(stack);
          await stack.startRuntime();
        }),
      );
    };

    // Act
    const placements = await mapConcurrently(intents, CLIENT_CONCURRENCY, async (intent): Promise<Placement> => {
      const placement = await placeUntilAccepted(stack.apiUrl, intent, { deadlineMs: 180_000, retryDelayMs: 250 });
      if (placement.accepted !== undefined) acceptedCount += 1;
      restartWhenDue();
      return placement;
    });
    await Promise.all(restarts);
    const answered: AcceptedOrder[] = placements.flatMap((placement) =>
      placement.accepted === undefined ? [] : [expectationOf(placement.intent, placement.accepted)],
    );
    const unanswered = placements.filter((placement) => placement.accepted === undefined).map((placement) => placement.intent);
    const expected = [...answered, ...(await expectationsFoundByKey(stack, unanswered))];
    await expectPipelineSettled(stack, expected, SETTLE_TIMEOUT_MS);

    // Assess
    expect(killedRuntimes).toHaveLength(KILL_AT_ACCEPTED.length);
    expect(answered).toHaveLength(ORDERS);
    // The kills hit requests in flight: some attempts went unanswered or failed, and were retried.
    const failedAttempts = placements.flatMap((placement) => placement.attempts.filter((attempt) => attempt.status !== 202));
    expect(failedAttempts.length).toBeGreaterThan(0);
    // Each restarted stream poller resumed after its checkpoint, not from the start of the stream.
    const startingPositions = runtimeOutput(stack).flatMap((line) => /polling from (.*)$/.exec(line)?.[1] ?? []);
    expect(startingPositions).toEqual(['TRIM_HORIZON', ...KILL_AT_ACCEPTED.map(() => expect.stringMatching(/^after \d+$/))]);
    // Every event went out, some twice (the batches in flight at the kills, or cut short by a timeout).
    const publishes = new Map<string, number>();
    for (const request of plan.requests('relay-publishes')) {
      for (const eventId of eventIdsOfPublishBatch(request.body)) publishes.set(eventId, (publishes.get(eventId) ?? 0) + 1);
    }
    expect(publishes.size).toBe(ORDERS);
  }, 720_000);
});
