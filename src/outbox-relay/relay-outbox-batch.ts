import { InvalidEventError, PipelineError } from '../common/errors';
import { logger } from '../common/observability';
import type { OutboxItem } from '../common/outbox-item';
import { parseOutboxItem } from './parse-outbox-item';
import { publishOutboxItems, type OutboxPublishingPorts } from './publish-outbox-items';

export type { MarkSentOutcome, OutboxMarker } from './publish-outbox-items';

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

export type RelayPorts = OutboxPublishingPorts;

export interface RelayBatchResult {
  /** Records to report in `batchItemFailures`, in stream order: Lambda resumes from the first. */
  readonly failedSequenceNumbers: readonly string[];
  readonly published: number;
  /** Records whose event SNS did not accept (among the failed ones): the topic may be unavailable. */
  readonly unpublished: number;
  /** Records that are not new outbox items (MODIFY, REMOVE, no NewImage). */
  readonly skipped: number;
  /** Records after the first invalid one, left for the redelivery that follows the checkpoint. */
  readonly deferred: number;
}

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
      pending.push({ sequenceNumber: record.sequenceNumber, item: parseImage(record.newImage) });
    } catch (error) {
      logger.error('Outbox item is invalid and will be retried, then sent to the on-failure queue', {
        sequenceNumber: record.sequenceNumber,
        ...identifiersOf(record.newImage),
        error,
      });
      if (index === 0 && records.length > 1) {
        // Reported as a partial failure, this record would be retried together with every record
        // after it (Lambda bisects at the reported record and retries the rest as one batch), and
        // once retries run out they would all be skipped, valid ones included. A function error
        // makes Lambda bisect the batch in halves instead (BisectBatchOnFunctionError, which does
        // not use up retries) until this record is alone, so that only it is skipped.
        throw error;
      }
      firstInvalid = record.sequenceNumber;
      // Lambda checkpoints at the lowest reported sequence number and delivers every record after
      // it again, so publishing the records after this one now would only publish them twice.
      deferred = records.length - index - 1;
      break;
    }
  }

  const failed = new Set<string>(firstInvalid === undefined ? [] : [firstInvalid]);
  const { published, unpublished } = await publishPending(pending, ports, failed);

  // Input order is stream order, so the first failure reported is the lowest sequence number.
  const failedSequenceNumbers = records.map((record) => record.sequenceNumber).filter((sequenceNumber) => failed.has(sequenceNumber));
  const summary = {
    received: records.length,
    published,
    failed: failedSequenceNumbers.length,
    unpublished,
    skipped,
    deferred,
    firstFailedSequenceNumber: failedSequenceNumbers[0],
  };
  if (failedSequenceNumbers.length === 0) {
    logger.info('Relayed outbox batch', summary);
  } else {
    logger.warn('Relayed outbox batch with failures; Lambda retries from the first failed record', summary);
  }
  const [head] = records;
  if (records.length > 1 && head !== undefined && failedSequenceNumbers[0] === head.sequenceNumber) {
    // As for an invalid first record (above), for one SNS refused or that could not be marked: a
    // report would retry the same batch until retries run out, then skip it whole. The records
    // after it that were published are published again by the halves; consumers tolerate that.
    throw new FailedBatchHeadError(head.sequenceNumber, records.length, unpublished);
  }
  return { failedSequenceNumbers, published, unpublished, skipped, deferred };
}

/**
 * The first record of a batch of several failed. Failing the invocation, rather than reporting the
 * record, makes Lambda bisect the batch (BisectBatchOnFunctionError) until the record is alone.
 */
export class FailedBatchHeadError extends PipelineError {
  constructor(
    sequenceNumber: string,
    batchSize: number,
    /** Records of the batch whose event SNS did not accept. */
    readonly unpublished: number,
  ) {
    super(`The first record (${sequenceNumber}) of a batch of ${String(batchSize)} failed; failing the invocation so that Lambda bisects the batch`);
  }
}

/**
 * Publishes the pending events and marks them SENT; the records of those SNS did not accept or that
 * could not be marked join `failed` (a retry publishes the latter again, which consumers tolerate).
 * Returns how many SNS accepted and how many it did not.
 */
async function publishPending(
  pending: readonly PendingEvent[],
  ports: RelayPorts,
  failed: Set<string>,
): Promise<{ published: number; unpublished: number }> {
  const outcomes = await publishOutboxItems(
    pending.map(({ item }) => item),
    ports,
  );
  let published = 0;
  let unpublished = 0;
  outcomes.forEach((outcome, index) => {
    const event = pending[index];
    if (event === undefined) return;
    const ids = {
      sequenceNumber: event.sequenceNumber,
      eventId: event.item.eventId,
      orderId: event.item.orderId,
      correlationId: event.item.correlationId,
    };
    switch (outcome.status) {
      case 'sent':
        published += 1;
        return;
      case 'already-sent-or-gone':
        published += 1;
        logger.debug('Outbox item was already SENT or deleted', ids);
        return;
      case 'not-published':
        logger.error('Publishing outbox event failed; it will be retried', { ...ids, error: outcome.error });
        unpublished += 1;
        failed.add(event.sequenceNumber);
        return;
      case 'not-marked':
        published += 1;
        logger.error('Marking outbox item SENT failed; its event will be published again on retry', {
          ...ids,
          error: outcome.error,
        });
        failed.add(event.sequenceNumber);
        return;
    }
  });
  return { published, unpublished };
}

/** The stream image as an outbox item fit to publish; throws InvalidEventError otherwise. */
function parseImage(image: Exclude<DecodedImage, { kind: 'absent' }>): OutboxItem {
  if (image.kind === 'undecodable') {
    throw new InvalidEventError(`Stream image could not be unmarshalled: ${image.reason}`);
  }
  return parseOutboxItem(image.value);
}

/** The identifiers of an invalid image, when it has them, for the error log line. */
function identifiersOf(image: DecodedImage): { eventId?: unknown; orderId?: unknown } {
  if (image.kind !== 'decoded') return {};
  return { eventId: image.value.eventId, orderId: image.value.orderId };
}
