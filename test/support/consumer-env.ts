import { ENV } from '../../src/common/settings';

/**
 * Import this before a consumer's handler: a handler reads its environment once, when its module
 * loads, and ES imports evaluate in order.
 */
export const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:order-events';
export const TABLE_NAMES = {
  payments: 'test-payments',
  inventory: 'test-inventory-reservations',
  notifications: 'test-notifications',
} as const;

process.env[ENV.eventsTopicArn] = TOPIC_ARN;
process.env[ENV.paymentsTable] = TABLE_NAMES.payments;
process.env[ENV.inventoryTable] = TABLE_NAMES.inventory;
process.env[ENV.notificationsTable] = TABLE_NAMES.notifications;
// Powertools reads these when the logger is built; unit test output stays readable.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
// Metrics are counted (tests spy on `metrics.addMetric`) but not printed as EMF lines.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
