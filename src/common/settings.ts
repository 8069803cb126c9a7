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
  batchSize: 5,
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
  batchSize: 5,
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
