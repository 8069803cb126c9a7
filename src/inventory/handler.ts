import { createDocumentClient, createSnsClient } from '../common/aws-clients';
import { createOrderCreatedHandler } from '../common/order-created-consumer';
import { SnsEventPublisher } from '../common/sns-event-publisher';
import { systemClock } from '../common/ports';
import { EVENTS_TOPIC, requireEnv, TABLES } from '../common/settings';
import { TracedEventPublisher } from '../common/traced-event-publisher';
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
export const handler = createOrderCreatedHandler({
  starting: 'Reserving inventory',
  published: 'Inventory outcome published',
  handle: (orderCreated, options) => reserveInventory(orderCreated, ports, options),
});
