import { SimulatedTechnicalFailureError } from '../../common/errors';
import type { ReserveRequest, ReserveResult, StockService } from '../domain/stock-service';

/**
 * The seed article's inventory service: the order itself says what happens. `inventoryOutcome`
 * chooses the business answer; `simulateTechnicalFailure: 'inventory'` makes the stock service
 * fail as if it were down, so the message is retried and ends in the DLQ.
 */
export class SimulatedStockService implements StockService {
  async reserve({ idempotencyKey, order }: ReserveRequest): Promise<ReserveResult> {
    if (order.simulateTechnicalFailure === 'inventory') {
      throw new SimulatedTechnicalFailureError('inventory', order.orderId);
    }
    // Derived from the idempotency key, as a deduplicating stock service would answer a repeat.
    return order.inventoryOutcome === 'reserved'
      ? { status: 'reserved', reservationId: `sim-res-${idempotencyKey}` }
      : { status: 'out_of_stock' };
  }
}
