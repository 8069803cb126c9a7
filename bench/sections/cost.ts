/**
 * Section 5: what a million orders cost on AWS, from the recorded request mix and invocations, at
 * on-demand prices (aws-prices.ts), beside the same calculation for the seed article's design:
 * the order API puts the order, publishes OrderCreated to SNS itself and marks the order
 * EVENT_PUBLISHED (no outbox, no relay, no idempotency table); the consumers are the same.
 * The difference is the price of the outbox's guarantees (and of the Idempotency-Key).
 *
 * Lambda durations are the ones the local runtime measured for the same functions (on a shared
 * 2-core machine, against emulators: a pessimistic stand-in for Lambda's), billed per started
 * millisecond at each function's configured memory.
 */
import { ORDER_API_FUNCTION, OUTBOX_RELAY } from '../../src/common/settings';
import { PRICE_TABLE, type PriceName } from '../aws-prices';
import { pipelineFunctions, type FunctionInvocations } from '../bench-stack';
import type { RequestMix } from '../request-mix';

export interface CostLine {
  readonly component: string;
  readonly quantityPerOrder: number;
  readonly price: PriceName;
  readonly usdPerMillionOrders: number;
}

export interface DesignCost {
  readonly design: string;
  readonly lines: readonly CostLine[];
  readonly usdPerMillionOrders: number;
}

export interface CostResult {
  readonly mix: string;
  readonly ours: DesignCost;
  readonly seed: DesignCost;
  readonly assumptions: readonly string[];
}

const READ_ACTIONS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
/** Callers whose work only exists because of the outbox: the relay and its stream poller. */
const OUTBOX_ONLY_CALLERS = new Set([OUTBOX_RELAY.id]);

function line(component: string, quantityPerOrder: number, price: PriceName): CostLine {
  return { component, quantityPerOrder, price, usdPerMillionOrders: quantityPerOrder * PRICE_TABLE.prices[price].usd * 1e6 };
}

function total(design: string, lines: CostLine[]): DesignCost {
  const kept = lines.filter((item) => item.quantityPerOrder > 0);
  return { design, lines: kept, usdPerMillionOrders: kept.reduce((sum, item) => sum + item.usdPerMillionOrders, 0) };
}

function lambdaLines(invocations: Readonly<Record<string, FunctionInvocations>>, orders: number, include: (functionId: string) => boolean): CostLine[] {
  const memory = new Map(pipelineFunctions().map((fn) => [fn.id, fn.memorySizeMb]));
  const lines: CostLine[] = [];
  for (const [functionId, stats] of Object.entries(invocations)) {
    if (!include(functionId)) continue;
    const gb = (memory.get(functionId) ?? 128) / 1024;
    lines.push(line(`Lambda ${functionId} invocations`, stats.invocations / orders, 'lambdaRequest'));
    lines.push(line(`Lambda ${functionId} GB-s (${Math.round(stats.billedMs / Math.max(stats.invocations, 1))} ms × ${gb * 1024} MB)`, (stats.billedMs / 1000) * gb / orders, 'lambdaArmGbSecond'));
  }
  return lines;
}

/**
 * `orderItemWriteUnits`: write units of one plain PutItem of the order item (its size in KB,
 * rounded up), measured on a stored order; the seed design writes it once and updates it once.
 */
export function costPerMillionOrders(mix: RequestMix, orderItemWriteUnits: number): CostResult {
  const perOrder = (predicate: (entry: RequestMix['entries'][number]) => boolean, value: (entry: RequestMix['entries'][number]) => number): number =>
    mix.entries.filter(predicate).reduce((sum, entry) => sum + value(entry), 0);
  const isRead = (entry: RequestMix['entries'][number]): boolean => READ_ACTIONS.has(entry.action);

  const apiLine = line('API Gateway REST requests', 1, 'apiGatewayRestRequest');
  const dynamoLines = (include: (entry: RequestMix['entries'][number]) => boolean): CostLine[] => [
    line('DynamoDB write request units', perOrder((entry) => entry.service === 'dynamodb' && !isRead(entry) && include(entry), (entry) => entry.capacityPerOrder), 'dynamoDbWriteRequestUnit'),
    line('DynamoDB read request units', perOrder((entry) => entry.service === 'dynamodb' && isRead(entry) && include(entry), (entry) => entry.capacityPerOrder), 'dynamoDbReadRequestUnit'),
  ];
  const messagingLines = (include: (entry: RequestMix['entries'][number]) => boolean): CostLine[] => [
    line('SNS published messages (64 KB chunks)', perOrder((entry) => entry.service === 'sns' && include(entry), (entry) => entry.chunksPerOrder), 'snsPublish'),
    line('SQS requests (64 KB chunks; receives incl. empty)', perOrder((entry) => entry.service === 'sqs' && include(entry), (entry) => entry.chunksPerOrder), 'sqsRequest'),
  ];

  const ours = total('transactional outbox (this repository)', [
    apiLine,
    ...lambdaLines(mix.invocations, mix.orders, () => true),
    ...dynamoLines(() => true),
    line('DynamoDB Streams GetRecords (Lambda trigger: free)', perOrder((entry) => entry.service === 'dynamodbstreams' && entry.action === 'GetRecords', (entry) => entry.perOrder), 'dynamoDbStreamsReadByLambda'),
    ...messagingLines(() => true),
  ]);

  // The seed design: what the order API and the relay do here is replaced by Put + Publish + Update.
  const consumersOnly = (entry: RequestMix['entries'][number]): boolean =>
    entry.caller !== ORDER_API_FUNCTION.id && !OUTBOX_ONLY_CALLERS.has(entry.caller) && entry.service !== 'dynamodbstreams';
  const seedDynamo = dynamoLines(consumersOnly);
  const seed = total('seed article (put + direct publish)', [
    apiLine,
    ...lambdaLines(mix.invocations, mix.orders, (functionId) => !OUTBOX_ONLY_CALLERS.has(functionId)),
    line('DynamoDB write request units', (seedDynamo[0]?.quantityPerOrder ?? 0) + 2 * orderItemWriteUnits, 'dynamoDbWriteRequestUnit'),
    ...seedDynamo.slice(1),
    line('SNS published messages (64 KB chunks)', (messagingLines(consumersOnly)[0]?.quantityPerOrder ?? 0) + 1, 'snsPublish'),
    ...messagingLines(consumersOnly).slice(1),
  ]);

  const receives = mix.entries.filter((entry) => entry.service === 'sqs' && entry.action === 'ReceiveMessage');
  const receivesPerOrder = receives.reduce((sum, entry) => sum + entry.perOrder, 0);
  const emptyShare = receivesPerOrder === 0 ? 0 : receives.reduce((sum, entry) => sum + entry.perOrder * entry.emptyReceiveFraction, 0) / receivesPerOrder;
  return {
    mix: mix.label,
    ours,
    seed,
    assumptions: [
      `${(emptyShare * 100).toFixed(0)} % of the ${mix.label} mix's ${receivesPerOrder.toFixed(2)} receives per order came back empty. Within a batching window the local mapping short-polls every 20 ms ` +
        "(infra/local/runtime/sqs-mapping.ts) where Lambda's pollers long-poll, so at moderate rates these figures overstate the SQS requests; a full queue (the burst mix) shows the steady-state cost of receiving.",
      `Prices: ${PRICE_TABLE.region}, on-demand, as checked on ${PRICE_TABLE.checkedOn} (bench/aws-prices.ts names each page); free tiers ignored.`,
      'DynamoDB request units are the ones DynamoDB Local reported per request (ReturnConsumedCapacity), which doubles transactional writes; a refused conditional write is billed like the average successful one of its kind.',
      'SQS requests are those of the local event source mappings, which long-poll (20 s) with one poller per batch in flight and scale down to one when idle: every ReceiveMessage is billed, empty ones included. On AWS, Lambda\'s pollers also long-poll an idle queue: a fixed cost, not a per-order one, and not in these figures: each idle poller makes about 3 requests a minute, so 4 mappings × P pollers cost about $0.21 × P a month.',
      'DynamoDB Streams reads by the relay\'s event source mapping are free; SNS deliveries to SQS are free; message filtering on attributes is free.',
      'Lambda: measured local durations (shared 2-core machine, emulators) billed per started ms at each function\'s memory; init (cold start) duration not billed (on-demand functions); the order API of the seed design is assumed to take as long as ours.',
      'Seed design: PutItem of the order + SNS Publish + UpdateItem to EVENT_PUBLISHED in the order API; no outbox table, stream, relay or Idempotency-Key claim; consumers identical to ours.',
      'Not included: CloudWatch Logs ingestion and X-Ray traces (both real and often larger than the above), storage, data transfer.',
    ],
  };
}

export type { FunctionInvocations };
