import { logger } from '../common/observability';
import type { OutboxItem } from '../common/outbox-item';
import { parseOutboxItem } from './parse-outbox-item';
import { publishOutboxItems, type OutboxItemOutcome, type OutboxPublishingPorts } from './publish-outbox-items';

/** The outbox items still PENDING, as the sweeper finds them. */
export interface PendingOutbox {
  /**
   * Items still PENDING that were created before `createdBefore`, a page (at most `pageSize`
   * items) at a time. Items come as stored: the sweeper validates them. Stopping the iteration
   * stops the reads.
   */
  pagesCreatedBefore(createdBefore: Date, pageSize: number): AsyncIterable<readonly Record<string, unknown>[]>;
}

export interface SweepPorts extends OutboxPublishingPorts {
  readonly pending: PendingOutbox;
}

export interface SweepLimits {
  /** Items PENDING for longer than this since their `createdAt` are published. */
  readonly pendingThresholdSeconds: number;
  readonly pageSize: number;
  readonly maxItemsPerRun: number;
}

export interface OutboxSweepSummary {
  /** The cutoff: items created before it and still PENDING were swept. */
  readonly createdBefore: string;
  /** Stuck items this run took on (at most `maxItemsPerRun`). */
  readonly found: number;
  /** Published under their original event ids and marked SENT. */
  readonly sent: number;
  /** Published, but the relay (or an earlier sweep) had marked them SENT in the meantime. */
  readonly alreadySent: number;
  /** Left PENDING for the next run: invalid, refused by SNS, or published but not marked. */
  readonly leftPending: number;
  /** Of `leftPending`, items that do not match the outbox contract: they need a person. */
  readonly invalid: number;
  /** The run stopped at `maxItemsPerRun`: more stuck items may be waiting for the next run. */
  readonly reachedLimit: boolean;
}

interface Tally {
  found: number;
  sent: number;
  alreadySent: number;
  leftPending: number;
  invalid: number;
}

/**
 * Publishes the outbox items the relay never published (it gave up on their stream records, or the
 * stream no longer holds them) exactly as the relay would have: payload verbatim, original event
 * id, then marked SENT only while still PENDING. Items that fail stay PENDING for the next run. A
 * run is bounded by `maxItemsPerRun` so it always ends within its timeout.
 */
export async function sweepStuckOutbox(limits: SweepLimits, ports: SweepPorts): Promise<OutboxSweepSummary> {
  const createdBefore = new Date(ports.clock().getTime() - limits.pendingThresholdSeconds * 1000);
  const tally: Tally = { found: 0, sent: 0, alreadySent: 0, leftPending: 0, invalid: 0 };
  let reachedLimit = false;

  const pageSize = Math.min(limits.pageSize, limits.maxItemsPerRun);
  for await (const page of ports.pending.pagesCreatedBefore(createdBefore, pageSize)) {
    const taken = page.slice(0, limits.maxItemsPerRun - tally.found);
    tally.found += taken.length;
    await sweepPage(taken, ports, tally);
    if (tally.found >= limits.maxItemsPerRun) {
      reachedLimit = true;
      break;
    }
  }

  const summary: OutboxSweepSummary = { createdBefore: createdBefore.toISOString(), ...tally, reachedLimit };
  if (summary.leftPending > 0) {
    logger.warn('Swept the outbox; some stuck items stay PENDING for the next run', { ...summary });
  } else {
    logger.info('Swept the outbox', { ...summary });
  }
  return summary;
}

async function sweepPage(page: readonly Record<string, unknown>[], ports: SweepPorts, tally: Tally): Promise<void> {
  const items: OutboxItem[] = [];
  for (const stored of page) {
    try {
      items.push(parseOutboxItem(stored));
    } catch (error) {
      logger.error('Stuck outbox item is invalid and stays PENDING; it needs a fix by hand', {
        eventId: stored.eventId,
        orderId: stored.orderId,
        error,
      });
      tally.invalid += 1;
      tally.leftPending += 1;
    }
  }
  const outcomes = await publishOutboxItems(items, ports);
  outcomes.forEach((outcome, index) => {
    const item = items[index];
    if (item !== undefined) count(outcome, item, tally);
  });
}

function count(outcome: OutboxItemOutcome, item: OutboxItem, tally: Tally): void {
  const ids = { eventId: item.eventId, orderId: item.orderId, createdAt: item.createdAt };
  switch (outcome.status) {
    case 'sent':
      logger.info('Published stuck outbox event', ids);
      tally.sent += 1;
      return;
    case 'already-sent-or-gone':
      logger.info('Published stuck outbox event that was SENT meanwhile (a duplicate consumers tolerate)', ids);
      tally.alreadySent += 1;
      return;
    case 'not-published':
      logger.error('Publishing stuck outbox event failed; it stays PENDING for the next run', { ...ids, error: outcome.error });
      tally.leftPending += 1;
      return;
    case 'not-marked':
      logger.error('Marking stuck outbox item SENT failed; the next run publishes it again', { ...ids, error: outcome.error });
      tally.leftPending += 1;
      return;
  }
}
