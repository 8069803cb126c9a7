/**
 * The port events leave a service through. It imports no SDK, so domain code can depend on it;
 * the SNS adapter is in sns-event-publisher.ts.
 */
import type { PublishFailedError } from './errors';
import type { PipelineEvent } from './events';

/** An event ready for the topic: its serialized body plus what subscriptions filter and trace on. */
export interface OutgoingEvent {
  readonly eventId: string;
  readonly eventType: string;
  readonly eventVersion: string;
  readonly correlationId: string;
  readonly orderId?: string;
  /** The event exactly as consumers will parse it. */
  readonly body: string;
  /** X-Ray trace header of the request that caused the event, carried across hops that drop it. */
  readonly traceHeader?: string;
}

export interface PublishOutcome {
  /** Event ids SNS accepted. */
  readonly published: readonly string[];
  /** One error per event SNS did not accept, whether listed in `Failed[]` or lost with its request. */
  readonly failed: readonly PublishFailedError[];
}

/** The port every publisher (the relay, payment, inventory) sends events through. */
export interface EventPublisher {
  publishAll(events: readonly OutgoingEvent[]): Promise<PublishOutcome>;
}

export function toOutgoingEvent(event: PipelineEvent, traceHeader?: string): OutgoingEvent {
  return {
    eventId: event.eventId,
    eventType: event.eventType,
    eventVersion: event.eventVersion,
    correlationId: event.correlationId,
    orderId: event.data.orderId,
    body: JSON.stringify(event),
    ...(traceHeader === undefined ? {} : { traceHeader }),
  };
}

/** Publishes one event, throwing if SNS did not accept it (a technical failure to retry). */
export async function publishOrThrow(publisher: EventPublisher, event: OutgoingEvent): Promise<void> {
  const { failed } = await publisher.publishAll([event]);
  const [failure] = failed;
  if (failure !== undefined) throw failure;
}
