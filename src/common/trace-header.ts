import type { SQSRecord } from 'aws-lambda';
import { MESSAGE_ATTRIBUTES } from './settings';

/**
 * The X-Ray trace header a consumer passes on to what it publishes. The relay copies the order
 * request's header into the `traceHeader` message attribute because DynamoDB Streams carry none;
 * SQS's own `AWSTraceHeader` system attribute is the fallback (fauxqs drops it locally).
 */
export function traceHeaderOf(record: SQSRecord): string | undefined {
  return record.messageAttributes[MESSAGE_ATTRIBUTES.traceHeader]?.stringValue ?? record.attributes.AWSTraceHeader;
}

/** The fields of an X-Ray trace header (`Root=…;Parent=…;Sampled=…`) that tracing acts on. */
export interface TraceContext {
  /** The trace id, `1-<epoch hex>-<24 hex>`. */
  readonly root: string;
  /** The (sub)segment that caused what carries the header, when it names one. */
  readonly parent?: string;
  /** The upstream sampling decision; absent means "not decided". */
  readonly sampled?: boolean;
}

const TRACE_ID_PATTERN = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const SEGMENT_ID_PATTERN = /^[0-9a-f]{16}$/;

/** Reads a trace header; `undefined` when it names no valid trace (a malformed header is ignored). */
export function parseTraceHeader(header: string | undefined): TraceContext | undefined {
  if (header === undefined) return undefined;
  const fields = new Map<string, string>();
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator > 0) fields.set(part.slice(0, separator).trim(), part.slice(separator + 1).trim());
  }
  const root = fields.get('Root');
  if (root === undefined || !TRACE_ID_PATTERN.test(root)) return undefined;
  const parent = fields.get('Parent');
  const sampled = fields.get('Sampled');
  return {
    root,
    ...(parent !== undefined && SEGMENT_ID_PATTERN.test(parent) ? { parent } : {}),
    ...(sampled === '1' || sampled === '0' ? { sampled: sampled === '1' } : {}),
  };
}

export function formatTraceHeader(context: TraceContext): string {
  const parts = [`Root=${context.root}`];
  if (context.parent !== undefined) parts.push(`Parent=${context.parent}`);
  if (context.sampled !== undefined) parts.push(`Sampled=${context.sampled ? '1' : '0'}`);
  return parts.join(';');
}
