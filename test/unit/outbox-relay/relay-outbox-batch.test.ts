import { InvalidEventError, PublishFailedError } from '../../../src/common/errors';
import type { EventPublisher, OutgoingEvent, PublishOutcome } from '../../../src/common/event-publisher';
import { logger } from '../../../src/common/observability';
import type { OutboxItem } from '../../../src/common/outbox-item';
import {
  FailedBatchHeadError,
  relayOutboxBatch,
  type MarkSentOutcome,
  type OutboxMarker,
  type OutboxStreamRecord,
  type RelayPorts,
} from '../../../src/outbox-relay/relay-outbox-batch';
import { anOutboxItem, sequenceNumberOf } from './stream-fixtures';

const NOW = new Date('2025-01-15T10:00:00.000Z');

function anInsert(n: number, image: object = anOutboxItem(n)): OutboxStreamRecord {
  return { sequenceNumber: sequenceNumberOf(n), eventName: 'INSERT', newImage: { kind: 'decoded', value: { ...image } } };
}

/** A publisher that accepts every event unless told otherwise. */
function aPublisher(
  answer: (events: readonly OutgoingEvent[]) => PublishOutcome = (events) => ({ published: events.map((event) => event.eventId), failed: [] }),
): EventPublisher & { publishAll: jest.Mock<Promise<PublishOutcome>, [readonly OutgoingEvent[]]> } {
  return { publishAll: jest.fn(async (events: readonly OutgoingEvent[]) => answer(events)) };
}

function anOutbox(
  markSent: (eventId: string, sentAt: Date) => Promise<MarkSentOutcome> = async () => 'marked',
): OutboxMarker & { markSent: jest.Mock<Promise<MarkSentOutcome>, [string, Date]> } {
  return { markSent: jest.fn(markSent) };
}

function portsWith(overrides: Partial<RelayPorts> = {}): RelayPorts {
  return { publisher: aPublisher(), outbox: anOutbox(), clock: () => NOW, ...overrides };
}

/** The payload of item `n` with one envelope field changed. */
function payloadOf(n: number, change: Record<string, unknown>): string {
  return JSON.stringify({ ...(JSON.parse(anOutboxItem(n).payload) as object), ...change });
}

beforeAll(() => {
  logger.setLogLevel('SILENT');
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('relayOutboxBatch', () => {
  it('publishes each item as an event with its ids and the payload as the body', async () => {
    // Prepare
    const item: OutboxItem = anOutboxItem(1, { traceHeader: 'Root=1-67891233-abcdef012345678912345678' });
    const publisher = aPublisher();

    // Act
    await relayOutboxBatch([anInsert(1, item)], portsWith({ publisher }));

    // Assess
    expect(publisher.publishAll).toHaveBeenCalledWith([
      {
        eventId: item.eventId,
        eventType: item.eventType,
        eventVersion: item.eventVersion,
        correlationId: item.correlationId,
        orderId: item.orderId,
        body: item.payload,
        traceHeader: item.traceHeader,
      },
    ]);
  });

  it.each([
    ['a payload that is not JSON', { payload: '{"eventId":' }],
    ['a payload of another event', { payload: payloadOf(1, { eventId: 'order-created:another-order' }) }],
    ['a payload whose eventType differs from the item', { payload: payloadOf(1, { eventType: 'PaymentCompleted' }) }],
    ['a payload whose correlationId differs from the item', { payload: payloadOf(1, { correlationId: 'someone-else' }) }],
    ['a status outside the contract', { status: 'PUBLISHED' }],
  ])('reports an item with %s and publishes nothing', async (_case, change) => {
    // Prepare
    const publisher = aPublisher();

    // Act
    const result = await relayOutboxBatch([anInsert(1, { ...anOutboxItem(1), ...change })], portsWith({ publisher }));

    // Assess
    expect(result.failedSequenceNumbers).toEqual([sequenceNumberOf(1)]);
    expect(publisher.publishAll).not.toHaveBeenCalled();
  });

  it('reports a record whose image could not be unmarshalled', async () => {
    // Prepare
    const record: OutboxStreamRecord = {
      sequenceNumber: sequenceNumberOf(1),
      eventName: 'INSERT',
      newImage: { kind: 'undecodable', reason: 'Unsupported stream attribute value: {}' },
    };

    // Act
    const result = await relayOutboxBatch([record], portsWith());

    // Assess
    expect(result.failedSequenceNumbers).toEqual([sequenceNumberOf(1)]);
  });

  it('defers the records after an invalid one, including records it would have skipped', async () => {
    // Prepare
    const records: OutboxStreamRecord[] = [
      anInsert(1),
      anInsert(2, { eventId: 'broken' }),
      anInsert(3),
      { sequenceNumber: sequenceNumberOf(4), eventName: 'MODIFY', newImage: { kind: 'decoded', value: anOutboxItem(4) } },
    ];
    const publisher = aPublisher();

    // Act
    const result = await relayOutboxBatch(records, portsWith({ publisher }));

    // Assess
    expect(result).toEqual({ failedSequenceNumbers: [sequenceNumberOf(2)], published: 1, unpublished: 0, skipped: 0, deferred: 2 });
    expect(publisher.publishAll.mock.calls[0]?.[0].map((event) => event.eventId)).toEqual([anOutboxItem(1).eventId]);
  });

  it('fails the invocation when the first record is invalid and others follow, so Lambda bisects rather than skipping them with it', async () => {
    // Prepare
    const records = [anInsert(1, { eventId: 'broken' }), anInsert(2), anInsert(3)];
    const publisher = aPublisher();

    // Act
    const relaying = relayOutboxBatch(records, portsWith({ publisher }));

    // Assess
    await expect(relaying).rejects.toThrow(InvalidEventError);
    expect(publisher.publishAll).not.toHaveBeenCalled();
  });

  it('fails the invocation when SNS refused the first record and others follow, so Lambda bisects rather than skipping them with it', async () => {
    // Prepare
    const publisher = aPublisher((events) => ({
      published: events.slice(1).map((event) => event.eventId),
      failed: [new PublishFailedError(events[0]!.eventId, 'InvalidParameter', 'Message too long')],
    }));
    const outbox = anOutbox();

    // Act
    const relaying = relayOutboxBatch([anInsert(1), anInsert(2), anInsert(3)], portsWith({ publisher, outbox }));

    // Assess
    await expect(relaying).rejects.toThrow(FailedBatchHeadError);
    expect(outbox.markSent.mock.calls.map(([eventId]) => eventId)).toEqual([anOutboxItem(2).eventId, anOutboxItem(3).eventId]);
  });

  it('reports a first record SNS refused when it is alone in its batch', async () => {
    // Prepare
    const publisher = aPublisher((events) => ({
      published: [],
      failed: [new PublishFailedError(events[0]!.eventId, 'InvalidParameter', 'Message too long')],
    }));

    // Act
    const result = await relayOutboxBatch([anInsert(1)], portsWith({ publisher }));

    // Assess
    expect(result.failedSequenceNumbers).toEqual([sequenceNumberOf(1)]);
  });

  it('skips an INSERT without a NewImage instead of failing it', async () => {
    // Prepare
    const record: OutboxStreamRecord = { sequenceNumber: sequenceNumberOf(1), eventName: 'INSERT', newImage: { kind: 'absent' } };

    // Act
    const result = await relayOutboxBatch([record], portsWith());

    // Assess
    expect(result).toEqual({ failedSequenceNumbers: [], published: 0, unpublished: 0, skipped: 1, deferred: 0 });
  });

  it('reports the events the publisher refused or did not account for, and marks only the others', async () => {
    // Prepare
    const publisher = aPublisher((events) => ({
      published: [events[0]!.eventId],
      failed: [new PublishFailedError(events[1]!.eventId, 'InternalError', 'Simulated')],
    }));
    const outbox = anOutbox();

    // Act
    const result = await relayOutboxBatch([anInsert(1), anInsert(2), anInsert(3)], portsWith({ publisher, outbox }));

    // Assess
    expect(result.failedSequenceNumbers).toEqual([sequenceNumberOf(2), sequenceNumberOf(3)]);
    expect(outbox.markSent.mock.calls).toEqual([[anOutboxItem(1).eventId, NOW]]);
  });

  it('lets an unexpected publisher error fail the whole invocation', async () => {
    // Prepare
    const publisher: EventPublisher = { publishAll: jest.fn().mockRejectedValue(new TypeError('Cannot read properties of undefined')) };
    const outbox = anOutbox();

    // Act
    const relaying = relayOutboxBatch([anInsert(1)], portsWith({ publisher, outbox }));

    // Assess
    await expect(relaying).rejects.toThrow(TypeError);
    expect(outbox.markSent).not.toHaveBeenCalled();
  });

  it('starts every SENT mark before waiting for any of them', async () => {
    // Prepare
    let releaseMarks: () => void = () => undefined;
    const marksHeld = new Promise<void>((resolve) => {
      releaseMarks = resolve;
    });
    let started = 0;
    let allStarted: () => void = () => undefined;
    const allMarksStarted = new Promise<void>((resolve) => {
      allStarted = resolve;
    });
    const outbox = anOutbox(async () => {
      started += 1;
      if (started === 3) allStarted();
      await marksHeld;
      return 'marked';
    });

    // Act
    const relaying = relayOutboxBatch([anInsert(1), anInsert(2), anInsert(3)], portsWith({ outbox }));
    await allMarksStarted;
    releaseMarks();

    // Assess
    await expect(relaying).resolves.toMatchObject({ failedSequenceNumbers: [], published: 3 });
    expect(outbox.markSent).toHaveBeenCalledTimes(3);
  });

  it('logs one summary line per batch with the counts and the first failed sequence number', async () => {
    // Prepare
    const warn = jest.spyOn(logger, 'warn');
    const info = jest.spyOn(logger, 'info');
    const outbox = anOutbox(async (eventId) => {
      if (eventId === anOutboxItem(2).eventId) throw new Error('Connection reset');
      return 'marked';
    });
    const records: OutboxStreamRecord[] = [
      { sequenceNumber: sequenceNumberOf(1), eventName: 'REMOVE', newImage: { kind: 'absent' } },
      anInsert(2),
      anInsert(3),
      anInsert(4, { eventId: 'broken' }),
      anInsert(5),
    ];

    // Act
    await relayOutboxBatch(records, portsWith({ outbox }));

    // Assess
    expect(info).not.toHaveBeenCalled();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith(expect.any(String), {
      received: 5,
      published: 2,
      failed: 2,
      unpublished: 0,
      skipped: 1,
      deferred: 1,
      firstFailedSequenceNumber: sequenceNumberOf(2),
    });
  });
});
