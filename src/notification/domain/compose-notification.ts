import { EVENT_TYPES, type OutcomeEvent } from '../../common/events';

export interface ComposedNotification {
  readonly subject: string;
  readonly message: string;
}

/** What the customer reads about an outcome. */
export function composeNotification(outcome: OutcomeEvent): ComposedNotification {
  const { orderId } = outcome.data;
  switch (outcome.eventType) {
    case EVENT_TYPES.paymentCompleted:
      return {
        subject: `Payment approved for order ${orderId}`,
        message: `Payment of ${formatAmount(outcome.data.amount, outcome.data.currency)} for order ${orderId} was approved (payment ${outcome.data.paymentId}).`,
      };
    case EVENT_TYPES.paymentFailed:
      return {
        subject: `Payment declined for order ${orderId}`,
        message: `Payment of ${formatAmount(outcome.data.amount, outcome.data.currency)} for order ${orderId} was declined.`,
      };
    case EVENT_TYPES.inventoryReserved:
      return {
        subject: `Items reserved for order ${orderId}`,
        message: `${formatItems(outcome.data.items)} for order ${orderId} ${outcome.data.items.length === 1 ? 'is' : 'are'} reserved (reservation ${outcome.data.reservationId}).`,
      };
    case EVENT_TYPES.inventoryFailed:
      return {
        subject: `Items out of stock for order ${orderId}`,
        message: `Order ${orderId} could not be reserved: ${formatItems(outcome.data.items)} out of stock.`,
      };
  }
}

/** `900` USD → `900.00 USD`, `1500` JPY → `1,500 JPY`: as many decimals as the currency's minor unit. */
export function formatAmount(amount: number, currency: string): string {
  const { maximumFractionDigits: digits } = new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions();
  const number = new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(amount);
  return `${number} ${currency}`;
}

function formatItems(items: readonly { sku: string; quantity: number }[]): string {
  return items.map(({ sku, quantity }) => `${quantity} × ${sku}`).join(', ');
}
