import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context } from 'aws-lambda';
// The X-Ray SDK that Powertools Tracer is built on; its `Segment` is the one escape hatch used here.
import { Segment, type Subsegment } from 'aws-xray-sdk-core';
import { logger, metrics, tracer } from './observability';
import { formatTraceHeader, parseTraceHeader } from './trace-header';

/**
 * The tracing plumbing every handler shares, so that a handler only names what it handles.
 *
 * On AWS the Lambda service, not the function, creates the function's segment
 * (`AWS::Lambda::Function`) and passes its id in `_X_AMZN_TRACE_ID`; the X-Ray SDK in the function
 * only adds subsegments to it. Which trace that segment is in depends on the trigger: API Gateway's
 * trace for the order API; for an SQS-triggered invocation a new trace, *linked* (not parented) to
 * the producer's trace from the message's `AWSTraceHeader`; for a stream-triggered one a new trace
 * with no link, because DynamoDB Streams carry no trace context. So a function cannot move its own
 * segment into the order's trace. What it can do, and what this module does:
 *
 * - each invocation gets a `## handler` subsegment (cold start, service), each SQS record a
 *   subsegment of its own, linked to the trace its message came from;
 * - every published event is published *in the trace that caused it*, in a segment of that trace
 *   (`inCausingTrace`): the traced SNS client then sends that trace in the publish's
 *   `X-Amzn-Trace-Id`, which SNS hands to SQS as `AWSTraceHeader`, and the `traceHeader` message
 *   attribute names that segment, so the next hop links to it. One order's hops thus hang together
 *   in one trace (the order request's), however many invocation traces they also appear in.
 */

/** The identifiers that make an event's traces searchable (X-Ray annotations) and its log lines joinable. */
export interface EventIdentifiers {
  readonly orderId?: string | undefined;
  readonly eventId?: string | undefined;
  readonly correlationId?: string | undefined;
  readonly eventType?: string | undefined;
}

const ANNOTATION_KEYS = ['orderId', 'eventId', 'correlationId', 'eventType'] as const;

/**
 * A link from a segment to a (sub)segment of another trace: the `links` field of an X-Ray segment
 * document, the one trace linking uses. The SDK has no API for it, so it is set as a field.
 */
export interface TraceLink {
  readonly trace_id: string;
  readonly id: string;
}

/** X-Ray accepts at most 20 links per segment. */
const MAX_LINKS = 20;

type AnySegment = Segment | Subsegment;

/** The event the current SQS record carries, once its handler has named it (see `annotateEvent`). */
const currentRecord = new AsyncLocalStorage<{ identifiers: EventIdentifiers }>();

/**
 * Wraps a Lambda handler: resets the logger's per-invocation keys, runs the handler in a
 * `## handler` subsegment annotated with cold start and service, records an error on it, and
 * flushes the metrics the invocation counted (EMF lines are metrics only once written).
 */
export function instrumentHandler<TEvent, TResult>(
  handler: (event: TEvent, context: Context) => Promise<TResult>,
): (event: TEvent, context: Context) => Promise<TResult> {
  return async (event, context) => {
    // Keys appended by the previous invocation of this execution environment must not leak into this one.
    logger.resetKeys();
    logger.addContext(context);
    try {
      return await inSubsegment(`## ${process.env._HANDLER ?? 'handler'}`, () => {
        tracer.annotateColdStart();
        tracer.addServiceNameAnnotation();
        return handler(event, context);
      });
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}

/**
 * Runs one record's work in a subsegment of its own, linked to the traces the record's headers
 * name. Records of a batch are processed concurrently: each gets its own context, so none
 * annotates another's subsegment.
 */
export function traceRecord<T>(name: string, traceHeaders: readonly (string | undefined)[], work: () => Promise<T>): Promise<T> {
  return currentRecord.run({ identifiers: {} }, () =>
    inSubsegment(name, async (subsegment) => {
      const links = linksTo(traceHeaders);
      if (subsegment !== undefined && links.length > 0) Object.assign(subsegment, { links });
      return work();
    }),
  );
}

/**
 * Names the event being handled: annotations on the current subsegment (searchable in X-Ray), and
 * the identifiers the record's failure log line carries (`identifiersOfCurrentRecord`).
 */
export function annotateEvent(identifiers: EventIdentifiers): void {
  const record = currentRecord.getStore();
  if (record !== undefined) record.identifiers = { ...record.identifiers, ...definedOnly(identifiers) };
  if (tracer.isTracingEnabled()) annotate(tracer.getSegment(), identifiers);
}

/** What `annotateEvent` recorded for the SQS record being processed, if anything. */
export function identifiersOfCurrentRecord(): EventIdentifiers {
  return currentRecord.getStore()?.identifiers ?? {};
}

/**
 * The trace header that names the current (sub)segment: what something this invocation causes
 * should carry. Without tracing, the header Lambda set for the invocation.
 */
export function currentTraceHeader(): string | undefined {
  if (!tracer.isTracingEnabled()) return process.env._X_AMZN_TRACE_ID;
  const current = tracer.getSegment();
  return current === undefined ? process.env._X_AMZN_TRACE_ID : traceHeaderOfSegment(current);
}

/**
 * Runs `work` (a publish) in the trace that caused it, and hands it the header to carry on.
 *
 * A `### <name>` subsegment records the work in this invocation's own trace. When `causeHeader`
 * names a (sub)segment, the work itself runs in a new segment of *that* trace, a child of that
 * (sub)segment and named after this service; the traced SDK clients nest their subsegments in it
 * and send its trace in `X-Amzn-Trace-Id`. The local subsegment links to it, and the header handed
 * to `work` names it, so the next hop hangs under it. Without a cause (an event whose producer
 * left no header), the next hop links to this invocation's trace instead.
 */
export function inCausingTrace<T>(
  causeHeader: string | undefined,
  name: string,
  identifiers: EventIdentifiers,
  work: (carriedHeader: string | undefined) => Promise<T>,
): Promise<T> {
  if (!tracer.isTracingEnabled()) return work(causeHeader);
  return inSubsegment(`### ${name}`, (local) => {
    if (local === undefined) return work(causeHeader);
    annotate(local, identifiers);
    const cause = parseTraceHeader(causeHeader);
    if (cause?.parent === undefined) return work(traceHeaderOfSegment(local));

    const segment = new Segment(process.env.POWERTOOLS_SERVICE_NAME ?? local.name, cause.root, cause.parent);
    // The producer's sampling decision holds for the whole trace.
    if (cause.sampled === false) segment.notTraced = true;
    annotate(segment, identifiers);
    Object.assign(local, { links: [{ trace_id: segment.trace_id, id: segment.id } satisfies TraceLink] });
    return tracer.provider.getNamespace().runAndReturn(async () => {
      tracer.setSegment(segment);
      try {
        return await work(traceHeaderOfSegment(segment));
      } catch (error) {
        segment.addError(asError(error));
        throw error;
      } finally {
        segment.close();
      }
    });
  });
}

/** Runs `work` in a new subsegment that is the current one in a context of its own. */
async function inSubsegment<T>(name: string, work: (subsegment: Subsegment | undefined) => Promise<T>): Promise<T> {
  if (!tracer.isTracingEnabled()) return work(undefined);
  const result = tracer.provider.captureAsyncFunc(name, async (subsegment?: Subsegment) => {
    try {
      return await work(subsegment);
    } catch (error) {
      tracer.addErrorAsMetadata(asError(error));
      throw error;
    } finally {
      subsegment?.close();
    }
  });
  return (await result) as T;
}

function annotate(target: AnySegment | undefined, identifiers: EventIdentifiers): void {
  if (target === undefined) return;
  for (const key of ANNOTATION_KEYS) {
    const value = identifiers[key];
    if (value !== undefined) target.addAnnotation(key, value);
  }
}

function traceHeaderOfSegment(segment: AnySegment): string | undefined {
  const root: Segment | undefined = segment instanceof Segment ? segment : segment.segment;
  const traceId = root?.trace_id;
  if (traceId === undefined) return process.env._X_AMZN_TRACE_ID;
  const sampled = !(segment.notTraced ?? false) && root?.notTraced !== true;
  return formatTraceHeader({ root: traceId, parent: segment.id, sampled });
}

/** One link per distinct (sub)segment the headers name; headers without a parent name none. */
export function linksTo(traceHeaders: readonly (string | undefined)[]): TraceLink[] {
  const links = new Map<string, TraceLink>();
  for (const header of traceHeaders) {
    const context = parseTraceHeader(header);
    if (context?.parent !== undefined) links.set(context.parent, { trace_id: context.root, id: context.parent });
  }
  return [...links.values()].slice(0, MAX_LINKS);
}

function definedOnly(identifiers: EventIdentifiers): EventIdentifiers {
  return Object.fromEntries(Object.entries(identifiers).filter(([, value]) => value !== undefined));
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
