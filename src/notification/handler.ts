import { createDocumentClient } from '../common/aws-clients';
import { countMetric } from '../common/business-metrics';
import { outcomeEventSchema } from '../common/events';
import { logger, maskEmail } from '../common/observability';
import { systemClock } from '../common/ports';
import { BUSINESS_METRICS, requireEnv, TABLES } from '../common/settings';
import { createSqsBatchHandler } from '../common/sqs-batch-handler';
import { annotateEvent } from '../common/tracing';
import { parseEventBody } from '../common/validation';
import { DynamoDbNotificationRepository } from './adapters/dynamodb-notification-repository';
import { recordNotification, type RecordNotificationPorts } from './domain/record-notification';

// Built once per execution environment and reused across invocations.
const ports: RecordNotificationPorts = {
  notifications: new DynamoDbNotificationRepository(requireEnv(TABLES.notifications.env), createDocumentClient()),
  clock: systemClock,
};

/** SQS (raw SNS delivery) → a payment or inventory outcome → one customer notification. */
export const handler = createSqsBatchHandler(async (record) => {
  const outcome = parseEventBody(record.body, outcomeEventSchema);
  const ids = {
    messageId: record.messageId,
    eventId: outcome.eventId,
    eventType: outcome.eventType,
    orderId: outcome.data.orderId,
    correlationId: outcome.correlationId,
  };
  annotateEvent(ids);
  // Logged before the work so a record that times out still has a line naming its order.
  logger.info('Recording notification', ids);
  const { notification, created } = await recordNotification(outcome, ports);
  countMetric(created ? BUSINESS_METRICS.notificationsRecorded : BUSINESS_METRICS.duplicatesAbsorbed);
  logger.info(created ? 'Notification recorded' : 'Notification already recorded; duplicate delivery', {
    ...ids,
    recipient: maskEmail(notification.recipient),
  });
});
