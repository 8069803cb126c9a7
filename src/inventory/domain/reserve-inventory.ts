import type { EventPublisher } from '../../common/event-publisher';
import type { OrderCreated } from '../../common/events';
import { publishOutcomeOnce, type OutcomeOnceOptions, type OutcomeOnceResult, type OutcomeStore } from '../../common/outcome-once';
import type { Clock } from '../../common/ports';
import { createInventoryOutcome } from './inventory-outcome';
import { toInventoryRecord, type InventoryRecord } from './inventory-record';
import type { StockService } from './stock-service';

export type InventoryRepository = OutcomeStore<InventoryRecord>;

export interface ReserveInventoryPorts {
  readonly reservations: InventoryRepository;
  readonly stock: StockService;
  readonly publisher: EventPublisher;
  readonly clock: Clock;
}

/**
 * Reserves an order's items once and publishes InventoryReserved or InventoryFailed. A repeated
 * delivery republishes the stored outcome instead of reserving again.
 */
export async function reserveInventory(
  orderCreated: OrderCreated,
  { reservations, stock, publisher, clock }: ReserveInventoryPorts,
  options: OutcomeOnceOptions = {},
): Promise<OutcomeOnceResult<InventoryRecord>> {
  const { orderId } = orderCreated.data;
  const decide = async (): Promise<InventoryRecord> => {
    const reservation = await stock.reserve({ idempotencyKey: orderId, order: orderCreated.data });
    const now = clock();
    return toInventoryRecord(orderCreated, createInventoryOutcome(orderCreated, reservation, now), now);
  };
  return publishOutcomeOnce(orderId, decide, { store: reservations, publisher }, options);
}
