/**
 * The order writer (the OrderApi function) SIGKILLed on either side of its transaction's commit,
 * by kill-after.cjs preloaded into its execution environments: the client must be able to retry
 * with the same Idempotency-Key and end up with exactly one order and one set of downstream effects.
 */
import { ORDER_API_FUNCTION } from '../../../src/common/settings';
import type { AcceptedOrder } from '../support/invariants';
import type { LocalStack } from '../support/local-stack';
import { expectPipelineSettled } from './support/expect-pipeline-settled';
import { FaultPlan } from './support/fault-plan';
import { startFaultStack, stopFaultStack } from './support/fault-stack';
import {
  expectationOf,
  expectationsFoundByKey,
  mapConcurrently,
  orderIntent,
  placeUntilAccepted,
  sendOrder,
  type Placement,
} from './support/order-client';

const BASE_PORT = 19500;
/** A crash costs a cold start; a redelivery waits out a visibility timeout (5 s at the test time scale). */
const TEST_TIMEOUT_MS = 90_000;

const plan = FaultPlan.create();
let stack: LocalStack;
/** Every order accepted on this stack: the checker looks at all of them after every test. */
const accepted: AcceptedOrder[] = [];

beforeAll(async () => {
  stack = await startFaultStack(plan, { basePort: BASE_PORT });
}, 120_000);

afterEach(() => plan.disarm());

afterAll(() => stopFaultStack(stack, plan, 'order-writer-crash'));

/**
 * The placements whose request a kill hit (found by the Idempotency-Key in the journalled request
 * body), once per kill. Other attempts may fail too: on a loaded machine a cold environment can run
 * past the API's 3 s local timeout, which API Gateway also answers 502. Those are not asserted on;
 * the invariants must hold whatever happened.
 */
function placementsHitBy(ruleId: string, placements: readonly Placement[]): Placement[] {
  return plan.killedRequests(ruleId).map((request) => {
    const placement = placements.find((candidate) => request.body.includes(candidate.intent.idempotencyKey));
    if (placement === undefined) throw new Error(`Killed request ${request.ordinal} of ${ruleId} carries none of the test's keys`);
    return placement;
  });
}

const statusesOf = (placement: Placement): (number | 'no-answer')[] => placement.attempts.map((attempt) => attempt.status);

describe('an order writer killed before its transaction commits', () => {
  it('answers 502, leaves no trace of the request, and the retry with the same key creates the order once', async () => {
    // Prepare
    plan.arm({ id: 'before-first-commit', functionName: ORDER_API_FUNCTION.id, operation: 'TransactWriteItems', when: 'before-request' });
    const intent = orderIntent();

    // Act
    const crashed = await sendOrder(stack.apiUrl, intent);
    const claimedBeforeRetry = await expectationsFoundByKey(stack, [intent]);
    const retried = await placeUntilAccepted(stack.apiUrl, intent);

    // Assess
    expect(plan.kills('before-first-commit')).toHaveLength(1);
    expect(crashed.status).toBe(502);
    expect(claimedBeforeRetry).toEqual([]);
    expect(retried.accepted?.status).toBe(202);
    accepted.push(expectationOf(intent, retried.accepted!));
    await expectPipelineSettled(stack, accepted);
  }, TEST_TIMEOUT_MS);

  it.each([
    { timing: 'the fourth transaction of a burst of 8', burst: 8, skip: 3, times: 1 },
    { timing: 'two transactions in a row, so the first retry crashes too', burst: 1, skip: 0, times: 2 },
    { timing: 'three transactions of a burst of 12', burst: 12, skip: 2, times: 3 },
  ])('loses nothing and duplicates nothing when killed before $timing', async ({ burst, skip, times }) => {
    // Prepare
    const ruleId = `before-commit-${burst}-${skip}-${times}`;
    plan.arm({ id: ruleId, functionName: ORDER_API_FUNCTION.id, operation: 'TransactWriteItems', when: 'before-request', skip, times });
    const intents = Array.from({ length: burst }, () => orderIntent());

    // Act
    const placements = await mapConcurrently(intents, 8, (intent) => placeUntilAccepted(stack.apiUrl, intent));

    // Assess
    const hit = placementsHitBy(ruleId, placements);
    expect(hit).toHaveLength(times);
    for (const placement of hit) expect(statusesOf(placement)).toContain(502);
    for (const placement of placements) {
      expect(placement.accepted?.status).toBe(202);
      accepted.push(expectationOf(placement.intent, placement.accepted!));
    }
    await expectPipelineSettled(stack, accepted);
  }, TEST_TIMEOUT_MS);
});

describe('an order writer killed after its transaction commits, before it answers', () => {
  it('answers 502, and the retry with the same key returns the order that was committed', async () => {
    // Prepare
    plan.arm({ id: 'after-first-commit', functionName: ORDER_API_FUNCTION.id, operation: 'TransactWriteItems', when: 'after-response' });
    const intent = orderIntent();

    // Act
    const crashed = await sendOrder(stack.apiUrl, intent);
    const [committed] = await expectationsFoundByKey(stack, [intent]);
    const retried = await placeUntilAccepted(stack.apiUrl, intent);

    // Assess
    expect(plan.kills('after-first-commit')).toHaveLength(1);
    expect(crashed.status).toBe(502);
    expect(committed).toBeDefined();
    expect(retried.accepted).toMatchObject({ status: 202, replayed: true, accepted: { orderId: committed?.orderId } });
    accepted.push(expectationOf(intent, retried.accepted!));
    await expectPipelineSettled(stack, accepted);
  }, TEST_TIMEOUT_MS);

  it.each([
    { timing: 'the third commit of a burst of 8', burst: 8, skip: 2, times: 1 },
    { timing: 'three commits of a burst of 12', burst: 12, skip: 1, times: 3 },
  ])('creates each order once when killed after $timing', async ({ burst, skip, times }) => {
    // Prepare
    const ruleId = `after-commit-${burst}-${skip}-${times}`;
    plan.arm({ id: ruleId, functionName: ORDER_API_FUNCTION.id, operation: 'TransactWriteItems', when: 'after-response', skip, times });
    const intents = Array.from({ length: burst }, () => orderIntent());

    // Act
    const placements = await mapConcurrently(intents, 8, (intent) => placeUntilAccepted(stack.apiUrl, intent));

    // Assess
    const hit = placementsHitBy(ruleId, placements);
    expect(hit).toHaveLength(times);
    // The killed requests had committed: the retries that succeeded are replays of those orders.
    for (const placement of hit) {
      expect(statusesOf(placement)).toContain(502);
      expect(placement.accepted).toMatchObject({ status: 202, replayed: true });
    }
    for (const placement of placements) {
      expect(placement.accepted?.status).toBe(202);
      accepted.push(expectationOf(placement.intent, placement.accepted!));
    }
    await expectPipelineSettled(stack, accepted);
  }, TEST_TIMEOUT_MS);
});
