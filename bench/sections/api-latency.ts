/**
 * Section 1: `POST /orders` latency and throughput at fixed concurrencies (closed loop), beside
 * the floor of what an order write costs here: the same TransactWriteItems request the order
 * Lambda sends (order + outbox item + idempotency claim), sent by the tight client straight to
 * DynamoDB Local at the same concurrency. API and raw blocks alternate, so both see the same
 * machine within seconds of each other.
 *
 * Isolated (the default when the bench owns the runtime): the order API is started with the
 * replay copy's table names (LOCAL_FUNCTION_ENV), and the raw transactions write there too, so
 * neither gives the relay and the consumers any work: what is compared is the API path (API
 * Gateway, the Lambda runtime, the handler, its reads and writes) against the bare write, on the
 * same tables. (With the pipeline running, its downstream work shares the two cores with the API;
 * sections 2 and 4 measure the API that way.) Not isolated (`--use-running`): every block starts
 * on a drained pipeline, and the API's orders flow through it.
 */
import { randomUUID } from 'node:crypto';
import type { BenchStack } from '../bench-stack';
import { dynamoDbCall } from '../emulator-requests';
import { createHttpClient, runClosedLoop } from '../http-client';
import { ORDER_BODY, OrderWriteCapture, orderRequestHeaders, withFreshIdentities } from '../order-fixtures';
import { waitForDrain, type AcceptedOrders } from '../pipeline-probe';
import { replayResourcesOf, replayTableNames } from '../replay-resources';
import { cpuPerOrder, cpuSnapshot, type CpuComponent, type CpuSnapshot } from '../process-cpu';
import type { Progress } from '../progress';
import { ORDER_API_FUNCTION, TABLES, type TableRole } from '../../src/common/settings';
import { summarize, type LatencySummary, type TimedSample } from '../stats';

export interface LoadResult {
  readonly concurrency: number;
  readonly ok: number;
  readonly errors: number;
  readonly elapsedMs: number;
  readonly perSecond: number;
  readonly latency: LatencySummary;
  /** CPU milliseconds per successful request, by process group (robust to other load). */
  readonly cpuPerRequest: Readonly<Record<CpuComponent, number>>;
}

export interface ApiLatencyLevel {
  readonly concurrency: number;
  readonly api: LoadResult;
  readonly rawTransaction: LoadResult;
}

export interface ApiLatencyResult {
  readonly blockMs: number;
  readonly rounds: number;
  readonly levels: readonly ApiLatencyLevel[];
  /** The API wrote to the replay tables: no downstream work during the blocks. */
  readonly isolated: boolean;
  /** Every API sample, for the chart. */
  readonly apiSamples: readonly TimedSample[];
}

export interface ApiLatencyOptions {
  readonly levels: readonly number[];
  readonly blockMs: number;
  readonly rounds: number;
  readonly warmupMs: number;
  /** How long to wait for the pipeline to drain before a block (when not isolated). */
  readonly drainTimeoutMs: number;
}

/** LOCAL_FUNCTION_ENV for an order API that writes to the replay copy's tables. */
export async function isolatedApiEnvironment(stack: BenchStack): Promise<Record<string, Record<string, string>>> {
  const tableNames = replayTableNames(stack, await replayResourcesOf(stack));
  const environment: Record<string, string> = {};
  for (const role of Object.keys(ORDER_API_FUNCTION.tables) as TableRole[]) environment[TABLES[role].env] = tableNames[role];
  return { [ORDER_API_FUNCTION.id]: environment };
}

interface Block {
  ok: number;
  errors: number;
  elapsedMs: number;
  latencies: number[];
  cpuBefore: CpuSnapshot;
  cpuAfter: CpuSnapshot;
}

export async function measureApiLatency(
  stack: BenchStack,
  accepted: AcceptedOrders,
  options: ApiLatencyOptions & { readonly isolated: boolean },
  progress: Progress,
): Promise<ApiLatencyResult> {
  const api = createHttpClient(stack.apiUrl);
  const dynamodb = createHttpClient(stack.endpoints.dynamodb);
  const capture = new OrderWriteCapture(replayTableNames(stack, await replayResourcesOf(stack)));
  const template = await capture.transactionBody();
  const runStartedAt = performance.now();
  const apiSamples: TimedSample[] = [];
  /** The API's most recent orders: once they are through, so is everything before them. */
  const recentOrders: string[] = [];

  const apiRequest = async (): Promise<number | undefined> => {
    const idempotencyKey = randomUUID();
    const startedAt = performance.now();
    const response = await api.request('POST', '/orders', orderRequestHeaders(idempotencyKey), ORDER_BODY);
    const latency = performance.now() - startedAt;
    if (response.status !== 202) return undefined;
    const { orderId } = JSON.parse(response.body) as { orderId: string };
    // Isolated, the order is in the replay copy: not the pipeline's, not the invariants'.
    if (!options.isolated) accepted.add(orderId, idempotencyKey);
    recentOrders.push(orderId);
    if (recentOrders.length > 50) recentOrders.shift();
    apiSamples.push({ atMs: startedAt - runStartedAt, valueMs: latency });
    return latency;
  };
  const rawRequest = async (): Promise<number | undefined> => {
    const body = withFreshIdentities(template);
    const startedAt = performance.now();
    await dynamoDbCall(dynamodb, 'TransactWriteItems', body);
    return performance.now() - startedAt;
  };
  const drain = async (label: string): Promise<void> => {
    if (options.isolated) return;
    progress.update(0, `${label}: waiting for the pipeline to drain`);
    await waitForDrain(stack, { since: Date.now(), timeoutMs: options.drainTimeoutMs, orderIds: recentOrders });
  };

  const runBlock = async (concurrency: number, durationMs: number, request: () => Promise<number | undefined>, label: string): Promise<Block> => {
    const cpuBefore = cpuSnapshot(stack.processGroups());
    const block: Block = { ok: 0, errors: 0, elapsedMs: 0, latencies: [], cpuBefore, cpuAfter: cpuBefore };
    const startedAt = performance.now();
    const endsAt = startedAt + durationMs;
    await runClosedLoop(
      concurrency,
      () => performance.now() < endsAt,
      async () => {
        try {
          const latency = await request();
          if (latency === undefined) block.errors += 1;
          else {
            block.ok += 1;
            block.latencies.push(latency);
          }
        } catch {
          block.errors += 1;
        }
        progress.update(Math.round((performance.now() - startedAt) / 1000), `${label} c=${concurrency} ${block.ok} ok`);
      },
    );
    block.elapsedMs = performance.now() - startedAt;
    block.cpuAfter = cpuSnapshot(stack.processGroups());
    return block;
  };

  try {
    // Warm the API's execution environments (up to its concurrency) so no level pays cold starts.
    progress.startPhase('API warm-up', Math.round(options.warmupMs / 1000));
    await runBlock(Math.max(...options.levels), options.warmupMs, apiRequest, 'warm-up');
    apiSamples.length = 0;

    const levels: ApiLatencyLevel[] = [];
    for (const concurrency of options.levels) {
      progress.startPhase(`API vs raw TransactWriteItems, concurrency ${concurrency}`, Math.round((2 * options.rounds * options.blockMs) / 1000));
      const apiBlocks: Block[] = [];
      const rawBlocks: Block[] = [];
      for (let round = 0; round < options.rounds; round += 1) {
        // Alternate which goes first, so neither always follows the other's backlog.
        const order = round % 2 === 0 ? (['raw', 'api'] as const) : (['api', 'raw'] as const);
        for (const kind of order) {
          await drain(kind);
          if (kind === 'api') apiBlocks.push(await runBlock(concurrency, options.blockMs, apiRequest, 'API'));
          else rawBlocks.push(await runBlock(concurrency, options.blockMs, rawRequest, 'raw'));
        }
      }
      levels.push({ concurrency, api: merge(concurrency, apiBlocks), rawTransaction: merge(concurrency, rawBlocks) });
      const last = levels.at(-1);
      if (last !== undefined) {
        progress.note(
          `  c=${concurrency}: API p50 ${last.api.latency.p50.toFixed(1)} ms ${last.api.perSecond.toFixed(0)}/s · ` +
            `raw TransactWriteItems p50 ${last.rawTransaction.latency.p50.toFixed(1)} ms ${last.rawTransaction.perSecond.toFixed(0)}/s`,
        );
      }
    }
    return { blockMs: options.blockMs, rounds: options.rounds, levels, isolated: options.isolated, apiSamples };
  } finally {
    api.destroy();
    dynamodb.destroy();
  }
}

function merge(concurrency: number, blocks: readonly Block[]): LoadResult {
  const ok = blocks.reduce((total, block) => total + block.ok, 0);
  const cpu = {} as Record<CpuComponent, number>;
  for (const block of blocks) {
    for (const [component, ms] of Object.entries(cpuPerOrder(block.cpuBefore, block.cpuAfter, ok)) as [CpuComponent, number][]) {
      cpu[component] = (cpu[component] ?? 0) + ms;
    }
  }
  const elapsedMs = blocks.reduce((total, block) => total + block.elapsedMs, 0);
  return {
    concurrency,
    ok,
    errors: blocks.reduce((total, block) => total + block.errors, 0),
    elapsedMs,
    perSecond: ok / (elapsedMs / 1000),
    latency: summarize(blocks.flatMap((block) => block.latencies)),
    cpuPerRequest: cpu,
  };
}
