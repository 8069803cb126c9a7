import type { EventPublisher, OutgoingEvent, PublishOutcome } from '../../../src/common/event-publisher';
import { logger } from '../../../src/common/observability';
import type { MarkSentOutcome, OutboxMarker } from '../../../src/outbox-relay/publish-outbox-items';
import { sweepStuckOutbox, type PendingOutbox, type SweepLimits, type SweepPorts } from '../../../src/outbox-relay/sweep-stuck-outbox';
import { aStuckItem } from './fake-outbox-table';

const NOW = new Date('2025-01-15T10:00:00.000Z');
const AN_HOUR_AGO = '2025-01-15T09:00:00.000Z';
const LIMITS: SweepLimits = { pendingThresholdSeconds: 900, pageSize: 100, maxItemsPerRun: 1_000 };

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** A pending outbox that serves fixed pages and records what it was asked and how far it was read. */
function aPendingOutbox(pages: readonly Record<string, unknown>[][]): PendingOutbox & {
  readonly calls: { createdBefore: Date; pageSize: number }[];
  pagesServed: number;
} {
  const outbox = {
    calls: [] as { createdBefore: Date; pageSize: number }[],
    pagesServed: 0,
    async *pagesCreatedBefore(createdBefore: Date, pageSize: number): AsyncGenerator<Record<string, unknown>[]> {
      outbox.calls.push({ createdBefore, pageSize });
      for (const page of pages) {
        outbox.pagesServed += 1;
        yield page;
      }
    },
  };
  return outbox;
}

function aPublisher(
  answer: (events: readonly OutgoingEvent[]) => PublishOutcome = (events) => ({ published: events.map((event) => event.eventId), failed: [] }),
): EventPublisher & { publishAll: jest.Mock<Promise<PublishOutcome>, [readonly OutgoingEvent[]]> } {
  return { publishAll: jest.fn(async (events: readonly OutgoingEvent[]) => answer(events)) };
}

function aMarker(
  markSent: (eventId: string) => Promise<MarkSentOutcome> = async () => 'marked',
): OutboxMarker & { markSent: jest.Mock<Promise<MarkSentOutcome>, [string, Date]> } {
  return { markSent: jest.fn(async (eventId: string, _sentAt: Date) => markSent(eventId)) };
}

function portsWith(pending: PendingOutbox, overrides: Partial<SweepPorts> = {}): SweepPorts {
  return { pending, publisher: aPublisher(), outbox: aMarker(), clock: () => NOW, ...overrides };
}

const stuck = (n: number): Record<string, unknown> => ({ ...aStuckItem(n, AN_HOUR_AGO) });

beforeAll(() => {
  logger.setLogLevel('SILENT');
});

describe('sweepStuckOutbox', () => {
  it('asks for the items created before now minus the threshold', async () => {
    // Prepare
    const pending = aPendingOutbox([]);

    // Act
    const summary = await sweepStuckOutbox(LIMITS, portsWith(pending));

    // Assess
    expect(pending.calls).toEqual([{ createdBefore: new Date('2025-01-15T09:45:00.000Z'), pageSize: 100 }]);
    expect(summary).toEqual({
      createdBefore: '2025-01-15T09:45:00.000Z',
      found: 0,
      sent: 0,
      alreadySent: 0,
      leftPending: 0,
      invalid: 0,
      reachedLimit: false,
    });
  });

  it('publishes every stuck item of every page with its original event id and payload, and marks each SENT', async () => {
    // Prepare
    const pending = aPendingOutbox([[stuck(1), stuck(2)], [stuck(3)]]);
    const publisher = aPublisher();
    const outbox = aMarker();

    // Act
    const summary = await sweepStuckOutbox(LIMITS, portsWith(pending, { publisher, outbox }));

    // Assess
    expect(summary).toMatchObject({ found: 3, sent: 3, leftPending: 0 });
    const published = publisher.publishAll.mock.calls.flatMap(([events]) => events);
    expect(published.map(({ eventId, body }) => ({ eventId, body }))).toEqual(
      [1, 2, 3].map((n) => ({ eventId: aStuckItem(n, AN_HOUR_AGO).eventId, body: aStuckItem(n, AN_HOUR_AGO).payload })),
    );
    expect(outbox.markSent.mock.calls).toEqual([1, 2, 3].map((n) => [aStuckItem(n, AN_HOUR_AGO).eventId, NOW]));
  });

  it('counts an item the relay marked SENT in the meantime as already sent, not as a failure', async () => {
    // Prepare
    const outbox = aMarker(async (eventId) => (eventId === aStuckItem(2, AN_HOUR_AGO).eventId ? 'already-sent-or-gone' : 'marked'));

    // Act
    const summary = await sweepStuckOutbox(LIMITS, portsWith(aPendingOutbox([[stuck(1), stuck(2)]]), { outbox }));

    // Assess
    expect(summary).toMatchObject({ found: 2, sent: 1, alreadySent: 1, leftPending: 0 });
  });

  it('leaves an item whose marking failed PENDING, to be published again by the next run', async () => {
    // Prepare
    const outbox = aMarker(async (eventId) => {
      if (eventId === aStuckItem(1, AN_HOUR_AGO).eventId) throw Object.assign(new Error('Throttled'), { name: 'ThrottlingException' });
      return 'marked';
    });

    // Act
    const summary = await sweepStuckOutbox(LIMITS, portsWith(aPendingOutbox([[stuck(1), stuck(2)]]), { outbox }));

    // Assess
    expect(summary).toMatchObject({ found: 2, sent: 1, leftPending: 1, invalid: 0 });
  });

  it('does not mark the items SNS did not accept', async () => {
    // Prepare
    const refused = aStuckItem(2, AN_HOUR_AGO).eventId;
    const publisher = aPublisher((events) => ({
      published: events.map((event) => event.eventId).filter((eventId) => eventId !== refused),
      failed: [],
    }));
    const outbox = aMarker();

    // Act
    const summary = await sweepStuckOutbox(LIMITS, portsWith(aPendingOutbox([[stuck(1), stuck(2), stuck(3)]]), { publisher, outbox }));

    // Assess
    expect(summary).toMatchObject({ found: 3, sent: 2, leftPending: 1 });
    expect(outbox.markSent.mock.calls.map(([eventId]) => eventId)).not.toContain(refused);
  });

  it('leaves an invalid item PENDING and still publishes the valid items of its page', async () => {
    // Prepare: item 2's payload claims another event id than the item
    const disagreeing = { ...stuck(2), payload: aStuckItem(9, AN_HOUR_AGO).payload };
    const publisher = aPublisher();

    // Act
    const summary = await sweepStuckOutbox(LIMITS, portsWith(aPendingOutbox([[stuck(1), disagreeing, { eventId: 'broken' }]]), { publisher }));

    // Assess
    expect(summary).toMatchObject({ found: 3, sent: 1, leftPending: 2, invalid: 2 });
    expect(publisher.publishAll.mock.calls.flatMap(([events]) => events).map((event) => event.eventId)).toEqual([
      aStuckItem(1, AN_HOUR_AGO).eventId,
    ]);
  });

  it('takes no more than maxItemsPerRun, asks for pages no larger, and stops reading once it has them', async () => {
    // Prepare: three pages of three, a run of five
    const pages = [range(1, 3), range(4, 6), range(7, 9)].map((numbers) => numbers.map(stuck));
    const pending = aPendingOutbox(pages);
    const publisher = aPublisher();

    // Act
    const summary = await sweepStuckOutbox({ ...LIMITS, maxItemsPerRun: 5 }, portsWith(pending, { publisher }));

    // Assess
    expect(summary).toMatchObject({ found: 5, sent: 5, reachedLimit: true });
    expect(pending.calls[0]?.pageSize).toBe(5);
    expect(pending.pagesServed).toBe(2);
    expect(publisher.publishAll.mock.calls.flatMap(([events]) => events)).toHaveLength(5);
  });

  it('fails the run when the publisher throws, leaving everything PENDING', async () => {
    // Prepare
    const broken = new Error('socket hang up');
    const publisher: EventPublisher = { publishAll: jest.fn().mockRejectedValue(broken) };
    const outbox = aMarker();

    // Act
    const sweeping = sweepStuckOutbox(LIMITS, portsWith(aPendingOutbox([[stuck(1)]]), { publisher, outbox }));

    // Assess
    await expect(sweeping).rejects.toBe(broken);
    expect(outbox.markSent).not.toHaveBeenCalled();
  });
});
