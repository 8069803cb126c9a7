import type { OrderCreated } from '../../common/events';

export interface ChargeRequest {
  /**
   * The order id. Two deliveries of one OrderCreated can both find no stored payment and charge
   * concurrently (the conditional write only settles which result is kept), so a real gateway
   * must deduplicate charges on this key.
   */
  readonly idempotencyKey: string;
  readonly order: OrderCreated['data'];
}

/** A business answer. A gateway that cannot answer throws: that is a technical failure, retried. */
export type ChargeResult = { readonly status: 'approved'; readonly paymentId: string } | { readonly status: 'declined' };

/** The port to whatever takes the money. */
export interface PaymentGateway {
  charge(request: ChargeRequest): Promise<ChargeResult>;
}
