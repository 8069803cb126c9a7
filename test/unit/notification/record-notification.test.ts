import { SimulatedTechnicalFailureError } from '../../../src/common/errors';
import type { Notification, NotificationRepository } from '../../../src/notification/domain/notification';
import { recordNotification, type RecordNotificationPorts } from '../../../src/notification/domain/record-notification';
import {
  CUSTOMER_EMAIL,
  ORDER_CREATED_EVENT_ID,
  ORDER_ID,
  inventoryReservedEvent,
  paymentCompletedEvent,
  paymentFailedEvent,
} from '../../support/event-fixtures';

const NOW = new Date('2026-07-02T10:00:07.000Z');

function setUp(saved = true) {
  const notifications = { saveOnce: jest.fn<Promise<boolean>, [Notification]>().mockResolvedValue(saved) } satisfies NotificationRepository;
  const ports: RecordNotificationPorts = { notifications, clock: () => NOW };
  return { notifications, ports };
}

describe('recordNotification', () => {
  it('records one email notification keyed by the outcome event id', async () => {
    // Prepare
    const { notifications, ports } = setUp();
    const outcome = paymentFailedEvent();

    // Act
    const result = await recordNotification(outcome, ports);

    // Assess
    const expected: Notification = {
      notificationId: `${ORDER_CREATED_EVENT_ID}:payment-outcome`,
      orderId: ORDER_ID,
      eventType: 'PaymentFailed',
      channel: 'email',
      recipient: CUSTOMER_EMAIL,
      subject: `Payment declined for order ${ORDER_ID}`,
      message: `Payment of 900.00 USD for order ${ORDER_ID} was declined.`,
      createdAt: NOW.toISOString(),
    };
    expect(notifications.saveOnce).toHaveBeenCalledTimes(1);
    expect(notifications.saveOnce).toHaveBeenCalledWith(expected);
    expect(result).toEqual({ notification: expected, created: true });
  });

  it('reports a notification an earlier delivery recorded as not created', async () => {
    // Prepare
    const { ports } = setUp(false);

    // Act
    const result = await recordNotification(inventoryReservedEvent(), ports);

    // Assess
    expect(result.created).toBe(false);
  });

  it('fails technically and records nothing when the outcome simulates a notification failure', async () => {
    // Prepare
    const { notifications, ports } = setUp();

    // Act
    const attempt = recordNotification(paymentCompletedEvent({ simulateTechnicalFailure: 'notification' }), ports);

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(SimulatedTechnicalFailureError);
    expect(notifications.saveOnce).not.toHaveBeenCalled();
  });

  it('records the notification when the outcome simulates another service’s failure', async () => {
    // Prepare
    const { notifications, ports } = setUp();

    // Act
    await recordNotification(inventoryReservedEvent({ simulateTechnicalFailure: 'payment' }), ports);

    // Assess
    expect(notifications.saveOnce).toHaveBeenCalledTimes(1);
  });
});
