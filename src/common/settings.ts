/**
 * The pipeline's settings, written once. The CDK stack (`infra/`) and the local stack both read
 * this module, and every handler reads its environment through the names defined here, so the
 * cloud and the local runtime cannot drift apart.
 */
import { EVENT_TYPES, type EventType } from './events/event-types';

/** Environment variable names: the handler that reads one and the construct that sets it share it. */
export const ENV = {
  ordersTable: 'ORDERS_TABLE_NAME',
  outboxTable: 'OUTBOX_TABLE_NAME',
  idempotencyTable: 'IDEMPOTENCY_TABLE_NAME',
  paymentsTable: 'PAYMENTS_TABLE_NAME',
  inventoryTable: 'INVENTORY_TABLE_NAME',
  notificationsTable: 'NOTIFICATIONS_TABLE_NAME',
  eventsTopicArn: 'EVENTS_TOPIC_ARN',
  outboxSentTtlSeconds: 'OUTBOX_SENT_TTL_SECONDS',
} as const;
export type EnvName = (typeof ENV)[keyof typeof ENV];

/** Reads a required environment variable, failing loudly at cold start rather than mid-request. */
export function requireEnv(name: EnvName): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`Environment variable ${name} is required`);
  }
  return value;
}

/** Tables, by role. `partitionKey` is the only key: every table is a simple key-value table. */
export const TABLES = {
  orders: { id: 'Orders', partitionKey: 'orderId', env: ENV.ordersTable },
  outbox: {
    id: 'Outbox',
    partitionKey: 'eventId',
    env: ENV.outboxTable,
    /** DynamoDB TTL attribute: epoch seconds, never milliseconds. */
    ttlAttribute: 'expiresAt',
    /**
     * Sparse GSI of the items still PENDING, oldest first, so the sweeper finds stuck events with a
     * Query instead of a Scan: the order writer sets `partitionKey` on insert and the SENT update
     * removes it, and DynamoDB indexes only items that have it. The key is one of `buckets` values
     * derived from the eventId, because one partition key value takes at most 1,000 writes a second
     * (every insert and every SENT is an index write): a single constant would cap the order rate.
     * `buckets` may grow, never shrink: items in a dropped bucket would no longer be swept.
     */
    pendingIndex: { name: 'pending-by-age', partitionKey: 'pendingBucket', sortKey: 'createdAt', buckets: 10 },
  },
  idempotency: { id: 'IdempotencyKeys', partitionKey: 'idempotencyKey', env: ENV.idempotencyTable },
  payments: { id: 'Payments', partitionKey: 'orderId', env: ENV.paymentsTable },
  inventory: { id: 'InventoryReservations', partitionKey: 'orderId', env: ENV.inventoryTable },
  notifications: { id: 'Notifications', partitionKey: 'notificationId', env: ENV.notificationsTable },
} as const;
export type TableRole = keyof typeof TABLES;

/** How long a published outbox item stays readable before DynamoDB TTL may delete it. */
export const OUTBOX_SENT_TTL_SECONDS = 7 * 24 * 60 * 60;

/** SNS message attribute names set by the relay; subscriptions filter on `eventType`. */
export const MESSAGE_ATTRIBUTES = {
  eventType: 'eventType',
  eventVersion: 'eventVersion',
  correlationId: 'correlationId',
  orderId: 'orderId',
  traceHeader: 'traceHeader',
} as const;

/** The SNS topic every event is published to. */
export const EVENTS_TOPIC = { id: 'OrderEvents', env: ENV.eventsTopicArn } as const;

/**
 * Shared by every queue: three receives, then the DLQ (the seed article's redrive policy), and a
 * DLQ that keeps messages longer than its source so nothing expires before someone looks.
 */
export const QUEUE_DEFAULTS = {
  maxReceiveCount: 3,
  retentionPeriodSeconds: 4 * 24 * 60 * 60,
  dlqRetentionPeriodSeconds: 14 * 24 * 60 * 60,
  receiveMessageWaitTimeSeconds: 20,
  /** AWS guidance: visibility timeout at least 6 × the function timeout. */
  visibilityTimeoutPerFunctionTimeout: 6,
} as const;

export interface FunctionSettings {
  /** Construct id and local function name. */
  readonly id: string;
  /** Source file, relative to the repository root, that exports `handler`. */
  readonly entry: string;
  readonly timeoutSeconds: number;
  readonly memorySizeMb: number;
  /** Powertools service name (logs, traces, metrics). */
  readonly serviceName: string;
  /** Tables this function reads or writes: the stack grants exactly these and sets their env vars. */
  readonly tables: Readonly<Partial<Record<TableRole, 'read' | 'write' | 'readWrite'>>>;
  /** Whether the function publishes to the events topic. */
  readonly publishesEvents: boolean;
}

export interface QueueConsumerSettings extends FunctionSettings {
  /** Queue name stem; the DLQ is `${queueName}-dlq`. */
  readonly queueName: string;
  /** SNS filter policy on the `eventType` message attribute. */
  readonly subscribesTo: readonly EventType[];
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  /** Upper bound on concurrent invocations from the event source mapping (minimum 2 on AWS). */
  readonly maxConcurrency: number;
}

const OUTCOME_EVENTS: readonly EventType[] = [
  EVENT_TYPES.paymentCompleted,
  EVENT_TYPES.paymentFailed,
  EVENT_TYPES.inventoryReserved,
  EVENT_TYPES.inventoryFailed,
];

export const ORDER_API_FUNCTION: FunctionSettings = {
  id: 'OrderApi',
  entry: 'src/order/handlers/api.ts',
  timeoutSeconds: 10,
  memorySizeMb: 512,
  serviceName: 'order-service',
  tables: { orders: 'readWrite', outbox: 'write', idempotency: 'readWrite' },
  publishesEvents: false,
};

export interface StreamRelaySettings extends FunctionSettings {
  readonly stream: {
    readonly batchSize: number;
    readonly maxBatchingWindowSeconds: number;
    readonly retryAttempts: number;
    readonly maxRecordAgeSeconds: number;
    readonly bisectBatchOnError: boolean;
    readonly parallelizationFactor: number;
    /** Stream record `eventName`s the event source's filter criteria let through. */
    readonly eventNames: readonly ('INSERT' | 'MODIFY' | 'REMOVE')[];
  };
  readonly onFailureQueueName: string;
  /**
   * How long a relay invocation waits before reporting events SNS did not accept. Lambda retries a
   * failed stream batch at once and counts every try against `retryAttempts`: without a wait, an SNS
   * outage of a few seconds uses up every retry (the SDK's own retries stop once its client's retry
   * quota is spent) and leaves the events to the sweeper, 15 minutes later. With it, the retries
   * cover about `retryAttempts` × this many seconds. Never longer than the invocation has left.
   */
  readonly unpublishedPauseSeconds: number;
}

/** The relay on the outbox table's stream. */
export const OUTBOX_RELAY: StreamRelaySettings = {
  id: 'OutboxRelay',
  entry: 'src/outbox-relay/handler.ts',
  timeoutSeconds: 30,
  memorySizeMb: 512,
  serviceName: 'outbox-relay',
  tables: { outbox: 'readWrite' },
  publishesEvents: true,
  stream: {
    batchSize: 100,
    maxBatchingWindowSeconds: 0,
    /** Finite, so a poison record cannot block the shard for the stream's whole 24 h retention. */
    retryAttempts: 10,
    /** Well under the stream's 24 h retention; older records go to the on-failure queue. */
    maxRecordAgeSeconds: 6 * 60 * 60,
    bisectBatchOnError: true,
    parallelizationFactor: 1,
    /** Only new outbox items are events to publish; the relay's own SENT updates are not. */
    eventNames: ['INSERT'],
  },
  /** Holds the metadata of batches the relay gave up on (records must be re-read from the table). */
  onFailureQueueName: 'outbox-relay-failures',
  unpublishedPauseSeconds: 5,
};

export interface OutboxSweeperSettings extends FunctionSettings {
  /** EventBridge schedule: `rate(scheduleMinutes minutes)`. */
  readonly scheduleMinutes: number;
  /** An item still PENDING this long after its `createdAt` is published by the sweeper. */
  readonly pendingThresholdSeconds: number;
  /** `Limit` of each Query on the pending index. */
  readonly pageSize: number;
  /** Most items one run publishes, so a run ends well within its timeout; the rest wait for the next. */
  readonly maxItemsPerRun: number;
}

/**
 * Publishes outbox items the relay gave up on (retries exhausted, record too old, stream trimmed):
 * the on-failure queue holds only metadata, so without this the events would never leave. The
 * threshold is far above the relay's normal latency (seconds) so that it rarely races the relay;
 * when it does, the event is published twice, which consumers tolerate.
 */
export const OUTBOX_SWEEPER: OutboxSweeperSettings = {
  id: 'OutboxSweeper',
  entry: 'src/outbox-relay/sweeper-handler.ts',
  timeoutSeconds: 60,
  memorySizeMb: 512,
  serviceName: 'outbox-relay',
  tables: { outbox: 'readWrite' },
  publishesEvents: true,
  scheduleMinutes: 5,
  pendingThresholdSeconds: 15 * 60,
  pageSize: 100,
  maxItemsPerRun: 1_000,
};

export const PAYMENT_CONSUMER: QueueConsumerSettings = {
  id: 'Payment',
  entry: 'src/payment/handler.ts',
  timeoutSeconds: 15,
  memorySizeMb: 256,
  serviceName: 'payment-service',
  tables: { payments: 'readWrite' },
  publishesEvents: true,
  queueName: 'payment',
  subscribesTo: [EVENT_TYPES.orderCreated],
  // A full ReceiveMessage (10) per invocation: half the invocations, receives and deletes per
  // order of a batch of 5, and records run in parallel within it (npm run bench, section 3).
  batchSize: 10,
  maxBatchingWindowSeconds: 1,
  maxConcurrency: 10,
};

export const INVENTORY_CONSUMER: QueueConsumerSettings = {
  id: 'Inventory',
  entry: 'src/inventory/handler.ts',
  timeoutSeconds: 15,
  memorySizeMb: 256,
  serviceName: 'inventory-service',
  tables: { inventory: 'readWrite' },
  publishesEvents: true,
  queueName: 'inventory',
  subscribesTo: [EVENT_TYPES.orderCreated],
  // A full ReceiveMessage (10) per invocation: half the invocations, receives and deletes per
  // order of a batch of 5, and records run in parallel within it (npm run bench, section 3).
  batchSize: 10,
  maxBatchingWindowSeconds: 1,
  maxConcurrency: 10,
};

export const NOTIFICATION_CONSUMER: QueueConsumerSettings = {
  id: 'Notification',
  entry: 'src/notification/handler.ts',
  timeoutSeconds: 15,
  memorySizeMb: 256,
  serviceName: 'notification-service',
  tables: { notifications: 'readWrite' },
  publishesEvents: false,
  queueName: 'notification',
  subscribesTo: OUTCOME_EVENTS,
  batchSize: 10,
  maxBatchingWindowSeconds: 1,
  maxConcurrency: 10,
};

/** The order service learns outcomes the way every other service does: through its own queue. */
export const ORDER_STATUS_CONSUMER: QueueConsumerSettings = {
  id: 'OrderStatus',
  entry: 'src/order/handlers/order-status.ts',
  timeoutSeconds: 15,
  memorySizeMb: 256,
  serviceName: 'order-service',
  tables: { orders: 'readWrite' },
  publishesEvents: false,
  queueName: 'order-status',
  subscribesTo: OUTCOME_EVENTS,
  batchSize: 10,
  maxBatchingWindowSeconds: 1,
  maxConcurrency: 10,
};

export const QUEUE_CONSUMERS: readonly QueueConsumerSettings[] = [
  PAYMENT_CONSUMER,
  INVENTORY_CONSUMER,
  NOTIFICATION_CONSUMER,
  ORDER_STATUS_CONSUMER,
];

/** The visibility timeout AWS recommends for a consumer: 6 × its function timeout. */
export function visibilityTimeoutSeconds(consumer: Pick<FunctionSettings, 'timeoutSeconds'>): number {
  return consumer.timeoutSeconds * QUEUE_DEFAULTS.visibilityTimeoutPerFunctionTimeout;
}

/** The SNS subscription filter policy for a consumer, in the JSON form SNS stores. */
export function filterPolicyOf(consumer: Pick<QueueConsumerSettings, 'subscribesTo'>): {
  [MESSAGE_ATTRIBUTES.eventType]: string[];
} {
  return { [MESSAGE_ATTRIBUTES.eventType]: [...consumer.subscribesTo] };
}

/** HTTP API limits, enforced by the order API before anything is parsed or written. */
export const ORDER_API_LIMITS = {
  maxBodyBytes: 64 * 1024,
  maxItems: 100,
  maxQuantity: 10_000,
  /** Largest unit price in major units; keeps every total a safe integer in minor units. */
  maxUnitPrice: 1_000_000,
  maxIdempotencyKeyLength: 128,
} as const;

/** The order API's routes, as API Gateway REST resources (the deployed API and the local one). */
export const ORDER_API_ROUTES = [
  { method: 'POST', resource: '/orders' },
  { method: 'GET', resource: '/orders/{orderId}' },
] as const;

/**
 * CloudWatch namespace of the pipeline's business metrics, written as embedded metric format (EMF)
 * log lines by Powertools Metrics; the dashboard reads the same namespace and names. Every metric
 * also carries the `service` dimension: the emitting function's `serviceName`.
 */
export const METRICS_NAMESPACE = 'OrderPipeline';

/** Business and pipeline counters, one name each, shared by the handlers and the dashboard. */
export const BUSINESS_METRICS = {
  ordersAccepted: 'OrdersAccepted',
  ordersRejected: 'OrdersRejectedByValidation',
  paymentsCompleted: 'PaymentsCompleted',
  paymentsDeclined: 'PaymentsDeclined',
  inventoryReserved: 'InventoryReserved',
  inventoryOutOfStock: 'InventoryOutOfStock',
  notificationsRecorded: 'NotificationsRecorded',
  relayPublished: 'RelayPublished',
  relayFailed: 'RelayFailed',
  /** A repeated request or delivery answered from what the first one stored, changing nothing. */
  duplicatesAbsorbed: 'DuplicatesAbsorbed',
} as const;
export type BusinessMetric = (typeof BUSINESS_METRICS)[keyof typeof BUSINESS_METRICS];

/** The counter each outcome event is counted in, when the service that decides it publishes it. */
export const OUTCOME_METRICS = {
  [EVENT_TYPES.paymentCompleted]: BUSINESS_METRICS.paymentsCompleted,
  [EVENT_TYPES.paymentFailed]: BUSINESS_METRICS.paymentsDeclined,
  [EVENT_TYPES.inventoryReserved]: BUSINESS_METRICS.inventoryReserved,
  [EVENT_TYPES.inventoryFailed]: BUSINESS_METRICS.inventoryOutOfStock,
} as const satisfies Partial<Record<EventType, BusinessMetric>>;
