import { SimulatedTechnicalFailureError } from '../../common/errors';
import type { OutcomeEvent } from '../../common/events';
import type { Clock } from '../../common/ports';
import { composeNotification } from './compose-notification';
import type { Notification, NotificationRepository } from './notification';

export interface RecordNotificationPorts {
  readonly notifications: NotificationRepository;
  readonly clock: Clock;
}

export interface RecordNotificationResult {
  readonly notification: Notification;
  /** `false` when an earlier delivery of the same event had recorded it already. */
  readonly created: boolean;
}

/** Records the customer notification for an outcome event, once however often it is delivered. */
export async function recordNotification(
  outcome: OutcomeEvent,
  { notifications, clock }: RecordNotificationPorts,
): Promise<RecordNotificationResult> {
  const { orderId, customerEmail, simulateTechnicalFailure } = outcome.data;
  // The seed article's switch, carried on every outcome: fail as if the mail service were down.
  if (simulateTechnicalFailure === 'notification') {
    throw new SimulatedTechnicalFailureError('notification', orderId);
  }
  const notification: Notification = {
    notificationId: outcome.eventId,
    orderId,
    eventType: outcome.eventType,
    channel: 'email',
    recipient: customerEmail,
    ...composeNotification(outcome),
    createdAt: clock().toISOString(),
  };
  const created = await notifications.saveOnce(notification);
  return { notification, created };
}
