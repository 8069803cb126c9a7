import type { OrderCreated } from '../../common/events';

export interface ReserveRequest {
  /**
   * The order id. Two deliveries of one OrderCreated can both find no stored reservation and
   * reserve concurrently (the conditional write only settles which result is kept), so a real
   * stock service must deduplicate reservations on this key.
   */
  readonly idempotencyKey: string;
  readonly order: OrderCreated['data'];
}

/** A business answer. A stock service that cannot answer throws: that is a technical failure, retried. */
export type ReserveResult = { readonly status: 'reserved'; readonly reservationId: string } | { readonly status: 'out_of_stock' };

/** The port to whatever holds the stock. */
export interface StockService {
  reserve(request: ReserveRequest): Promise<ReserveResult>;
}
