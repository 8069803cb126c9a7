// First: an execution environment with active tracing, before the tracer loads.
import { FUNCTION_SEGMENT_ID, INVOCATION_ROOT, SERVICE_NAME } from './lambda-tracing-env';
import { send } from 'aws-xray-sdk-core/dist/lib/segment_emitter';
import { countMetric } from '../../../src/common/business-metrics';
import type { EventPublisher, OutgoingEvent, PublishOutcome } from '../../../src/common/event-publisher';
import { metrics } from '../../../src/common/observability';
import { BUSINESS_METRICS } from '../../../src/common/settings';
import { TracedEventPublisher } from '../../../src/common/traced-event-publisher';
import {
  annotateEvent,
  currentTraceHeader,
  identifiersOfCurrentRecord,
  instrumentHandler,
  traceRecord,
} from '../../../src/common/tracing';
import { lambdaContext } from '../../support/sqs-fixtures';

// The documents the X-Ray SDK would send to the daemon, captured instead of sent over UDP.
jest.mock('aws-xray-sdk-core/dist/lib/segment_emitter', () => ({
  ...jest.requireActual<object>('aws-xray-sdk-core/dist/lib/segment_emitter'),
  send: jest.fn(),
}));

const CAUSE_ROOT = '1-6a0b7eb4-00000000000000000000ca05';
const CAUSE_PARENT = 'ca05e00000000001';
const CAUSE_HEADER = `Root=${CAUSE_ROOT};Parent=${CAUSE_PARENT};Sampled=1`;

interface SentDocument {
  readonly id: string;
  readonly trace_id?: string;
  readonly parent_id?: string;
  readonly name: string;
  readonly type?: string;
  readonly annotations?: Record<string, unknown>;
  readonly links?: { trace_id: string; id: string }[];
  readonly fault?: boolean;
  readonly subsegments?: SentDocument[];
}

function sentDocuments(): SentDocument[] {
  return jest.mocked(send).mock.calls.map(([segment]) => JSON.parse(segment.format()) as SentDocument);
}

function sentNamed(name: string): SentDocument {
  const document = sentDocuments().find((candidate) => candidate.name === name);
  if (document === undefined) throw new Error(`No document named ${name} was sent: ${sentDocuments().map((d) => d.name).join(', ')}`);
  return document;
}

/** Runs `work` as the body of an instrumented invocation. */
function invoke<T>(work: () => Promise<T>): Promise<T> {
  return instrumentHandler(work)({}, lambdaContext());
}

function anEvent(overrides: Partial<OutgoingEvent> = {}): OutgoingEvent {
  return {
    eventId: 'event-1',
    eventType: 'PaymentCompleted',
    eventVersion: '1.0',
    correlationId: 'correlation-1',
    orderId: 'order-1',
    body: '{}',
    ...overrides,
  };
}

/** A publisher that accepts everything and remembers each call's events. */
function acceptingPublisher(): EventPublisher & { readonly calls: OutgoingEvent[][] } {
  const calls: OutgoingEvent[][] = [];
  return {
    calls,
    publishAll: (events): Promise<PublishOutcome> => {
      calls.push([...events]);
      return Promise.resolve({ published: events.map((event) => event.eventId), failed: [] });
    },
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('instrumentHandler', () => {
  it('runs the handler in a subsegment of the function segment, annotated with cold start and service', async () => {
    // Act
    const result = await invoke(() => Promise.resolve('done'));

    // Assess
    expect(result).toBe('done');
    expect(sentNamed('## index.handler')).toMatchObject({
      type: 'subsegment',
      trace_id: INVOCATION_ROOT,
      parent_id: FUNCTION_SEGMENT_ID,
      annotations: { Service: SERVICE_NAME, ColdStart: expect.any(Boolean) },
    });
  });

  it('records the error on the subsegment and rethrows it', async () => {
    // Act
    const invocation = invoke(() => Promise.reject(new Error('database unavailable')));

    // Assess
    await expect(invocation).rejects.toThrow('database unavailable');
    expect(sentNamed('## index.handler')).toMatchObject({ fault: true });
  });

  it('flushes the metrics the invocation counted, once, when it ends', async () => {
    // Prepare
    const publish = jest.spyOn(metrics, 'publishStoredMetrics');

    // Act
    await invoke(() => {
      countMetric(BUSINESS_METRICS.paymentsCompleted);
      return Promise.resolve();
    });

    // Assess
    expect(publish).toHaveBeenCalledTimes(1);
    expect(metrics.hasStoredMetrics()).toBe(false);
  });

  it('writes no metrics line for an invocation that counted nothing', async () => {
    // Prepare
    const publish = jest.spyOn(metrics, 'publishStoredMetrics');

    // Act
    await invoke(() => Promise.resolve());

    // Assess
    expect(publish).not.toHaveBeenCalled();
  });
});

describe('currentTraceHeader', () => {
  it('names the current subsegment in the invocation trace', async () => {
    // Act
    const header = await invoke(() => Promise.resolve(currentTraceHeader()));

    // Assess
    const handlerSubsegment = sentNamed('## index.handler');
    expect(header).toBe(`Root=${INVOCATION_ROOT};Parent=${handlerSubsegment.id};Sampled=1`);
  });
});

describe('traceRecord', () => {
  it('links the record subsegment to the trace its message came from, annotated with its event', async () => {
    // Act
    await invoke(() =>
      traceRecord('### SQS record', [CAUSE_HEADER, undefined], () => {
        annotateEvent({ orderId: 'order-1', eventId: 'event-1', correlationId: 'correlation-1', eventType: 'OrderCreated' });
        return Promise.resolve();
      }),
    );

    // Assess
    const handlerSubsegment = sentNamed('## index.handler');
    expect(sentNamed('### SQS record')).toMatchObject({
      trace_id: INVOCATION_ROOT,
      parent_id: handlerSubsegment.id,
      links: [{ trace_id: CAUSE_ROOT, id: CAUSE_PARENT }],
      annotations: { orderId: 'order-1', eventId: 'event-1', correlationId: 'correlation-1', eventType: 'OrderCreated' },
    });
  });

  it('keeps the annotations and identifiers of records processed concurrently apart', async () => {
    // Prepare
    const seen: Record<string, unknown> = {};
    const record = (orderId: string) => async (): Promise<void> => {
      await tick();
      annotateEvent({ orderId });
      await tick();
      seen[orderId] = identifiersOfCurrentRecord().orderId;
    };

    // Act
    await invoke(() => Promise.all([traceRecord('### record A', [], record('order-a')), traceRecord('### record B', [], record('order-b'))]));

    // Assess
    expect(sentNamed('### record A').annotations).toEqual({ orderId: 'order-a' });
    expect(sentNamed('### record B').annotations).toEqual({ orderId: 'order-b' });
    expect(seen).toEqual({ 'order-a': 'order-a', 'order-b': 'order-b' });
  });
});

describe('TracedEventPublisher', () => {
  it('publishes an event in the trace that caused it and carries on the segment that published it', async () => {
    // Prepare
    const inner = acceptingPublisher();
    const publisher = new TracedEventPublisher(inner);

    // Act
    const outcome = await invoke(() => publisher.publishAll([anEvent({ traceHeader: CAUSE_HEADER })]));

    // Assess
    expect(outcome).toEqual({ published: ['event-1'], failed: [] });
    const published = sentNamed(SERVICE_NAME);
    expect(published).toMatchObject({
      trace_id: CAUSE_ROOT,
      parent_id: CAUSE_PARENT,
      annotations: { orderId: 'order-1', eventId: 'event-1', correlationId: 'correlation-1', eventType: 'PaymentCompleted' },
    });
    expect(published.type).toBeUndefined();
    expect(inner.calls).toEqual([[anEvent({ traceHeader: `Root=${CAUSE_ROOT};Parent=${published.id};Sampled=1` })]]);
    expect(sentNamed('### publish PaymentCompleted')).toMatchObject({
      trace_id: INVOCATION_ROOT,
      links: [{ trace_id: CAUSE_ROOT, id: published.id }],
    });
  });

  it('publishes the events of each trace in a request of its own', async () => {
    // Prepare
    const inner = acceptingPublisher();
    const otherCause = `Root=1-6a0b7eb4-00000000000000000000ca06;Parent=ca06e00000000001;Sampled=1`;
    const events = [
      anEvent({ eventId: 'a1', traceHeader: CAUSE_HEADER }),
      anEvent({ eventId: 'b1', traceHeader: otherCause }),
      anEvent({ eventId: 'a2', traceHeader: CAUSE_HEADER }),
    ];

    // Act
    const outcome = await invoke(() => new TracedEventPublisher(inner).publishAll(events));

    // Assess
    expect(inner.calls.map((call) => call.map((event) => event.eventId)).sort()).toEqual([['a1', 'a2'], ['b1']]);
    expect(inner.calls.every((call) => new Set(call.map((event) => event.traceHeader)).size === 1)).toBe(true);
    expect([...outcome.published].sort()).toEqual(['a1', 'a2', 'b1']);
    // Annotations hold one value: a field the events of a request disagree on is left off.
    const segments = sentDocuments().filter((document) => document.name === SERVICE_NAME);
    expect(segments.map((segment) => segment.annotations?.eventId ?? null).sort()).toEqual(['b1', null]);
  });

  it('carries on the invocation trace for an event whose producer left no trace header', async () => {
    // Prepare
    const inner = acceptingPublisher();

    // Act
    await invoke(() => new TracedEventPublisher(inner).publishAll([anEvent()]));

    // Assess
    const local = sentNamed('### publish PaymentCompleted');
    expect(inner.calls).toEqual([[anEvent({ traceHeader: `Root=${INVOCATION_ROOT};Parent=${local.id};Sampled=1` })]]);
    expect(sentDocuments().filter((document) => document.name === SERVICE_NAME)).toEqual([]);
  });

  it('keeps an unsampled trace unsampled', async () => {
    // Prepare
    const inner = acceptingPublisher();
    const unsampled = `Root=${CAUSE_ROOT};Parent=${CAUSE_PARENT};Sampled=0`;

    // Act
    await invoke(() => new TracedEventPublisher(inner).publishAll([anEvent({ traceHeader: unsampled })]));

    // Assess
    expect(inner.calls[0]?.[0]?.traceHeader).toMatch(new RegExp(`^Root=${CAUSE_ROOT};Parent=[0-9a-f]{16};Sampled=0$`));
    expect(sentDocuments().filter((document) => document.trace_id === CAUSE_ROOT)).toEqual([]);
  });

  it('records a publish that throws as a fault of its segment and rethrows', async () => {
    // Prepare
    const publisher = new TracedEventPublisher({ publishAll: () => Promise.reject(new Error('socket hang up')) });

    // Act
    const invocation = invoke(() => publisher.publishAll([anEvent({ traceHeader: CAUSE_HEADER })]));

    // Assess
    await expect(invocation).rejects.toThrow('socket hang up');
    expect(sentNamed(SERVICE_NAME)).toMatchObject({ trace_id: CAUSE_ROOT, fault: true });
  });
});
