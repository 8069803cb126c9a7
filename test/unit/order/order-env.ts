import { ENV } from '../../../src/common/settings';

/**
 * The order handlers' environment, set on import. A handler module reads its table names and
 * builds its clients when it loads, and ES imports evaluate in order: import this first.
 */
export const TABLE_NAMES = {
  orders: 'test-orders',
  outbox: 'test-outbox',
  idempotency: 'test-idempotency-keys',
} as const;

process.env[ENV.ordersTable] = TABLE_NAMES.orders;
process.env[ENV.outboxTable] = TABLE_NAMES.outbox;
process.env[ENV.idempotencyTable] = TABLE_NAMES.idempotency;
// Powertools reads this when the logger is built; tests spy on the logger instead of its output.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
// Metrics are counted (tests spy on `metrics.addMetric`) but not printed as EMF lines.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
