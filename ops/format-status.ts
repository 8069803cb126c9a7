import type { QueueStatus, StatusReport } from './collect-status';
import { formatDuration } from './format-duration';
import type { ShardLag } from './relay-lag';
import type { TerminalStyle } from './terminal-style';
import { renderTable } from './text-table';

const INSPECTION_NOTE =
  'OLDEST: time since the oldest message was first sent, from fauxqs\'s inspection endpoint (nothing received; ' +
  'SQS keeps that time when it dead-letters a message).';
const NOT_MEASURED_NOTE =
  '¹ not measured: a receive on a queue with a redrive policy counts toward maxReceiveCount, so it is never peeked. ' +
  'On AWS read the CloudWatch metric ApproximateAgeOfOldestMessage.';
const PEEK_NOTE =
  'OLDEST of the other queues comes from a peek (receive, then visibility handed back): the time since the oldest ' +
  'message was first sent; SQS keeps that time when it dead-letters a message. "≥" means only some were peeked.';

/** The `status` report as an aligned table and a few lines, with every caveat printed where it applies. */
export function formatStatus(report: StatusReport, style: TerminalStyle): string[] {
  const rows = report.queues.map((queue) => [
    queue.name,
    queue.kind,
    countCell(queue.visible, queue, style),
    countCell(queue.inFlight, queue, style),
    String(queue.delayed),
    ageCell(queue),
  ]);
  const lines = [
    `${style.bold('Target')}  ${report.target}`,
    `${style.bold('At')}      ${report.generatedAt}`,
    '',
    ...renderTable(
      [
        { header: 'QUEUE' },
        { header: 'KIND' },
        { header: 'VISIBLE', align: 'right' },
        { header: 'IN FLIGHT', align: 'right' },
        { header: 'DELAYED', align: 'right' },
        { header: 'OLDEST', align: 'right' },
      ],
      rows,
    ),
    '',
    ...formatOutbox(report, style),
    ...formatRelay(report, style),
    '',
  ];
  if (report.peekMethod === 'fauxqs-inspection') {
    lines.push(style.dim(INSPECTION_NOTE));
  } else {
    if (report.queues.some((queue) => queue.ageSource === 'not-measured')) lines.push(style.dim(NOT_MEASURED_NOTE));
    lines.push(style.dim(PEEK_NOTE));
  }
  return lines;
}

function countCell(count: number, queue: QueueStatus, style: TerminalStyle): string {
  if (count === 0) return '0';
  return queue.kind === 'queue' ? String(count) : style.red(String(count));
}

function ageCell(queue: QueueStatus): string {
  switch (queue.ageSource) {
    case 'not-measured':
      return 'n/a¹';
    case 'empty':
      return '–';
    case 'peek':
      return formatDuration(queue.oldestAgeMs ?? 0);
    case 'peek-partial':
      return `≥ ${formatDuration(queue.oldestAgeMs ?? 0)}`;
  }
}

function formatOutbox(report: StatusReport, style: TerminalStyle): string[] {
  const label = style.bold('Outbox backlog');
  if (!report.outbox.ok) return [`${label}  ${style.red(`unavailable: ${report.outbox.error}`)}`];
  const backlog = report.outbox.value;
  const how =
    backlog.method === 'pending-index'
      ? `(sparse index pending-by-age, ${backlog.itemsRead} item(s) read)`
      : `(no pending-by-age index on the table: bounded scan, ${backlog.itemsRead} item(s) read${backlog.truncated ? ', STOPPED AT THE BOUND: counts are a lower bound' : ''})`;
  const pending = backlog.pending === 0 ? '0 pending' : style.yellow(`${backlog.pending}${backlog.truncated ? '+' : ''} pending`);
  const oldest =
    backlog.oldestPendingCreatedAt === undefined
      ? ''
      : `, oldest created ${backlog.oldestPendingCreatedAt} (${formatDuration(Date.parse(report.generatedAt) - Date.parse(backlog.oldestPendingCreatedAt))} ago, event ${backlog.oldestPendingEventId ?? '?'})`;
  return [`${label}  ${pending}${oldest}  ${style.dim(how)}`];
}

function formatRelay(report: StatusReport, style: TerminalStyle): string[] {
  const label = style.bold('Relay lag     ');
  if (!report.relay.ok) return [`${label}  ${style.red(`unavailable: ${report.relay.error}`)}`];
  const relay = report.relay.value;
  if (!relay.available) return [`${label}  n/a: ${relay.reason}`];
  if (relay.shards.length === 0) return [`${label}  the outbox stream has no shards yet`];
  return relay.shards.map((shard, index) => `${index === 0 ? label : ' '.repeat(14)}  ${describeShard(shard, report.generatedAt, style)}`);
}

function describeShard(shard: ShardLag, generatedAt: string, style: TerminalStyle): string {
  const name = `shard …${shard.shardId.slice(-12)}`;
  if (shard.shardEnded) return `${name}: closed and fully consumed`;
  const checkpoint =
    shard.checkpoint === undefined ? 'no checkpoint yet (nothing consumed, or the runtime never ran)' : `checkpoint ${shard.checkpoint}`;
  if (shard.recordsBehind === 0) return `${name}: ${checkpoint}, ${style.green('0 records behind')}`;
  const behind = style.yellow(`${shard.recordsBehind}${shard.truncated ? '+' : ''} record(s) behind`);
  const oldest =
    shard.oldestUnconsumedAt === undefined
      ? ''
      : `, oldest unconsumed written ~${formatDuration(Date.parse(generatedAt) - Date.parse(shard.oldestUnconsumedAt))} ago (minute precision locally)`;
  return `${name}: ${checkpoint}, ${behind} (newest ${shard.newestSequenceNumber ?? '?'})${oldest}`;
}
