/**
 * The outbox relay SIGKILLed between publishing events and marking their outbox items SENT, and in
 * the middle of a batch whose events go out in several PublishBatch requests. A crashed invocation
 * leaves the stream checkpoint where it was, so the batch is delivered again: events are published
 * twice (observed in the journal of the relay's PublishBatch requests) and the consumers must
 * absorb the duplicates; no event may be lost.
 */
import { OUTBOX_RELAY } from '../../../src/common/settings';
import type { AcceptedOrder } from '../support/invariants';
import type { LocalStack } from '../support/local-stack';
import { expectPipelineSettled } from './support/expect-pipeline-settled';
import { eventIdsOfPublishBatch, FaultPlan, type FaultRule } from './support/fault-plan';
import { startFaultStack, stopFaultStack } from './support/fault-stack';
import { expectationOf, mapConcurrently, orderIntent, placeUntilAccepted } from './support/order-client';

const BASE_PORT = 19510;
/**
 * The relay's 30 s timeout scales to 6 s (instead of the 3 s floor at the default 0.05), so that a
 * batch of a hundred records is not cut short by a loaded machine as well as by the test's kills.
 * Nothing here waits for a visibility timeout, so the longer ones cost nothing.
 */
const TIME_SCALE = 0.2;
const TEST_TIMEOUT_MS = 120_000;
/** An observer, not a fault: journals every PublishBatch the relay sends. */
const PUBLISHES: FaultRule = { id: '', functionName: OUTBOX_RELAY.id, operation: 'PublishBatch', when: 'after-response', times: 0 };

const plan = FaultPlan.create();
let stack: LocalStack;
const accepted: AcceptedOrder[] = [];

beforeAll(async () => {
  stack = await startFaultStack(plan, { basePort: BASE_PORT, timeScale: TIME_SCALE });
}, 120_000);

afterEach(() => plan.disarm());

afterAll(() => stopFaultStack(stack, plan, 'relay-crash'));

/** Places `count` orders, 8 at a time; returns their OrderCreated event ids. */
async function placeOrders(count: number): Promise<string[]> {
  const intents = Array.from({ length: count }, () => orderIntent());
  const placements = await mapConcurrently(intents, 8, (intent) => placeUntilAccepted(stack.apiUrl, intent));
  return placements.map((placement) => {
    expect(placement.accepted?.status).toBe(202);
    accepted.push(expectationOf(placement.intent, placement.accepted!));
    return placement.accepted!.accepted!.eventId;
  });
}

/** How many PublishBatch requests carried each event id. */
function publishCounts(observerId: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const request of plan.requests(observerId)) {
    for (const eventId of eventIdsOfPublishBatch(request.body)) counts.set(eventId, (counts.get(eventId) ?? 0) + 1);
  }
  return counts;
}

/** The event id an outbox UpdateItem (mark SENT) is for. */
function eventIdOfMarkSent(body: string): string {
  const key = (JSON.parse(body) as { Key?: { eventId?: { S?: string } } }).Key?.eventId?.S;
  if (key === undefined) throw new Error(`Not an outbox UpdateItem: ${body}`);
  return key;
}

describe('an outbox relay killed after PublishBatch succeeded, before the items are marked SENT', () => {
  it.each([
    {
      timing: 'as the first PublishBatch response arrives',
      orders: 1,
      fault: { operation: 'PublishBatch', when: 'after-response' } as const,
    },
    {
      timing: 'before the first SENT mark leaves',
      orders: 1,
      fault: { operation: 'UpdateItem', when: 'before-request' } as const,
    },
    {
      timing: 'before a later SENT mark of a batch leaves, some items already marked',
      orders: 6,
      fault: { operation: 'UpdateItem', when: 'before-request', whileSiblingInFlight: true } as const,
    },
  ])('publishes the events again and the consumers absorb the duplicates ($timing)', async ({ orders, fault }) => {
    // Prepare
    const ruleId = `relay-${fault.operation}-${fault.when}-${orders}`;
    const observerId = `${ruleId}-publishes`;
    plan.arm({ id: ruleId, functionName: OUTBOX_RELAY.id, ...fault }, { ...PUBLISHES, id: observerId });

    // Act
    await placeOrders(orders);
    const report = await expectPipelineSettled(stack, accepted);

    // Assess
    const [killed, ...moreKills] = plan.killedRequests(ruleId);
    expect(killed).toBeDefined();
    expect(moreKills).toEqual([]);
    const unconfirmed = fault.operation === 'PublishBatch' ? eventIdsOfPublishBatch(killed!.body) : [eventIdOfMarkSent(killed!.body)];
    expect(unconfirmed.length).toBeGreaterThan(0);
    const counts = publishCounts(observerId);
    // Published before the kill, and again by the invocation that replaced it.
    for (const eventId of unconfirmed) expect(counts.get(eventId) ?? 0).toBeGreaterThanOrEqual(2);
    expect(report.ok).toBe(true);
  }, TEST_TIMEOUT_MS);
});

describe('an outbox relay killed in the middle of a batch', () => {
  /**
   * Arms a kill that fires only while another PublishBatch of the same environment is in flight,
   * i.e. in a batch of more than 10 events, and places bursts of orders until it has fired:
   * records that arrive while the relay is busy make such a batch. Returns the test's event ids
   * and how often each was published.
   */
  async function crashMidBatch(ruleId: string, fault: Pick<FaultRule, 'when' | 'times'>) {
    const observerId = `${ruleId}-publishes`;
    plan.arm(
      { id: ruleId, functionName: OUTBOX_RELAY.id, operation: 'PublishBatch', whileSiblingInFlight: true, ...fault },
      { ...PUBLISHES, id: observerId },
    );
    const eventIds: string[] = [];
    for (let burst = 0; burst < 5 && plan.kills(ruleId).length < (fault.times ?? 1); burst += 1) {
      eventIds.push(...(await placeOrders(20)));
    }
    const report = await expectPipelineSettled(stack, accepted);
    return { eventIds, counts: publishCounts(observerId), report };
  }

  it.each([
    { timing: 'as one PublishBatch chunk is answered while another is in flight', times: 1 },
    { timing: 'twice, the retried batch crashing mid-way too', times: 2 },
  ])('loses no event and publishes the answered chunks again ($timing)', async ({ times }) => {
    // Prepare, Act
    const ruleId = `relay-mid-batch-after-${times}`;
    const { eventIds, counts, report } = await crashMidBatch(ruleId, { when: 'after-response', times });

    // Assess
    expect(plan.kills(ruleId)).toHaveLength(times);
    for (const eventId of eventIds) expect(counts.get(eventId) ?? 0).toBeGreaterThanOrEqual(1);
    expect([...counts.values()].filter((publishes) => publishes > 1).length).toBeGreaterThan(0);
    expect(report.ok).toBe(true);
  }, TEST_TIMEOUT_MS);

  it('loses no event when killed as a PublishBatch chunk leaves while another is in flight', async () => {
    // Prepare, Act
    const ruleId = 'relay-mid-batch-before';
    const { eventIds, counts, report } = await crashMidBatch(ruleId, { when: 'before-request', times: 1 });

    // Assess: the chunk in flight may or may not have reached SNS before its process died.
    expect(plan.kills(ruleId)).toHaveLength(1);
    for (const eventId of eventIds) expect(counts.get(eventId) ?? 0).toBeGreaterThanOrEqual(1);
    expect(report.ok).toBe(true);
  }, TEST_TIMEOUT_MS);
});
