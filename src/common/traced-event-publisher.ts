import type { EventPublisher, OutgoingEvent, PublishOutcome } from './event-publisher';
import { tracer } from './observability';
import { inCausingTrace, type EventIdentifiers } from './tracing';

/**
 * Publishes every event in the trace that caused it (see `inCausingTrace`), and rewrites its
 * `traceHeader` to name the segment that published it, so the next hop hangs under this one.
 *
 * A publish request carries one `X-Amzn-Trace-Id`, which SNS passes to every message of the
 * request as SQS's `AWSTraceHeader`; events of different traces therefore go in requests of their
 * own (the inner publisher still chunks each group by PublishBatch's limits). Without tracing the
 * events pass through untouched, in one call.
 */
export class TracedEventPublisher implements EventPublisher {
  constructor(private readonly inner: EventPublisher) {}

  async publishAll(events: readonly OutgoingEvent[]): Promise<PublishOutcome> {
    if (!tracer.isTracingEnabled() || events.length === 0) return this.inner.publishAll(events);
    const outcomes = await Promise.all(
      [...groupByTraceHeader(events)].map(([causeHeader, group]) =>
        inCausingTrace(causeHeader, `publish ${distinct(group, 'eventType') ?? 'events'}`, identifiersOf(group), (carried) =>
          this.inner.publishAll(group.map((event) => withTraceHeader(event, carried))),
        ),
      ),
    );
    return {
      published: outcomes.flatMap((outcome) => outcome.published),
      failed: outcomes.flatMap((outcome) => outcome.failed),
    };
  }
}

function groupByTraceHeader(events: readonly OutgoingEvent[]): Map<string | undefined, OutgoingEvent[]> {
  const groups = new Map<string | undefined, OutgoingEvent[]>();
  for (const event of events) {
    const group = groups.get(event.traceHeader);
    if (group === undefined) groups.set(event.traceHeader, [event]);
    else group.push(event);
  }
  return groups;
}

/** X-Ray annotations hold one value: a field goes on the publish segment when the group agrees on it. */
function identifiersOf(group: readonly OutgoingEvent[]): EventIdentifiers {
  return {
    orderId: distinct(group, 'orderId'),
    eventId: distinct(group, 'eventId'),
    correlationId: distinct(group, 'correlationId'),
    eventType: distinct(group, 'eventType'),
  };
}

function distinct(group: readonly OutgoingEvent[], field: 'orderId' | 'eventId' | 'correlationId' | 'eventType'): string | undefined {
  const values = new Set(group.map((event) => event[field]));
  const [only] = values;
  return values.size === 1 ? only : undefined;
}

function withTraceHeader(event: OutgoingEvent, traceHeader: string | undefined): OutgoingEvent {
  if (traceHeader === undefined || traceHeader === event.traceHeader) return event;
  return { ...event, traceHeader };
}
