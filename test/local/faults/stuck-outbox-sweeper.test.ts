/**
 * The relay gives up on events (its SNS endpoint is dead, so every publish fails until its retries
 * are exhausted), the on-failure queue holds only metadata, and the orders stay PENDING. The
 * sweeper, on its schedule, finds their outbox items through the pending index and publishes them
 * under their original event ids: every order completes exactly once.
 *
 * The fault is injected from outside src/ (LOCAL_FUNCTION_ENV). The runtime first runs without
 * schedules (LOCAL_SCHEDULES=off), as a stack whose sweeper rule is disabled, so the stuck state can
 * be observed before anything may repair it; then it restarts with the schedule on.
 */
import * as z from 'zod';
import { OUTBOX_STATUS } from '../../../src/common/outbox-item';
import { EVENT_TYPES } from '../../../src/common/events';
import { OUTBOX_RELAY, OUTBOX_SWEEPER, TABLES } from '../../../src/common/settings';
import { eventually } from '../support/eventually';
import { expectPipelineSettled } from './support/expect-pipeline-settled';
import { getOrder, placeOrder, type OrderAcceptedBody } from '../support/order-client';
import { peekQueue, readPipelineState, subscribeTopicTap, type QueuedMessage, type TableItem } from '../support/pipeline-state';
import { startLocalStack, type LocalStack } from '../support/local-stack';

const BASE_PORT = 19300;
/** In this file's port range and never listened on: every connection to it is refused. */
const DEAD_SNS_PORT = BASE_PORT + 9;
/** The sweeper runs every 3 s and takes items pending for 9 s (5 min and 15 min, scaled). */
const TIME_SCALE = 0.01;
const ORDER_COUNT = 4;
const TEST_TIMEOUT_MS = 480_000;

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({
    basePort: BASE_PORT,
    timeScale: TIME_SCALE,
    runtimeEnv: {
      LOCAL_FUNCTION_ENV: JSON.stringify({
        // One SDK attempt per publish. Each failing invocation still pauses before it reports the refused
        // events (OUTBOX_RELAY.unpublishedPauseSeconds, bounded by the 3 s local timeout floor), so the
        // relay's retries and bisections take a minute or two to run out (95 s measured).
        [OUTBOX_RELAY.id]: { AWS_ENDPOINT_URL_SNS: `http://127.0.0.1:${DEAD_SNS_PORT}`, AWS_MAX_ATTEMPTS: '1' },
      }),
      LOCAL_SCHEDULES: 'off',
    },
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

/** The on-failure messages, once they account for every record of the stream: the relay gave up on all. */
async function relayGaveUpOn(recordCount: number): Promise<QueuedMessage[] | undefined> {
  const failures = await peekQueue(stack.sqs, stack.resources.relayFailureQueue.url);
  const discarded = failures.reduce((total, failure) => total + batchInfoOf(failure).batchSize, 0);
  return discarded >= recordCount ? failures : undefined;
}

/** The parts of Lambda's on-failure record this test reads (metadata only: no records). */
const onFailureRecordSchema = z.object({
  requestContext: z.object({ condition: z.string() }),
  DDBStreamBatchInfo: z.object({ batchSize: z.number().int().positive() }),
});

const envelopeIdSchema = z.object({ eventId: z.string() });

function batchInfoOf(failure: QueuedMessage): { batchSize: number; condition: string } {
  const record = onFailureRecordSchema.parse(JSON.parse(failure.body));
  return { batchSize: record.DDBStreamBatchInfo.batchSize, condition: record.requestContext.condition };
}

function itemsOf(state: { tables: Readonly<Record<string, readonly TableItem[]>> }, role: keyof typeof TABLES, orderId: string): TableItem[] {
  return (state.tables[role] ?? []).filter((item) => item.orderId === orderId);
}

describe('the outbox sweeper', () => {
  it(
    'publishes the events the relay gave up on, under their original ids, and every order completes once',
    async () => {
      // Prepare: orders whose events the relay cannot publish
      const startedAt = performance.now();
      const placed = await Promise.all(Array.from({ length: ORDER_COUNT }, () => placeOrder(stack.apiUrl)));
      const accepted: OrderAcceptedBody[] = placed.map((placement) => placement.accepted);
      const expectations = placed.map((placement) => placement.expectation);

      const failures = await eventually(() => relayGaveUpOn(ORDER_COUNT), {
        timeoutMs: 270_000,
        intervalMs: 250,
        what: `the relay's on-failure queue to account for all ${ORDER_COUNT} outbox records`,
      });
      const gaveUpAt = performance.now();
      const stuck = await readPipelineState(stack);
      const statuses = await Promise.all(accepted.map(async ({ orderId }) => (await getOrder(stack.apiUrl, orderId)).body));
      const tap = await subscribeTopicTap(stack, stack.resources.topicArn, { eventTypes: [EVENT_TYPES.orderCreated] });

      // Act: the sweeper's schedule comes on (the relay's SNS endpoint stays dead: only the sweeper can publish)
      await stack.killRuntime();
      await stack.startRuntime({ LOCAL_SCHEDULES: 'on' });
      // The relay's on-failure messages are the point of this test: every other invariant must hold.
      const settled = await expectPipelineSettled(stack, expectations, 150_000, ['relay-failure']);
      const sweptAt = performance.now();
      const done = await readPipelineState(stack);
      const published = await tap.drain();

      // Assess: the relay gave up on every record, and the orders were stuck
      expect(failures.map((failure) => batchInfoOf(failure).condition)).toEqual(failures.map(() => 'RetryAttemptsExhausted'));
      expect(statuses).toEqual(accepted.map(({ orderId }) => expect.objectContaining({ orderId, status: 'PENDING' })));
      for (const { orderId } of accepted) {
        expect(itemsOf(stuck, 'outbox', orderId)).toEqual([
          expect.objectContaining({ status: OUTBOX_STATUS.pending, [TABLES.outbox.pendingIndex.partitionKey]: expect.any(String) }),
        ]);
        expect(itemsOf(stuck, 'payments', orderId)).toEqual([]);
      }

      // Assess: the sweeper published each event once, verbatim, under its original id
      const publishedIds = published.map((message) => envelopeIdSchema.parse(JSON.parse(message.body)).eventId);
      expect(publishedIds.sort()).toEqual(accepted.map(({ eventId }) => eventId).sort());
      const storedPayloads = (stuck.tables.outbox ?? []).map((item) => item.payload);
      expect(published.map((message) => message.body).sort()).toEqual([...storedPayloads].sort());

      // Assess: every order CONFIRMED, one payment and one reservation each (from the original event), two notifications
      expect(settled.orderCount).toBe(ORDER_COUNT);
      expect(settled.violations.map((violation) => violation.rule)).toEqual(settled.violations.map(() => 'relay-failure'));
      for (const { orderId, eventId } of accepted) {
        expect(itemsOf(done, 'orders', orderId)).toEqual([expect.objectContaining({ status: 'CONFIRMED' })]);
        expect(itemsOf(done, 'payments', orderId)).toEqual([expect.objectContaining({ sourceEventId: eventId })]);
        expect(itemsOf(done, 'inventory', orderId)).toEqual([expect.objectContaining({ sourceEventId: eventId })]);
        expect(itemsOf(done, 'notifications', orderId)).toHaveLength(2);
        const [outboxItem] = itemsOf(done, 'outbox', orderId);
        expect(outboxItem).toMatchObject({ eventId, status: OUTBOX_STATUS.sent, sentAt: expect.any(String), expiresAt: expect.any(Number) });
        expect(outboxItem).not.toHaveProperty(TABLES.outbox.pendingIndex.partitionKey);
      }
      expect(stack.runtime().output.some((line) => line.startsWith(`schedule ${OUTBOX_SWEEPER.id}: {`))).toBe(true);

      process.stdout.write(
        `stuck-outbox-sweeper: relay gave up after ${Math.round(gaveUpAt - startedAt)} ms, ` +
          `sweeper completed the orders ${Math.round(sweptAt - gaveUpAt)} ms later (incl. runtime restart)\n`,
      );
    },
    TEST_TIMEOUT_MS,
  );
});
