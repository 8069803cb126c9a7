/**
 * Section 2: orders arriving at a steady rate (open loop: each request leaves on its schedule
 * whether or not earlier ones were answered), then, once the pipeline has drained, each order's
 * time from its 202 to CONFIRMED (the order item's `updatedAt` written with the final status) and
 * the relay's lag (the outbox item's `createdAt` → `sentAt`). Both timestamps are this machine's
 * clock, read by different processes, so no clock skew enters.
 *
 * The lag the issue asks for runs from the outbox item's *commit*, which no process sees:
 * `createdAt` is stamped before the order Lambda sends its TransactWriteItems, and the 202 reaches
 * the bench after the transaction committed. Measured from each, the lag brackets the true one.
 */
import { randomUUID } from 'node:crypto';
import type { BenchStack } from '../bench-stack';
import { createHttpClient, failureReason } from '../http-client';
import { ORDER_BODY, orderRequestHeaders } from '../order-fixtures';
import { readItems, waitForDrain, type AcceptedOrders } from '../pipeline-probe';
import type { Progress } from '../progress';
import { summarize, type LatencySummary, type TimedSample } from '../stats';

export interface SteadyRateOptions {
  readonly ratePerSecond: number;
  readonly durationMs: number;
  readonly drainTimeoutMs: number;
}

export interface SteadyRateResult {
  readonly ratePerSecond: number;
  readonly durationMs: number;
  readonly sent: number;
  readonly accepted: number;
  /** Requests not answered 202, by status or error. */
  readonly rejected: Readonly<Record<string, number>>;
  readonly confirmed: number;
  readonly drained: boolean;
  readonly apiLatency: LatencySummary;
  /** 202 → order CONFIRMED. */
  readonly completion: LatencySummary;
  /** Outbox item createdAt → sentAt. It starts before the commit: an upper bound of the lag from it. */
  readonly relayLag: LatencySummary;
  /** 202 received → outbox item sentAt. It starts after the commit: a lower bound of the lag from it. */
  readonly relayLagFrom202?: LatencySummary;
  /** For the chart: when each order was sent (ms since the run's start) and its latencies. */
  readonly apiSamples: readonly TimedSample[];
  readonly completionSamples: readonly TimedSample[];
  readonly relayLagSamples: readonly TimedSample[];
}

interface PlacedOrder {
  readonly sentAtMs: number;
  readonly acceptedAtEpochMs: number;
  readonly orderId: string;
  readonly eventId: string;
}

/**
 * Orders at the steady rate for a few seconds, then a drain, not measured: every function has its
 * execution environments started (a steady production load runs warm; forty cold starts at once on
 * two cores would be measured instead of the pipeline).
 */
export async function warmUpPipeline(
  stack: BenchStack,
  acceptedOrders: AcceptedOrders,
  options: { readonly ratePerSecond: number; readonly durationMs: number; readonly drainTimeoutMs: number },
  progress: Progress,
): Promise<void> {
  const api = createHttpClient(stack.apiUrl);
  const total = Math.round((options.ratePerSecond * options.durationMs) / 1000);
  const placed: string[] = [];
  progress.startPhase(`warming the pipeline up: ${options.ratePerSecond}/s for ${Math.round(options.durationMs / 1000)} s`, total);
  const startedAt = performance.now();
  try {
    const inFlight: Promise<void>[] = [];
    for (let index = 0; index < total; index += 1) {
      const wait = startedAt + (index * 1000) / options.ratePerSecond - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      inFlight.push(
        (async () => {
          const idempotencyKey = randomUUID();
          const response = await api.request('POST', '/orders', orderRequestHeaders(idempotencyKey), ORDER_BODY).catch(() => undefined);
          if (response?.status === 202) {
            const { orderId } = JSON.parse(response.body) as { orderId: string };
            acceptedOrders.add(orderId, idempotencyKey);
            placed.push(orderId);
          }
          progress.update(placed.length);
        })(),
      );
    }
    await Promise.all(inFlight);
  } finally {
    api.destroy();
  }
  await waitForDrain(stack, { since: Date.now(), timeoutMs: options.drainTimeoutMs, orderIds: placed });
}

export async function runSteadyRate(
  stack: BenchStack,
  acceptedOrders: AcceptedOrders,
  options: SteadyRateOptions,
  progress: Progress,
  label = 'steady rate',
): Promise<SteadyRateResult> {
  const api = createHttpClient(stack.apiUrl);
  const total = Math.round((options.ratePerSecond * options.durationMs) / 1000);
  const intervalMs = 1000 / options.ratePerSecond;
  const placed: PlacedOrder[] = [];
  const apiSamples: TimedSample[] = [];
  const rejected: Record<string, number> = {};
  let answered = 0;
  progress.startPhase(`${label}: ${options.ratePerSecond}/s for ${Math.round(options.durationMs / 1000)} s`, total);
  const startedAt = performance.now();
  try {
    const inFlight: Promise<void>[] = [];
    for (let index = 0; index < total; index += 1) {
      const dueAt = startedAt + index * intervalMs;
      const wait = dueAt - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      inFlight.push(
        (async () => {
          const idempotencyKey = randomUUID();
          const sentAt = performance.now();
          try {
            const response = await api.request('POST', '/orders', orderRequestHeaders(idempotencyKey), ORDER_BODY);
            const latency = performance.now() - sentAt;
            if (response.status === 202) {
              const body = JSON.parse(response.body) as { orderId: string; eventId: string };
              acceptedOrders.add(body.orderId, idempotencyKey);
              placed.push({ sentAtMs: sentAt - startedAt, acceptedAtEpochMs: Date.now(), orderId: body.orderId, eventId: body.eventId });
              apiSamples.push({ atMs: sentAt - startedAt, valueMs: latency });
            } else {
              rejected[`HTTP ${response.status}`] = (rejected[`HTTP ${response.status}`] ?? 0) + 1;
            }
          } catch (error) {
            const reason = failureReason(error);
            rejected[reason] = (rejected[reason] ?? 0) + 1;
          } finally {
            answered += 1;
            progress.update(answered, `${placed.length} accepted`);
          }
        })(),
      );
    }
    await Promise.all(inFlight);
  } finally {
    api.destroy();
  }

  progress.startPhase(`${label}: waiting for the pipeline to drain`);
  const drain = await waitForDrain(stack, {
    since: Date.now(),
    timeoutMs: options.drainTimeoutMs,
    orderIds: placed.map((order) => order.orderId),
    onTick: (observation) => {
      const backlog = observation.depths.reduce((sum, depth) => sum + depth.visible + depth.inFlight, 0);
      progress.update(0, `${backlog} messages queued`);
    },
  });

  const [orders, outbox] = await Promise.all([
    readItems(stack, 'orders', placed.map((order) => order.orderId)),
    readItems(stack, 'outbox', placed.map((order) => order.eventId)),
  ]);
  const completionSamples: TimedSample[] = [];
  const relayLagSamples: TimedSample[] = [];
  const relayLagsFrom202: number[] = [];
  let confirmed = 0;
  for (const order of placed) {
    const item = orders.get(order.orderId);
    if (item?.status === 'CONFIRMED' && typeof item.updatedAt === 'string') {
      confirmed += 1;
      completionSamples.push({ atMs: order.sentAtMs, valueMs: Date.parse(item.updatedAt) - order.acceptedAtEpochMs });
    }
    const event = outbox.get(order.eventId);
    if (typeof event?.createdAt === 'string' && typeof event.sentAt === 'string') {
      relayLagSamples.push({ atMs: order.sentAtMs, valueMs: Date.parse(event.sentAt) - Date.parse(event.createdAt) });
      relayLagsFrom202.push(Date.parse(event.sentAt) - order.acceptedAtEpochMs);
    }
  }
  return {
    ratePerSecond: options.ratePerSecond,
    durationMs: options.durationMs,
    sent: total,
    accepted: placed.length,
    rejected,
    confirmed,
    drained: drain.drained,
    apiLatency: summarize(apiSamples.map((sample) => sample.valueMs)),
    completion: summarize(completionSamples.map((sample) => sample.valueMs)),
    relayLag: summarize(relayLagSamples.map((sample) => sample.valueMs)),
    relayLagFrom202: summarize(relayLagsFrom202),
    apiSamples,
    completionSamples,
    relayLagSamples,
  };
}
