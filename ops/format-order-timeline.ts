import { formatDuration } from './format-duration';
import type { OrderTimeline, TimelineEntry } from './order-timeline';
import type { TerminalStyle } from './terminal-style';
import { renderTable } from './text-table';

export function formatOrderTimeline(timeline: OrderTimeline, style: TerminalStyle): string[] {
  const statusText = timeline.status ?? 'not found';
  const status =
    timeline.status === 'CONFIRMED' ? style.green(statusText) : timeline.status === 'REJECTED' ? style.yellow(statusText) : style.red(statusText);
  const header = timeline.found
    ? `${style.bold('Order')} ${timeline.orderId}  ${status}  (payment ${timeline.paymentStatus ?? '?'}, inventory ${timeline.inventoryStatus ?? '?'})`
    : `${style.bold('Order')} ${timeline.orderId}  ${status}`;
  const start = timeline.entries[0] === undefined ? undefined : Date.parse(timeline.entries[0].at);
  const rows = timeline.entries.map((entry) => [
    entry.at,
    start === undefined ? '' : `+${formatDuration(Date.parse(entry.at) - start)}`,
    entry.source,
    paint(entry, style),
  ]);
  return [
    header,
    '',
    ...(rows.length === 0
      ? ['(nothing recorded about this order)']
      : renderTable([{ header: 'TIME (UTC)' }, { header: 'SINCE START', align: 'right' }, { header: 'SOURCE' }, { header: 'WHAT' }], rows)),
    '',
    style.bold('Diagnosis'),
    ...(timeline.diagnosis.length === 0 ? ['  • nothing unusual'] : timeline.diagnosis.map((line) => `  • ${line}`)),
    '',
    style.dim(traceNote(timeline)),
  ];
}

function paint(entry: TimelineEntry, style: TerminalStyle): string {
  if (entry.level === 'error') return style.red(entry.what);
  if (entry.level === 'warn') return style.yellow(entry.what);
  return entry.source === 'trace' ? style.dim(entry.what) : entry.what;
}

function traceNote(timeline: OrderTimeline): string {
  if (timeline.traces === 'none-recorded') return 'No trace segments: none recorded locally (on AWS, open the trace in X-Ray).';
  return timeline.entries.some((entry) => entry.source === 'trace')
    ? 'Trace segments come from the local trace store (<data dir>/traces/segments.jsonl).'
    : 'The local trace store has no segment annotated with this order.';
}
