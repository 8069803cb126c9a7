import type { SQSRecord } from 'aws-lambda';
import { createDocumentClient } from '../../common/aws-clients';
import { countMetric } from '../../common/business-metrics';
import { outcomeEventSchema } from '../../common/events';
import { logger } from '../../common/observability';
import { systemClock } from '../../common/ports';
import { BUSINESS_METRICS, requireEnv, TABLES } from '../../common/settings';
import { createSqsBatchHandler } from '../../common/sqs-batch-handler';
import { annotateEvent } from '../../common/tracing';
import { parseEventBody } from '../../common/validation';
import { DynamoDbOrderStatusRepository } from '../adapters/dynamodb-order-status-repository';
import { recordOutcome } from '../domain/record-outcome';

const orders = new DynamoDbOrderStatusRepository(requireEnv(TABLES.orders.env), createDocumentClient());

/**
 * One payment or inventory outcome per record. The subscription uses raw message delivery, so the
 * body is the event itself. An invalid event, a missing order or a database failure throws: the
 * record is reported failed, retried, and dead-lettered after `maxReceiveCount` receives.
 */
export async function recordOutcomeMessage(record: SQSRecord): Promise<void> {
  const event = parseEventBody(record.body, outcomeEventSchema);
  annotateEvent({
    orderId: event.data.orderId,
    eventId: event.eventId,
    correlationId: event.correlationId,
    eventType: event.eventType,
  });
  const recorded = await recordOutcome(event, { orders, clock: systemClock });
  const details = {
    correlationId: event.correlationId,
    orderId: recorded.orderId,
    eventId: event.eventId,
    eventType: event.eventType,
    stepApplied: recorded.stepApplied,
    status: recorded.status,
  };
  if (recorded.contradicted) {
    logger.warn('Outcome contradicts the step status already recorded; ignored', details);
  } else {
    logger.info(recorded.stepApplied ? 'Outcome recorded' : 'Outcome already recorded', details);
    if (!recorded.stepApplied) countMetric(BUSINESS_METRICS.duplicatesAbsorbed);
  }
}

export const handler = createSqsBatchHandler(recordOutcomeMessage);
