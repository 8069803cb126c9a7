import type { EventPublisher, OutgoingEvent } from '../common/event-publisher';
import type { OutboxItem } from '../common/outbox-item';
import type { Clock } from '../common/ports';

export type MarkSentOutcome = 'marked' | 'already-sent-or-gone';

/** The outbox table, as the relay and the sweeper write it. */
export interface OutboxMarker {
  /** Marks a published item SENT; an item already SENT or deleted is left alone and counts as done. */
  markSent(eventId: string, sentAt: Date): Promise<MarkSentOutcome>;
}

export interface OutboxPublishingPorts {
  readonly publisher: EventPublisher;
  readonly outbox: OutboxMarker;
  readonly clock: Clock;
}

/** What became of one item; every outcome but `sent` and `already-sent-or-gone` leaves it PENDING. */
export type OutboxItemOutcome =
  | { readonly status: 'sent' }
  /** Published, but someone else (the relay or the sweeper) marked it SENT first, or TTL deleted it. */
  | { readonly status: 'already-sent-or-gone' }
  | { readonly status: 'not-published'; readonly error: unknown }
  /** Published, but still PENDING: it will be published again, which consumers tolerate. */
  | { readonly status: 'not-marked'; readonly error: unknown };

/**
 * Publishes outbox items verbatim, under their original event ids, and marks the ones SNS accepted
 * SENT, concurrently. Returns one outcome per item, in input order. A publisher that throws (it
 * reports SNS errors per event, so it should not) is not caught: the caller's invocation fails.
 *
 * An item that was published but not marked stays PENDING and is published again later: SNS and
 * SQS deliver at least once anyway, so every consumer already handles a duplicate eventId.
 */
export async function publishOutboxItems(
  items: readonly OutboxItem[],
  { publisher, outbox, clock }: OutboxPublishingPorts,
): Promise<OutboxItemOutcome[]> {
  if (items.length === 0) return [];
  const { published, failed } = await publisher.publishAll(items.map(toOutgoingEvent));
  const publishedIds = new Set(published);
  const failures = new Map(failed.map((failure) => [failure.eventId, failure]));
  const sentAt = clock();

  return Promise.all(
    items.map(async (item): Promise<OutboxItemOutcome> => {
      const failure = failures.get(item.eventId);
      if (failure !== undefined || !publishedIds.has(item.eventId)) {
        return {
          status: 'not-published',
          error: failure ?? 'The publisher reported the event neither as published nor as failed',
        };
      }
      try {
        const marked = await outbox.markSent(item.eventId, sentAt);
        return { status: marked === 'marked' ? 'sent' : 'already-sent-or-gone' };
      } catch (error) {
        return { status: 'not-marked', error };
      }
    }),
  );
}

function toOutgoingEvent(item: OutboxItem): OutgoingEvent {
  return {
    eventId: item.eventId,
    eventType: item.eventType,
    eventVersion: item.eventVersion,
    correlationId: item.correlationId,
    orderId: item.orderId,
    body: item.payload,
    traceHeader: item.traceHeader,
  };
}
