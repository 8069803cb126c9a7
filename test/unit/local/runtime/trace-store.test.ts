import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  flattenSegments,
  readTraceSegments,
  segmentsForOrder,
  TraceSegmentStore,
  traceSegmentsPath,
  type TraceSegmentDocument,
} from '../../../../infra/local/runtime/trace-store';

const ORDER_TRACE = '1-6a0b7eb4-00000000000000000000000a';
const RELAY_TRACE = '1-6a0b7eb4-00000000000000000000000b';

function segment(fields: Partial<TraceSegmentDocument> & Pick<TraceSegmentDocument, 'id' | 'trace_id'>): TraceSegmentDocument {
  return { name: fields.id, start_time: 1_700_000_000, ...fields };
}

/**
 * The order request's trace (stage → function → handler, with the relay's publish segment under
 * the handler), and the relay's own trace, whose batch published this order and another one.
 */
const DOCUMENTS: TraceSegmentDocument[] = [
  segment({ id: 'stage', trace_id: ORDER_TRACE, start_time: 1 }),
  segment({ id: 'api-function', trace_id: ORDER_TRACE, parent_id: 'stage', start_time: 2 }),
  segment({ id: 'api-handler', trace_id: ORDER_TRACE, parent_id: 'api-function', type: 'subsegment', start_time: 3, annotations: { orderId: 'order-1' } }),
  segment({
    id: 'relay-publish',
    trace_id: ORDER_TRACE,
    parent_id: 'api-handler',
    start_time: 6,
    annotations: { orderId: 'order-1' },
    subsegments: [segment({ id: 'sns', trace_id: ORDER_TRACE, start_time: 7 })],
  }),
  segment({ id: 'relay-function', trace_id: RELAY_TRACE, start_time: 4 }),
  segment({ id: 'relay-handler', trace_id: RELAY_TRACE, parent_id: 'relay-function', type: 'subsegment', start_time: 5 }),
  segment({
    id: 'relay-record-1',
    trace_id: RELAY_TRACE,
    parent_id: 'relay-handler',
    type: 'subsegment',
    start_time: 5.5,
    annotations: { orderId: 'order-1' },
    links: [{ trace_id: ORDER_TRACE, id: 'relay-publish' }],
  }),
  segment({ id: 'relay-record-2', trace_id: RELAY_TRACE, parent_id: 'relay-handler', type: 'subsegment', start_time: 5.6, annotations: { orderId: 'order-2' } }),
  segment({ id: 'relay-mark-sent', trace_id: RELAY_TRACE, parent_id: 'relay-handler', type: 'subsegment', start_time: 8 }),
];

let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'trace-store-'));
});

afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('TraceSegmentStore and readTraceSegments', () => {
  it('reads back every recorded document, in the order recorded, from <data dir>/traces/segments.jsonl', () => {
    // Prepare
    const store = new TraceSegmentStore(traceSegmentsPath(dataDir));

    // Act
    for (const document of DOCUMENTS) store.record(document);

    // Assess
    expect(store.file).toBe(path.join(dataDir, 'traces', 'segments.jsonl'));
    expect(readTraceSegments(dataDir)).toEqual(DOCUMENTS);
  });

  it('skips a line still being written and anything that is not a segment document', () => {
    // Prepare
    const store = new TraceSegmentStore(traceSegmentsPath(dataDir));
    store.record(DOCUMENTS[0]!);
    appendFileSync(store.file, '{"id":"no-trace"}\n{"id":"half-writ');

    // Act
    const documents = readTraceSegments(dataDir);

    // Assess
    expect(documents).toEqual([DOCUMENTS[0]]);
  });

  it('keeps the last of two documents with the same id (in progress, then complete)', () => {
    // Prepare
    const store = new TraceSegmentStore(traceSegmentsPath(dataDir));
    store.record({ ...DOCUMENTS[0]!, in_progress: true });
    store.record({ ...DOCUMENTS[0]!, end_time: 9 });

    // Act
    const documents = readTraceSegments(dataDir);

    // Assess
    expect(documents).toEqual([{ ...DOCUMENTS[0], end_time: 9 }]);
  });

  it('reads no segments from a data directory without a store', () => {
    // Act
    const documents = readTraceSegments(dataDir);

    // Assess
    expect(documents).toEqual([]);
  });
});

describe('flattenSegments', () => {
  it('lists a nested subsegment as an entry of its own, with its trace and parent', () => {
    // Act
    const flat = flattenSegments([DOCUMENTS[3]!]);

    // Assess
    expect(flat).toEqual([
      segment({ id: 'relay-publish', trace_id: ORDER_TRACE, parent_id: 'api-handler', start_time: 6, annotations: { orderId: 'order-1' } }),
      segment({ id: 'sns', trace_id: ORDER_TRACE, parent_id: 'relay-publish', start_time: 7 }),
    ]);
  });
});

describe('segmentsForOrder', () => {
  it("finds the order's segments, what they are part of and what they contain, in start order", () => {
    // Act
    const found = segmentsForOrder(DOCUMENTS, 'order-1');

    // Assess
    expect(found.map((entry) => entry.id)).toEqual([
      'stage',
      'api-function',
      'api-handler',
      'relay-function',
      'relay-handler',
      'relay-record-1',
      'relay-publish',
      'sns',
    ]);
  });

  it('leaves out the work of another order and of the batch as a whole', () => {
    // Act
    const found = segmentsForOrder(DOCUMENTS, 'order-2').map((entry) => entry.id);

    // Assess
    expect(found).toEqual(['relay-function', 'relay-handler', 'relay-record-2']);
  });

  it('finds nothing for an order no segment names', () => {
    // Act
    const found = segmentsForOrder(DOCUMENTS, 'order-3');

    // Assess
    expect(found).toEqual([]);
  });
});
