import { publishOrThrow, toOutgoingEvent, type EventPublisher, type OutgoingEvent } from './event-publisher';
import { outcomeEventSchema } from './events';
import { parseEventBody } from './validation';

/**
 * The decision a service made for an order, stored once per order together with the outcome
 * event it produced. Payment and inventory decide this way: whatever happens later (a publish
 * that fails, a message delivered twice), the order's outcome is the stored one.
 */
export interface StoredOutcome {
  readonly orderId: string;
  readonly outcomeEventId: string;
  /** The outcome event serialized once: every (re)publish sends exactly these bytes. */
  readonly outcomeEvent: string;
}

/** Where a service keeps its decisions, one per order. */
export interface OutcomeStore<TRecord extends StoredOutcome> {
  /** The order's stored decision, read strongly consistent so a retry sees a decision just written. */
  find(orderId: string): Promise<TRecord | undefined>;
  /**
   * Stores the decision unless the order already has one. Returns the decision that is stored:
   * ours (`created`), or the one an earlier, concurrent delivery wrote first.
   */
  storeOnce(record: TRecord): Promise<{ readonly record: TRecord; readonly created: boolean }>;
}

export interface OutcomeOncePorts<TRecord extends StoredOutcome> {
  readonly store: OutcomeStore<TRecord>;
  readonly publisher: EventPublisher;
}

export interface OutcomeOnceOptions {
  /** X-Ray trace header of the message being handled, carried to the outcome's subscribers. */
  readonly traceHeader?: string;
}

export interface OutcomeOnceResult<TRecord extends StoredOutcome> {
  /** The stored decision whose outcome was published. */
  readonly record: TRecord;
  /** `decided`: this delivery made the decision; `stored`: an earlier delivery had, and its event was republished. */
  readonly source: 'decided' | 'stored';
  readonly published: OutgoingEvent;
}

/**
 * Decides at most once per order and publishes the stored outcome.
 *
 * 1. A stored decision wins: SQS delivers at least once, and a message whose publish failed comes
 *    back; both republish the stored event, same id and bytes, and never decide again.
 * 2. Otherwise `decide` runs and its record is written with a conditional put. Two deliveries can
 *    both pass step 1; the put lets only one win and the loser publishes the winner's event.
 * 3. The publish throws on failure, so the message is retried and step 1 republishes.
 */
export async function publishOutcomeOnce<TRecord extends StoredOutcome>(
  orderId: string,
  decide: () => Promise<TRecord>,
  { store, publisher }: OutcomeOncePorts<TRecord>,
  { traceHeader }: OutcomeOnceOptions = {},
): Promise<OutcomeOnceResult<TRecord>> {
  const existing = await store.find(orderId);
  let record: TRecord;
  let source: OutcomeOnceResult<TRecord>['source'];
  if (existing === undefined) {
    const stored = await store.storeOnce(await decide());
    record = stored.record;
    source = stored.created ? 'decided' : 'stored';
  } else {
    record = existing;
    source = 'stored';
  }
  const published = toStoredOutgoingEvent(record, traceHeader);
  await publishOrThrow(publisher, published);
  return { record, source, published };
}

/** The stored event as it goes to the topic: attributes read from it, body kept byte for byte. */
function toStoredOutgoingEvent(record: StoredOutcome, traceHeader: string | undefined): OutgoingEvent {
  const event = parseEventBody(record.outcomeEvent, outcomeEventSchema);
  return { ...toOutgoingEvent(event, traceHeader), body: record.outcomeEvent };
}
