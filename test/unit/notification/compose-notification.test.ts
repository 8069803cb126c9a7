import type { OutcomeEvent } from '../../../src/common/events';
import { composeNotification, formatAmount } from '../../../src/notification/domain/compose-notification';
import {
  ORDER_ID,
  inventoryFailedEvent,
  inventoryReservedEvent,
  paymentCompletedEvent,
  paymentFailedEvent,
} from '../../support/event-fixtures';

describe('composeNotification', () => {
  it.each<{ name: string; outcome: OutcomeEvent; subject: string; message: string }>([
    {
      name: 'PaymentCompleted',
      outcome: paymentCompletedEvent({ paymentId: 'pay-1' }),
      subject: `Payment approved for order ${ORDER_ID}`,
      message: `Payment of 900.00 USD for order ${ORDER_ID} was approved (payment pay-1).`,
    },
    {
      name: 'PaymentFailed',
      outcome: paymentFailedEvent(),
      subject: `Payment declined for order ${ORDER_ID}`,
      message: `Payment of 900.00 USD for order ${ORDER_ID} was declined.`,
    },
    {
      name: 'InventoryReserved',
      outcome: inventoryReservedEvent({ reservationId: 'res-1' }),
      subject: `Items reserved for order ${ORDER_ID}`,
      message: `1 × LAPTOP-001, 2 × MOUSE-002 for order ${ORDER_ID} are reserved (reservation res-1).`,
    },
    {
      name: 'InventoryFailed',
      outcome: inventoryFailedEvent(),
      subject: `Items out of stock for order ${ORDER_ID}`,
      message: `Order ${ORDER_ID} could not be reserved: 1 × LAPTOP-001, 2 × MOUSE-002 out of stock.`,
    },
  ])('tells the customer about $name', ({ outcome, subject, message }) => {
    // Act
    const composed = composeNotification(outcome);

    // Assess
    expect(composed).toEqual({ subject, message });
  });

  it('uses the singular for a single reserved line', () => {
    // Prepare
    const outcome = inventoryReservedEvent({ items: [{ sku: 'BOOK-1', quantity: 3 }], reservationId: 'res-1' });

    // Act
    const { message } = composeNotification(outcome);

    // Assess
    expect(message).toBe(`3 × BOOK-1 for order ${ORDER_ID} is reserved (reservation res-1).`);
  });
});

describe('formatAmount', () => {
  it.each([
    { amount: 900, currency: 'USD', formatted: '900.00 USD' },
    { amount: 59.97, currency: 'EUR', formatted: '59.97 EUR' },
    { amount: 1500, currency: 'JPY', formatted: '1,500 JPY' },
    { amount: 1234.5, currency: 'KWD', formatted: '1,234.500 KWD' },
  ])('writes $amount $currency with the currency’s minor-unit digits', ({ amount, currency, formatted }) => {
    // Act
    const result = formatAmount(amount, currency);

    // Assess
    expect(result).toBe(formatted);
  });
});
