/**
 * Queue consumers SIGKILLed between their steps. A crashed invocation deletes nothing, so its whole
 * batch comes back after the queue's visibility timeout (5 s at the test time scale):
 * - payment and inventory killed after their conditional write, before publishing the outcome, or
 *   after publishing it, before the message is deleted: the retry publishes the stored outcome,
 *   under the same event id and with the same bytes, and notification records it once;
 * - notification killed after recording, before the message is deleted: the redelivery finds the
 *   record and changes nothing;
 * - order-status killed between its two conditional writes: the redelivery finishes the job.
 */
import { INVENTORY_CONSUMER, NOTIFICATION_CONSUMER, ORDER_STATUS_CONSUMER, PAYMENT_CONSUMER } from '../../../src/common/settings';
import { eventually } from '../support/eventually';
import type { AcceptedOrder } from '../support/invariants';
import type { LocalStack } from '../support/local-stack';
import { expectPipelineSettled } from './support/expect-pipeline-settled';
import { FaultPlan, type FaultRule, type JournalledRequest } from './support/fault-plan';
import { startFaultStack, stopFaultStack } from './support/fault-stack';
import { expectationOf, mapConcurrently, orderIntent, placeUntilAccepted } from './support/order-client';

const BASE_PORT = 19520;
const TEST_TIMEOUT_MS = 90_000;

const plan = FaultPlan.create();
let stack: LocalStack;
const accepted: AcceptedOrder[] = [];

beforeAll(async () => {
  stack = await startFaultStack(plan, { basePort: BASE_PORT });
}, 120_000);

afterEach(() => plan.disarm());

afterAll(() => stopFaultStack(stack, plan, 'consumer-crash'));

async function placeOrders(count: number): Promise<void> {
  const intents = Array.from({ length: count }, () => orderIntent());
  const placements = await mapConcurrently(intents, 8, (intent) => placeUntilAccepted(stack.apiUrl, intent));
  for (const placement of placements) {
    expect(placement.accepted?.status).toBe(202);
    accepted.push(expectationOf(placement.intent, placement.accepted!));
  }
}

/** Bursts a test may place before the fault it armed has fired as often as it asked. */
const MAX_BURSTS = 4;
/** How long a burst's kills may take to happen once its orders are accepted. */
const KILL_WAIT_MS = 20_000;

/**
 * Places bursts of `count` orders until the rule `ruleId` has killed `times` processes. How many
 * matching requests one burst makes depends on how the poller batched it: a process can send every
 * write of its batch before the first of them kills it, and the redeliveries then find the records
 * already written, so a second kill can need another burst.
 */
async function placeOrdersUntilKilled(ruleId: string, count: number, times: number): Promise<void> {
  for (let burst = 1; plan.kills(ruleId).length < times; burst += 1) {
    if (burst > MAX_BURSTS) throw new Error(`${ruleId}: ${plan.kills(ruleId).length} of ${times} kills after ${MAX_BURSTS} bursts`);
    await placeOrders(count);
    const deadline = Date.now() + KILL_WAIT_MS;
    while (plan.kills(ruleId).length < times && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** An attribute of the item a journalled PutItem wrote (DynamoDB JSON, string attributes only). */
function putItemAttribute(request: JournalledRequest, name: string): string {
  const value = (JSON.parse(request.body) as { Item?: Record<string, { S?: string }> }).Item?.[name]?.S;
  if (value === undefined) throw new Error(`PutItem request ${request.ordinal} has no string attribute ${name}`);
  return value;
}

/** Each `Message` of a journalled PublishBatch request, by the event id in it. */
function publishedMessages(requests: readonly JournalledRequest[]): { eventId: string; orderId: string; message: string }[] {
  return requests.flatMap((request) =>
    [...new URLSearchParams(request.body)]
      .filter(([name]) => /^PublishBatchRequestEntries\.member\.\d+\.Message$/.test(name))
      .map(([, message]) => {
        const event = JSON.parse(message) as { eventId: string; data: { orderId: string } };
        return { eventId: event.eventId, orderId: event.data.orderId, message };
      }),
  );
}

const OUTCOME_DECIDERS = [
  { service: 'payment', functionName: PAYMENT_CONSUMER.id, table: 'payments' },
  { service: 'inventory', functionName: INVENTORY_CONSUMER.id, table: 'inventory' },
] as const;

describe.each(OUTCOME_DECIDERS)('$service killed between deciding and publishing', ({ service, functionName, table }) => {
  it.each([
    { timing: 'the first order', orders: 1, skip: 0, times: 1 },
    { timing: 'two batches of a burst of 10', orders: 10, skip: 2, times: 2 },
  ])('republishes the stored outcome under the same event id when killed after its conditional write ($timing)', async ({ orders, skip, times }) => {
    // Prepare
    const ruleId = `${service}-after-write-${orders}`;
    const tableName = stack.resources.tableNames[table];
    const observer: FaultRule = { id: `${ruleId}-publishes`, functionName, operation: 'PublishBatch', when: 'after-response', times: 0 };
    plan.arm(
      { id: ruleId, functionName, operation: 'PutItem', bodyIncludes: `"TableName":"${tableName}"`, when: 'after-response', skip, times },
      observer,
    );

    // Act
    await placeOrdersUntilKilled(ruleId, orders, times);
    await expectPipelineSettled(stack, accepted);

    // Assess
    const killedWrites = plan.killedRequests(ruleId);
    expect(killedWrites).toHaveLength(times);
    const published = publishedMessages(plan.requests(observer.id));
    for (const write of killedWrites) {
      // What the killed invocation decided and stored, before it could publish anything.
      const decided = { eventId: putItemAttribute(write, 'outcomeEventId'), message: putItemAttribute(write, 'outcomeEvent') };
      const outcomesOfOrder = published.filter((event) => event.orderId === putItemAttribute(write, 'orderId'));
      expect(outcomesOfOrder.length).toBeGreaterThanOrEqual(1);
      for (const outcome of outcomesOfOrder) expect({ eventId: outcome.eventId, message: outcome.message }).toEqual(decided);
    }
  }, TEST_TIMEOUT_MS);

  it.each([
    { timing: 'the first order', orders: 1, skip: 0, times: 1 },
    { timing: 'two batches of a burst of 10', orders: 10, skip: 1, times: 2 },
  ])('publishes the same outcome event again when killed after publishing, before the message is deleted ($timing)', async ({ orders, skip, times }) => {
    // Prepare
    const ruleId = `${service}-after-publish-${orders}`;
    const observer: FaultRule = { id: `${ruleId}-publishes`, functionName, operation: 'PublishBatch', when: 'after-response', times: 0 };
    plan.arm({ id: ruleId, functionName, operation: 'PublishBatch', when: 'after-response', skip, times }, observer);

    // Act: the pipeline can look complete before the crashed batch comes back (the outcome was
    // out), so wait for the redelivery to publish again, then check everything once more.
    await placeOrdersUntilKilled(ruleId, orders, times);
    const killedPublishes = publishedMessages(plan.killedRequests(ruleId));
    const republished = await eventually(
      () => {
        const published = publishedMessages(plan.requests(observer.id));
        const again = killedPublishes.map((killed) => published.filter((event) => event.eventId === killed.eventId));
        return again.every((events) => events.length >= 2) ? again : undefined;
      },
      { timeoutMs: 30_000, what: 'the redelivered batches to publish their outcomes again' },
    );
    await expectPipelineSettled(stack, accepted);

    // Assess: every outcome the killed invocations had published went out again, byte for byte.
    expect(killedPublishes.length).toBeGreaterThanOrEqual(times);
    killedPublishes.forEach((killed, index) => {
      for (const event of republished[index] ?? []) expect(event).toEqual(killed);
    });
  }, TEST_TIMEOUT_MS);
});

describe('notification killed after recording, before the message is deleted', () => {
  it.each([
    { timing: 'the first notification', orders: 1, skip: 0, times: 1 },
    { timing: 'the third notification of a burst of 6', orders: 6, skip: 2, times: 1 },
    { timing: 'two notifications of a burst of 6', orders: 6, skip: 1, times: 2 },
  ])('absorbs the redelivery: the notification is recorded once ($timing)', async ({ orders, skip, times }) => {
    // Prepare
    const ruleId = `notification-after-record-${orders}-${skip}-${times}`;
    const tableName = stack.resources.tableNames.notifications;
    const fault = { functionName: NOTIFICATION_CONSUMER.id, operation: 'PutItem', bodyIncludes: `"TableName":"${tableName}"` } as const;
    plan.arm({ ...fault, id: ruleId, when: 'after-response', skip, times }, { ...fault, id: `${ruleId}-puts`, when: 'after-response', times: 0 });

    // Act: the record exists before the message comes back, so wait for the redelivery to try
    // recording it again, then check everything once more.
    await placeOrdersUntilKilled(ruleId, orders, times);
    const killedRecords = plan.killedRequests(ruleId).map((request) => putItemAttribute(request, 'notificationId'));
    const attempts = await eventually(
      () => {
        const puts = plan.requests(`${ruleId}-puts`).map((request) => putItemAttribute(request, 'notificationId'));
        const counts = killedRecords.map((notificationId) => puts.filter((id) => id === notificationId).length);
        return counts.every((count) => count >= 2) ? counts : undefined;
      },
      { timeoutMs: 30_000, what: 'the redelivered outcomes to be recorded again' },
    );
    await expectPipelineSettled(stack, accepted);

    // Assess: recorded, killed, redelivered, refused by the conditional put: one notification.
    expect(killedRecords).toHaveLength(times);
    for (const count of attempts) expect(count).toBeGreaterThanOrEqual(2);
  }, TEST_TIMEOUT_MS);
});

describe('order-status killed between its two conditional writes', () => {
  it.each([
    { timing: 'the first order', orders: 1, times: 1 },
    { timing: 'two orders of a burst of 6', orders: 6, times: 2 },
  ])('finishes the order on the redelivery ($timing)', async ({ orders, times }) => {
    // Prepare: the second outcome of an order sets its step, then (second write) the order's
    // status; the kill comes as that second write leaves, the step already recorded.
    const ruleId = `order-status-between-writes-${orders}`;
    plan.arm({
      id: ruleId,
      functionName: ORDER_STATUS_CONSUMER.id,
      operation: 'UpdateItem',
      bodyIncludes: '"#status":"status"',
      when: 'before-request',
      times,
    });

    // Act
    await placeOrdersUntilKilled(ruleId, orders, times);
    await expectPipelineSettled(stack, accepted);

    // Assess
    expect(plan.kills(ruleId)).toHaveLength(times);
  }, TEST_TIMEOUT_MS);
});
