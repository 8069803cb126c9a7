/**
 * Section 4: the seed article's flash sale: N orders as fast as the API takes them (closed loop,
 * enough requests outstanding to keep every API execution environment busy), while the consumers
 * fall behind and the queues absorb the backlog. Reported: how many were accepted, the API's
 * throughput while the consumers lag, the queues' depth over time, when every queue had drained
 * and the last order was CONFIRMED, and the invariant checker's verdict on the whole stack:
 * zero lost, zero duplicated.
 */
import { randomUUID } from 'node:crypto';
import type { BenchStack } from '../bench-stack';
import { createHttpClient, failureReason, runClosedLoop } from '../http-client';
import { ORDER_BODY, orderRequestHeaders } from '../order-fixtures';
import { cpuByFunction, cpuPerOrder, cpuSnapshot, functionCpuPerOrder, type CpuComponent } from '../process-cpu';
import { queueDepths, readItems, waitForDrain, type AcceptedOrders, type DrainObservation } from '../pipeline-probe';
import type { Progress } from '../progress';
import { summarize, type LatencySummary, type TimedSample } from '../stats';

export interface FlashSaleOptions {
  readonly orders: number;
  readonly concurrency: number;
  readonly drainTimeoutMs: number;
}

export interface FlashSaleResult {
  readonly orders: number;
  readonly concurrency: number;
  readonly accepted: number;
  readonly rejected: Readonly<Record<string, number>>;
  /** First request to last answer. */
  readonly ingestMs: number;
  readonly apiPerSecond: number;
  readonly apiLatency: LatencySummary;
  /** Most messages waiting or in flight across the consumer queues at any observation. */
  readonly peakBacklog: number;
  readonly drained: boolean;
  /** First request → every queue empty and nothing PENDING. */
  readonly drainMs: number | undefined;
  /** First request → the last order's CONFIRMED write. */
  readonly lastConfirmedMs: number | undefined;
  readonly confirmed: number;
  /** Orders per second end to end: CONFIRMED orders over first request → last CONFIRMED. */
  readonly endToEndPerSecond: number | undefined;
  /** CPU milliseconds per accepted order, by component, from the first request to the drain. */
  readonly cpuPerOrder: Readonly<Record<CpuComponent, number>>;
  /** Outbox createdAt → sentAt of the flash sale's orders: how far behind the relay fell. */
  readonly relayLag: LatencySummary;
  /** The execution environments' share, by function. */
  readonly functionCpuPerOrder: Readonly<Record<string, number>>;
  readonly apiSamples: readonly TimedSample[];
  readonly relayLagSamples: readonly TimedSample[];
  readonly queueObservations: readonly DrainObservation[];
}

const QUEUE_SAMPLE_INTERVAL_MS = 500;

export async function runFlashSale(
  stack: BenchStack,
  acceptedOrders: AcceptedOrders,
  options: FlashSaleOptions,
  progress: Progress,
): Promise<FlashSaleResult> {
  const api = createHttpClient(stack.apiUrl);
  const apiSamples: TimedSample[] = [];
  const rejected: Record<string, number> = {};
  const placed: string[] = [];
  /** Each accepted order's event and when its request left (ms since the start), for the relay lag. */
  const events: { eventId: string; sentAtMs: number }[] = [];
  const queueObservations: DrainObservation[] = [];
  let next = 0;
  let answered = 0;
  progress.startPhase(`flash sale: ${options.orders} orders, ${options.concurrency} at a time`, options.orders);
  const startedAtEpoch = Date.now();
  const startedAt = performance.now();
  const cpuBefore = cpuSnapshot(stack.processGroups());
  const functionCpuBefore = cpuByFunction(stack.processGroups());

  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      queueObservations.push({ atMs: Date.now() - startedAtEpoch, depths: await queueDepths(stack) });
      await new Promise((resolve) => setTimeout(resolve, QUEUE_SAMPLE_INTERVAL_MS));
    }
  })();

  try {
    await runClosedLoop(
      options.concurrency,
      () => next < options.orders,
      async () => {
        next += 1;
        const idempotencyKey = randomUUID();
        const sentAt = performance.now();
        try {
          const response = await api.request('POST', '/orders', orderRequestHeaders(idempotencyKey), ORDER_BODY);
          if (response.status === 202) {
            const { orderId, eventId } = JSON.parse(response.body) as { orderId: string; eventId: string };
            acceptedOrders.add(orderId, idempotencyKey);
            placed.push(orderId);
            events.push({ eventId, sentAtMs: sentAt - startedAt });
            apiSamples.push({ atMs: sentAt - startedAt, valueMs: performance.now() - sentAt });
          } else {
            rejected[`HTTP ${response.status}`] = (rejected[`HTTP ${response.status}`] ?? 0) + 1;
          }
        } catch (error) {
          const reason = failureReason(error);
          rejected[reason] = (rejected[reason] ?? 0) + 1;
        }
        answered += 1;
        const backlog = queueObservations.at(-1)?.depths.reduce((sum, depth) => sum + depth.visible + depth.inFlight, 0) ?? 0;
        progress.update(answered, `${placed.length} accepted · ${backlog} messages queued`);
      },
    );
  } finally {
    api.destroy();
  }
  const ingestMs = performance.now() - startedAt;

  progress.startPhase('flash sale: draining every queue');
  const drain = await waitForDrain(stack, {
    since: startedAtEpoch,
    timeoutMs: options.drainTimeoutMs,
    orderIds: placed,
    onTick: (observation) => {
      const backlog = observation.depths.reduce((sum, depth) => sum + depth.visible + depth.inFlight, 0);
      progress.update(0, `${backlog} messages queued`);
    },
  });
  const cpuAfter = cpuSnapshot(stack.processGroups());
  const functionCpuAfter = cpuByFunction(stack.processGroups());
  sampling = false;
  await sampler;
  queueObservations.push(...drain.observations);

  const [orders, outbox] = await Promise.all([
    readItems(stack, 'orders', placed),
    readItems(
      stack,
      'outbox',
      events.map((event) => event.eventId),
    ),
  ]);
  const relayLagSamples: TimedSample[] = [];
  for (const event of events) {
    const item = outbox.get(event.eventId);
    if (typeof item?.createdAt === 'string' && typeof item.sentAt === 'string') {
      relayLagSamples.push({ atMs: event.sentAtMs, valueMs: Date.parse(item.sentAt) - Date.parse(item.createdAt) });
    }
  }
  let lastConfirmedEpoch = 0;
  let confirmed = 0;
  for (const item of orders.values()) {
    if (item.status !== 'CONFIRMED' || typeof item.updatedAt !== 'string') continue;
    confirmed += 1;
    lastConfirmedEpoch = Math.max(lastConfirmedEpoch, Date.parse(item.updatedAt));
  }
  const lastConfirmedMs = confirmed === 0 ? undefined : lastConfirmedEpoch - startedAtEpoch;
  const peakBacklog = Math.max(0, ...queueObservations.map((observation) => observation.depths.reduce((sum, depth) => sum + depth.visible + depth.inFlight, 0)));
  return {
    orders: options.orders,
    concurrency: options.concurrency,
    accepted: placed.length,
    rejected,
    ingestMs,
    apiPerSecond: placed.length / (ingestMs / 1000),
    apiLatency: summarize(apiSamples.map((sample) => sample.valueMs)),
    peakBacklog,
    drained: drain.drained,
    drainMs: drain.drainedAtMs,
    lastConfirmedMs,
    confirmed,
    endToEndPerSecond: lastConfirmedMs === undefined ? undefined : confirmed / (lastConfirmedMs / 1000),
    cpuPerOrder: cpuPerOrder(cpuBefore, cpuAfter, placed.length),
    functionCpuPerOrder: functionCpuPerOrder(functionCpuBefore, functionCpuAfter, placed.length),
    relayLag: summarize(relayLagSamples.map((sample) => sample.valueMs)),
    apiSamples,
    relayLagSamples,
    queueObservations: queueObservations.sort((left, right) => left.atMs - right.atMs),
  };
}
