import * as z from 'zod';
import { InvalidEventError } from '../common/errors';
import type { EventPublisher, OutgoingEvent } from '../common/event-publisher';
import { correlationIdSchema, eventIdSchema } from '../common/events/envelope';
import { logger } from '../common/observability';
import { outboxItemSchema, type OutboxItem } from '../common/outbox-item';
import type { Clock } from '../common/ports';
import { parseEventBody, toValidationIssues } from '../common/validation';

/** A stream record as the relay needs it: the handler has already unmarshalled its NewImage. */
export interface OutboxStreamRecord {
  readonly sequenceNumber: string;
  readonly eventName: string | undefined;
  /** The NewImage as plain JavaScript, why it could not be unmarshalled, or `absent`. */
  readonly newImage: DecodedImage;
}

export type DecodedImage =
  | { readonly kind: 'decoded'; readonly value: Record<string, unknown> }
  | { readonly kind: 'undecodable'; readonly reason: string }
  | { readonly kind: 'absent' };

export type MarkSentOutcome = 'marked' | 'already-sent-or-gone';

/** The outbox table, as the relay writes it. */
export interface OutboxMarker {
  /** Marks a published item SENT; an item already SENT or deleted is left alone and counts as done. */
  markSent(eventId: string, sentAt: Date): Promise<MarkSentOutcome>;
}

export interface RelayPorts {
  readonly publisher: EventPublisher;
  readonly outbox: OutboxMarker;
  readonly clock: Clock;
}

export interface RelayBatchResult {
  /** Records to report in `batchItemFailures`, in stream order: Lambda resumes from the first. */
  readonly failedSequenceNumbers: readonly string[];
  readonly published: number;
  /** Records that are not new outbox items (MODIFY, REMOVE, no NewImage). */
  readonly skipped: number;
  /** Records after the first invalid one, left for the redelivery that follows the checkpoint. */
  readonly deferred: number;
}

/** The parts of the serialized envelope that must agree with the item the relay publishes it from. */
const payloadEnvelopeSchema = z.object({
  eventId: eventIdSchema,
  eventType: z.string(),
  eventVersion: z.string(),
  correlationId: correlationIdSchema,
});

interface PendingEvent {
  readonly sequenceNumber: string;
  readonly item: OutboxItem;
}

/**
 * Publishes the new outbox items of one stream batch to the topic and marks them SENT, reporting
 * the records that must be retried.
 */
export async function relayOutboxBatch(
  records: readonly OutboxStreamRecord[],
  ports: RelayPorts,
): Promise<RelayBatchResult> {
  const pending: PendingEvent[] = [];
  let skipped = 0;
  let firstInvalid: string | undefined;
  let deferred = 0;

  for (const [index, record] of records.entries()) {
    if (record.eventName !== 'INSERT' || record.newImage.kind === 'absent') {
      // Not a new event: the relay's own SENT updates are MODIFY and TTL deletes are REMOVE.
      // The mapping's INSERT filter drops these on AWS; if one gets through, it is not a failure.
      logger.debug('Skipped stream record that is not a new outbox item', {
        sequenceNumber: record.sequenceNumber,
        eventName: record.eventName,
      });
      skipped += 1;
      continue;
    }
    try {
      pending.push({ sequenceNumber: record.sequenceNumber, item: parseOutboxItem(record.newImage) });
    } catch (error) {
      logger.error('Outbox item is invalid and will be retried, then sent to the on-failure queue', {
        sequenceNumber: record.sequenceNumber,
        ...identifiersOf(record.newImage),
        error,
      });
      firstInvalid = record.sequenceNumber;
      // Lambda checkpoints at the lowest reported sequence number and delivers every record after
      // it again, so publishing the records after this one now would only publish them twice.
      deferred = records.length - index - 1;
      break;
    }
  }

  const failed = new Set<string>(firstInvalid === undefined ? [] : [firstInvalid]);
  const published = await publishPending(pending, ports, failed);
  await markPublishedSent(published, ports, failed);

  // Input order is stream order, so the first failure reported is the lowest sequence number.
  const failedSequenceNumbers = records.map((record) => record.sequenceNumber).filter((sequenceNumber) => failed.has(sequenceNumber));
  const summary = {
    received: records.length,
    published: published.length,
    failed: failedSequenceNumbers.length,
    skipped,
    deferred,
    firstFailedSequenceNumber: failedSequenceNumbers[0],
  };
  if (failedSequenceNumbers.length === 0) {
    logger.info('Relayed outbox batch', summary);
  } else {
    logger.warn('Relayed outbox batch with failures; Lambda retries from the first failed record', summary);
  }
  return { failedSequenceNumbers, published: published.length, skipped, deferred };
}

/**
 * Publishes the pending events; those SNS did not accept join `failed`. A publisher that throws
 * (it reports SNS errors per event, so it should not) fails the whole invocation: the batch is
 * retried and bisected.
 */
async function publishPending(
  pending: readonly PendingEvent[],
  { publisher }: RelayPorts,
  failed: Set<string>,
): Promise<PendingEvent[]> {
  if (pending.length === 0) return [];
  const outcome = await publisher.publishAll(pending.map(({ item }) => toOutgoingEvent(item)));
  const publishedIds = new Set(outcome.published);
  const failures = new Map(outcome.failed.map((failure) => [failure.eventId, failure]));
  const published: PendingEvent[] = [];
  for (const event of pending) {
    const failure = failures.get(event.item.eventId);
    if (failure === undefined && publishedIds.has(event.item.eventId)) {
      published.push(event);
      continue;
    }
    logger.error('Publishing outbox event failed; it will be retried', {
      sequenceNumber: event.sequenceNumber,
      eventId: event.item.eventId,
      orderId: event.item.orderId,
      error: failure ?? 'The publisher reported the event neither as published nor as failed',
    });
    failed.add(event.sequenceNumber);
  }
  return published;
}

/**
 * Marks the published items SENT, concurrently. A mark that fails makes its record fail: the retry
 * publishes the event again, which consumers tolerate: SNS and SQS deliver at least once anyway,
 * so every consumer already handles a duplicate eventId.
 */
async function markPublishedSent(published: readonly PendingEvent[], { outbox, clock }: RelayPorts, failed: Set<string>): Promise<void> {
  const sentAt = clock();
  const outcomes = await Promise.allSettled(published.map(({ item }) => outbox.markSent(item.eventId, sentAt)));
  outcomes.forEach((outcome, index) => {
    const event = published[index];
    if (event === undefined) return;
    if (outcome.status === 'fulfilled') {
      if (outcome.value === 'already-sent-or-gone') {
        logger.debug('Outbox item was already SENT or deleted', { eventId: event.item.eventId, orderId: event.item.orderId });
      }
      return;
    }
    logger.error('Marking outbox item SENT failed; its event will be published again on retry', {
      sequenceNumber: event.sequenceNumber,
      eventId: event.item.eventId,
      orderId: event.item.orderId,
      error: outcome.reason,
    });
    failed.add(event.sequenceNumber);
  });
}

/**
 * Validates an item against the outbox contract and checks that its payload is the envelope it
 * claims to be: SNS subscriptions route on the attributes taken from the item, so an item whose
 * attributes disagree with its payload would deliver an event to the wrong consumers. The payload
 * itself is not checked against its event's schema: the producer validated it, every consumer
 * validates it, and the relay stays independent of event versions.
 */
function parseOutboxItem(image: Exclude<DecodedImage, { kind: 'absent' }>): OutboxItem {
  if (image.kind === 'undecodable') {
    throw new InvalidEventError(`Stream image could not be unmarshalled: ${image.reason}`);
  }
  const result = outboxItemSchema.safeParse(image.value);
  if (!result.success) {
    throw new InvalidEventError('Outbox item does not match the outbox contract', toValidationIssues(result.error));
  }
  const item = result.data;
  const envelope = parseEventBody(item.payload, payloadEnvelopeSchema);
  const mismatched = (['eventId', 'eventType', 'eventVersion', 'correlationId'] as const).filter(
    (field) => envelope[field] !== item[field],
  );
  if (mismatched.length > 0) {
    throw new InvalidEventError(`Outbox item payload disagrees with the item on ${mismatched.join(', ')}`);
  }
  return item;
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

/** The identifiers of an invalid image, when it has them, for the error log line. */
function identifiersOf(image: DecodedImage): { eventId?: unknown; orderId?: unknown } {
  if (image.kind !== 'decoded') return {};
  return { eventId: image.value.eventId, orderId: image.value.orderId };
}
