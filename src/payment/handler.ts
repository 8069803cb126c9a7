import { createDocumentClient, createSnsClient } from '../common/aws-clients';
import { countOutcome } from '../common/business-metrics';
import { SnsEventPublisher } from '../common/sns-event-publisher';
import { OrderCreatedV1 } from '../common/events';
import { logger } from '../common/observability';
import { systemClock } from '../common/ports';
import { EVENTS_TOPIC, requireEnv, TABLES } from '../common/settings';
import { createSqsBatchHandler } from '../common/sqs-batch-handler';
import { traceHeaderOf } from '../common/trace-header';
import { TracedEventPublisher } from '../common/traced-event-publisher';
import { annotateEvent } from '../common/tracing';
import { parseEventBody } from '../common/validation';
import { createDynamoDbPaymentRepository } from './adapters/dynamodb-payment-repository';
import { SimulatedPaymentGateway } from './adapters/simulated-payment-gateway';
import { processPayment, type ProcessPaymentPorts } from './domain/process-payment';

// Built once per execution environment and reused across invocations.
const ports: ProcessPaymentPorts = {
  payments: createDynamoDbPaymentRepository(requireEnv(TABLES.payments.env), createDocumentClient()),
  gateway: new SimulatedPaymentGateway(),
  publisher: new TracedEventPublisher(new SnsEventPublisher(requireEnv(EVENTS_TOPIC.env), createSnsClient())),
  clock: systemClock,
};

/** SQS (raw SNS delivery) → OrderCreated → PaymentCompleted | PaymentFailed. */
export const handler = createSqsBatchHandler(async (record) => {
  const orderCreated = parseEventBody(record.body, OrderCreatedV1.schema);
  const ids = {
    messageId: record.messageId,
    eventId: orderCreated.eventId,
    orderId: orderCreated.data.orderId,
    correlationId: orderCreated.correlationId,
  };
  annotateEvent({ ...ids, eventType: orderCreated.eventType });
  // Logged before the work so a record that times out still has a line naming its order.
  logger.info('Processing payment', ids);
  const { published, source } = await processPayment(orderCreated, ports, { traceHeader: traceHeaderOf(record) });
  countOutcome(published.eventType, source);
  logger.info('Payment outcome published', {
    ...ids,
    outcomeEventId: published.eventId,
    outcomeEventType: published.eventType,
    republished: source === 'stored',
  });
});
