/**
 * The local stack's X-Ray: every segment document the functions' tracers send to the X-Ray daemon
 * stand-in, and every segment the local Lambda service and API Gateway emit themselves (the parts
 * AWS emits on AWS), appended one JSON document per line to `<data dir>/traces/segments.jsonl`.
 * Append-only and line-oriented, so a reader (a test, the ops CLI) never sees a half-written store,
 * only at worst a last line still being written, which it skips.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { localDataPaths } from '../cloud/local-data-dir';

export type AnnotationValue = string | number | boolean;

/** A link to a (sub)segment of another trace, as X-Ray trace linking records it. */
export interface TraceSegmentLink {
  readonly trace_id: string;
  readonly id: string;
}

/**
 * An X-Ray segment document, or a subsegment sent on its own (`type: 'subsegment'`, with
 * `trace_id` and `parent_id`), as the daemon receives it. Only the fields the local tools read are
 * typed; the rest (`aws`, `http`, `metadata`, `cause` …) are kept as they came.
 */
export interface TraceSegmentDocument {
  readonly id: string;
  readonly trace_id: string;
  readonly name: string;
  /** Epoch seconds, with fractions. */
  readonly start_time: number;
  readonly end_time?: number;
  readonly parent_id?: string;
  readonly type?: 'subsegment';
  readonly origin?: string;
  readonly in_progress?: boolean;
  readonly error?: boolean;
  readonly fault?: boolean;
  readonly throttle?: boolean;
  readonly annotations?: Readonly<Record<string, AnnotationValue>>;
  readonly links?: readonly TraceSegmentLink[];
  readonly subsegments?: readonly TraceSegmentDocument[];
  readonly [field: string]: unknown;
}

/** Where segments are recorded. */
export interface TraceSegmentSink {
  record(document: TraceSegmentDocument): void;
}

/** `<data dir>/traces/segments.jsonl`. */
export function traceSegmentsPath(dataDir: string): string {
  return path.join(localDataPaths(dataDir).root, 'traces', 'segments.jsonl');
}

/** Appends each document as one line. Synchronous: a line is in the file before the next event is handled. */
export class TraceSegmentStore implements TraceSegmentSink {
  constructor(readonly file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
  }

  record(document: TraceSegmentDocument): void {
    appendFileSync(this.file, `${JSON.stringify(document)}\n`);
  }
}

/** Whether a parsed value has what every segment document has (id, trace, name, start). */
export function isTraceSegmentDocument(value: unknown): value is TraceSegmentDocument {
  if (typeof value !== 'object' || value === null) return false;
  const fields = value as Record<string, unknown>;
  return (
    typeof fields.id === 'string' &&
    typeof fields.trace_id === 'string' &&
    typeof fields.name === 'string' &&
    typeof fields.start_time === 'number'
  );
}

/**
 * Every document recorded under a data directory, in the order received; nested subsegments stay
 * nested (see `flattenSegments`). A document sent twice (an in-progress one, then the complete
 * one) is returned once, as last received. No store yet: none.
 */
export function readTraceSegments(dataDir: string): TraceSegmentDocument[] {
  const file = traceSegmentsPath(dataDir);
  if (!existsSync(file)) return [];
  const byId = new Map<string, TraceSegmentDocument>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      // The last line may still be being written.
      continue;
    }
    if (!isTraceSegmentDocument(parsed)) continue;
    const key = `${parsed.trace_id}/${parsed.id}`;
    byId.delete(key);
    byId.set(key, parsed);
  }
  return [...byId.values()];
}

/**
 * Every segment and subsegment as an entry of its own, with `trace_id` and `parent_id` filled in
 * for the nested ones and `subsegments` left out, so a trace is a plain list of nodes and edges.
 */
export function flattenSegments(documents: readonly TraceSegmentDocument[]): TraceSegmentDocument[] {
  const flat: TraceSegmentDocument[] = [];
  const visit = (document: TraceSegmentDocument, traceId: string, parentId: string | undefined): void => {
    const { subsegments = [], ...fields } = document;
    flat.push({
      ...fields,
      trace_id: traceId,
      ...(fields.parent_id === undefined && parentId !== undefined ? { parent_id: parentId } : {}),
    });
    for (const subsegment of subsegments) visit(subsegment, traceId, document.id);
  };
  for (const document of documents) visit(document, document.trace_id, undefined);
  return flat;
}

/**
 * The segments about one order, flattened and in start order: those annotated with its `orderId`,
 * the segments they are part of (up to each trace's root, so the function segments of every
 * invocation that handled the order), and everything within them. Work of other orders that
 * shared an invocation (a batch) is left out, the invocation's own segments are not.
 */
export function segmentsForOrder(documents: readonly TraceSegmentDocument[], orderId: string): TraceSegmentDocument[] {
  const segments = flattenSegments(documents);
  const key = (segment: Pick<TraceSegmentDocument, 'trace_id' | 'id'>): string => `${segment.trace_id}/${segment.id}`;
  const byKey = new Map(segments.map((segment) => [key(segment), segment]));
  const children = new Map<string, TraceSegmentDocument[]>();
  for (const segment of segments) {
    if (segment.parent_id === undefined) continue;
    const parentKey = `${segment.trace_id}/${segment.parent_id}`;
    children.set(parentKey, [...(children.get(parentKey) ?? []), segment]);
  }

  const selected = new Set<string>();
  const addDescendants = (segment: TraceSegmentDocument): void => {
    if (selected.has(key(segment))) return;
    selected.add(key(segment));
    for (const child of children.get(key(segment)) ?? []) addDescendants(child);
  };
  for (const seed of segments.filter((segment) => segment.annotations?.orderId === orderId)) {
    addDescendants(seed);
    let parent = seed.parent_id === undefined ? undefined : byKey.get(`${seed.trace_id}/${seed.parent_id}`);
    while (parent !== undefined && !selected.has(key(parent))) {
      selected.add(key(parent));
      parent = parent.parent_id === undefined ? undefined : byKey.get(`${parent.trace_id}/${parent.parent_id}`);
    }
  }
  return segments.filter((segment) => selected.has(key(segment))).sort((a, b) => a.start_time - b.start_time);
}
