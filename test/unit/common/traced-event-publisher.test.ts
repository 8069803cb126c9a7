import type { OutgoingEvent, PublishOutcome } from '../../../src/common/event-publisher';
import { tracer } from '../../../src/common/observability';
import { TracedEventPublisher } from '../../../src/common/traced-event-publisher';

// Tracing with the X-Ray SDK is covered in tracing.test.ts; this is the function without it.
describe('TracedEventPublisher without tracing', () => {
  it('passes the events on untouched, in one call, and answers what the publisher answered', async () => {
    // Prepare
    const events: OutgoingEvent[] = [
      { eventId: 'a', eventType: 'OrderCreated', eventVersion: '1.0', correlationId: 'c', body: '{}', traceHeader: 'Root=1-6a0b7eb4-00000000000000000000000a' },
      { eventId: 'b', eventType: 'OrderCreated', eventVersion: '1.0', correlationId: 'c', body: '{}', traceHeader: 'Root=1-6a0b7eb4-00000000000000000000000b' },
    ];
    const answer: PublishOutcome = { published: ['a'], failed: [] };
    const publishAll = jest.fn((_events: readonly OutgoingEvent[]) => Promise.resolve(answer));

    // Act
    const outcome = await new TracedEventPublisher({ publishAll }).publishAll(events);

    // Assess
    expect(tracer.isTracingEnabled()).toBe(false);
    expect(publishAll.mock.calls).toEqual([[events]]);
    expect(outcome).toBe(answer);
  });
});
