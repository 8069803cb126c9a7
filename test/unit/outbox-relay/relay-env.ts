import { ENV } from '../../../src/common/settings';

/**
 * The relay's environment, set on import. The handler module builds its clients when it loads, so
 * a test imports this module before the handler.
 */
export const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:OrderEvents';
export const OUTBOX_TABLE = 'Outbox';

process.env[ENV.eventsTopicArn] = TOPIC_ARN;
process.env[ENV.outboxTable] = OUTBOX_TABLE;
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
// Metrics are counted (tests spy on `metrics.addMetric`) but not printed as EMF lines.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
