/**
 * X-Ray trace headers as the Lambda service and API Gateway hand them on
 * (`Root=1-<epoch hex>-<24 hex>;Parent=<16 hex>;Sampled=<0|1>`).
 */
import { randomBytes } from 'node:crypto';
import { parseTraceHeader } from '../../../src/common/trace-header';
import type { TraceSegmentLink } from './trace-store';

export { parseTraceHeader } from '../../../src/common/trace-header';

export function newTraceRoot(now: number = Date.now()): string {
  return `1-${Math.floor(now / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
}

function newSegmentId(): string {
  return randomBytes(8).toString('hex');
}

function fieldOf(header: string, name: string): string | undefined {
  for (const part of header.split(';')) {
    const [key, value] = part.split('=', 2);
    if (key?.trim() === name && value !== undefined && value !== '') return value.trim();
  }
  return undefined;
}

/**
 * The trace header of a new segment: in the caller's trace (same root and sampling decision) when
 * there is one, otherwise in a trace of its own, unsampled unless `sampled` says otherwise.
 */
export function childTraceHeader(upstream: string | undefined, sampled = false): string {
  const root = upstream === undefined ? undefined : fieldOf(upstream, 'Root');
  if (upstream === undefined || root === undefined) {
    return `Root=${newTraceRoot()};Parent=${newSegmentId()};Sampled=${sampled ? '1' : '0'}`;
  }
  return `Root=${root};Parent=${newSegmentId()};Sampled=${fieldOf(upstream, 'Sampled') ?? (sampled ? '1' : '0')}`;
}

/** One link per distinct (sub)segment the headers name; X-Ray keeps at most 20 per segment. */
export function traceLinksOf(traceHeaders: readonly (string | undefined)[]): TraceSegmentLink[] {
  const links = new Map<string, TraceSegmentLink>();
  for (const header of traceHeaders) {
    const context = parseTraceHeader(header);
    if (context?.parent !== undefined) links.set(context.parent, { trace_id: context.root, id: context.parent });
  }
  return [...links.values()].slice(0, MAX_LINKS_PER_SEGMENT);
}

export const MAX_LINKS_PER_SEGMENT = 20;
