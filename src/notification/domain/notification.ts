import type { EventType } from '../../common/events';

/** A message to a customer about one outcome event: exactly one per event. */
export interface Notification {
  /** The outcome event's id: a repeated delivery names the same notification. */
  readonly notificationId: string;
  readonly orderId: string;
  readonly eventType: EventType;
  readonly channel: 'email';
  readonly recipient: string;
  readonly subject: string;
  readonly message: string;
  readonly createdAt: string;
}

/** The port to where notifications are kept (and, in a real system, sent from). */
export interface NotificationRepository {
  /** Records the notification unless one with its id exists; `false` means it already did. */
  saveOnce(notification: Notification): Promise<boolean>;
}
