import type { EventPublisher, OutgoingEvent, PublishOutcome } from '../../src/common/event-publisher';
import type { OutcomeStore, StoredOutcome } from '../../src/common/outcome-once';

/** An `OutcomeStore` in a map, with the same store-once semantics as the conditional put. */
export class InMemoryOutcomeStore<TRecord extends StoredOutcome> implements OutcomeStore<TRecord> {
  readonly records = new Map<string, TRecord>();

  readonly find = jest.fn(async (orderId: string): Promise<TRecord | undefined> => this.records.get(orderId));

  readonly storeOnce = jest.fn(async (record: TRecord): Promise<{ record: TRecord; created: boolean }> => {
    const existing = this.records.get(record.orderId);
    if (existing !== undefined) return { record: existing, created: false };
    this.records.set(record.orderId, record);
    return { record, created: true };
  });
}

/** A publisher that accepts every event and remembers it. */
export function recordingPublisher(): EventPublisher & { publishAll: jest.Mock<Promise<PublishOutcome>, [readonly OutgoingEvent[]]> } {
  return {
    publishAll: jest.fn(async (events: readonly OutgoingEvent[]) => ({
      published: events.map((event) => event.eventId),
      failed: [],
    })),
  };
}
