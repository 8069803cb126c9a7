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
import { createDynamoDbInventoryRepository } from './adapters/dynamodb-inventory-repository';
import { SimulatedStockService } from './adapters/simulated-stock-service';
import { reserveInventory, type ReserveInventoryPorts } from './domain/reserve-inventory';

// Built once per execution environment and reused across invocations.
const ports: ReserveInventoryPorts = {
  reservations: createDynamoDbInventoryRepository(requireEnv(TABLES.inventory.env), createDocumentClient()),
  stock: new SimulatedStockService(),
  publisher: new TracedEventPublisher(new SnsEventPublisher(requireEnv(EVENTS_TOPIC.env), createSnsClient())),
  clock: systemClock,
};

/** SQS (raw SNS delivery) → OrderCreated → InventoryReserved | InventoryFailed. */
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
  logger.info('Reserving inventory', ids);
  const { published, source } = await reserveInventory(orderCreated, ports, { traceHeader: traceHeaderOf(record) });
  countOutcome(published.eventType, source);
  logger.info('Inventory outcome published', {
    ...ids,
    outcomeEventId: published.eventId,
    outcomeEventType: published.eventType,
    republished: source === 'stored',
  });
});
