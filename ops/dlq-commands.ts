/**
 * `dlq list | show | redrive | purge`. Only `redrive` and `purge` change anything; `show` peeks
 * (the messages stay, only their receive count grows, which on a DLQ counts toward nothing).
 */
import { PurgeQueueCommand } from '@aws-sdk/client-sqs';
import { printJson, printLines, type CommandContext } from './command-context';
import { describeDeadLetter, type DeadLetterSummary } from './dead-letter-message';
import { ConfirmationRequiredError, UsageError } from './ops-errors';
import { findDeadLetterTarget, queueOfDeadLetterTarget, type OpsTarget, type QueueRef } from './ops-target';
import { progressBar } from './progress-bar';
import { totalMessages, type QueueDepth } from './queue-depth';
import type { QueueReader } from './queue-reader';
import { redriveDeadLetters, type RedriveResult } from './redrive';
import type { TerminalStyle } from './terminal-style';
import { renderTable } from './text-table';

export interface DeadLetterQueueRow extends QueueDepth {
  readonly name: string;
  readonly kind: 'dlq' | 'relay-failures';
  /** The consumer whose queue it backs, or undefined for the relay's on-failure queue. */
  readonly consumerId: string | undefined;
}

export async function listDeadLetterQueues(context: CommandContext): Promise<number> {
  const rows = await readDeadLetterQueueRows(context);
  if (context.json) printJson(context.io, rows);
  else printLines(context.io, formatDeadLetterQueueRows(rows, context.style));
  return 0;
}

export async function readDeadLetterQueueRows({ target, clients }: Pick<CommandContext, 'target' | 'clients'>): Promise<DeadLetterQueueRow[]> {
  const queues: { ref: QueueRef; kind: DeadLetterQueueRow['kind']; consumerId: string | undefined }[] = [
    ...target.consumers.map((consumer) => ({ ref: consumer.deadLetterQueue, kind: 'dlq' as const, consumerId: consumer.consumerId })),
    { ref: target.relayFailureQueue, kind: 'relay-failures', consumerId: undefined },
  ];
  return Promise.all(
    queues.map(async (queue) => ({
      name: queue.ref.name,
      kind: queue.kind,
      consumerId: queue.consumerId,
      ...(await clients.queues.depth(queue.ref)),
    })),
  );
}

export function formatDeadLetterQueueRows(rows: readonly DeadLetterQueueRow[], style: TerminalStyle): string[] {
  return renderTable(
    [{ header: 'DLQ' }, { header: 'FOR' }, { header: 'MESSAGES', align: 'right' }, { header: 'IN FLIGHT', align: 'right' }],
    rows.map((row) => [
      row.name,
      row.consumerId ?? 'outbox relay (stream batch metadata)',
      row.visible === 0 ? '0' : style.red(String(row.visible)),
      String(row.inFlight),
    ]),
  );
}

export interface DeadLetterListing {
  readonly queue: string;
  readonly depth: QueueDepth;
  readonly method: QueueReader['method'];
  readonly messages: readonly DeadLetterSummary[];
  /** Peeked messages that could not be handed back at once (they reappear after 30 s). */
  readonly notReleased: number;
}

export async function showDeadLetters(context: CommandContext, name: string, limit: number): Promise<number> {
  const queue = queueOfDeadLetterTarget(findDeadLetterTarget(context.target, name));
  const depth = await context.clients.queues.depth(queue);
  const peek = await context.clients.queues.peek(queue, limit);
  const listing: DeadLetterListing = {
    queue: queue.name,
    depth,
    method: context.clients.queues.method,
    messages: (peek?.messages ?? []).map((message) => describeDeadLetter(message)),
    notReleased: peek?.notReleased ?? 0,
  };
  if (context.json) printJson(context.io, listing);
  else printLines(context.io, formatDeadLetterListing(listing, context.style));
  return 0;
}

export function formatDeadLetterListing(listing: DeadLetterListing, style: TerminalStyle): string[] {
  const lines = [
    `${style.bold(listing.queue)}: ${totalMessages(listing.depth)} message(s), ${listing.messages.length} shown ` +
      style.dim(
        listing.method === 'sqs-receive'
          ? '(peeked: received, then handed back; each peek adds 1 to the receive count)'
          : "(fauxqs inspection: nothing received, receive counts are the consumers')",
      ),
  ];
  for (const message of listing.messages) {
    lines.push(
      '',
      `${style.bold(message.messageId)}  receive count ${message.receiveCount ?? '?'}, first sent ${message.sentAt ?? '?'}`,
      `  event    ${message.eventType ?? '?'} ${message.eventId ?? ''}`.trimEnd(),
      `  order    ${message.orderId ?? '?'}`,
      `  error    ${message.failure ?? style.dim('not recorded by SQS: search the consumer\'s logs for the messageId')}`,
      `  body     ${message.bodyExcerpt}`,
    );
  }
  if (listing.notReleased > 0) {
    lines.push('', style.yellow(`${listing.notReleased} message(s) could not be handed back at once; they reappear within 30 s.`));
  }
  return lines;
}

export interface RedriveCommandOptions {
  readonly max: number | undefined;
  readonly manual: boolean;
}

export async function redriveDeadLetterQueue(context: CommandContext, name: string, options: RedriveCommandOptions): Promise<number> {
  const deadLetter = findDeadLetterTarget(context.target, name);
  if (deadLetter.kind !== 'consumer') {
    throw new UsageError(
      `${deadLetter.queue.name} holds metadata of outbox stream batches the relay gave up on, not events: there is no ` +
        'source queue to send them to. The outbox items they describe are still PENDING; the outbox sweeper (or a ' +
        're-insert) publishes them.',
    );
  }
  const { consumer } = deadLetter;
  const bar = context.json ? progressBar({ write: () => undefined }, '') : progressBar(context.io.stdout, `moved to ${consumer.queue.name}`);
  let result: RedriveResult;
  try {
    result = await redriveDeadLetters({
      sqs: context.clients.sqs,
      deadLetterQueueUrl: consumer.deadLetterQueue.url,
      sourceQueueUrl: consumer.queue.url,
      maxMessages: options.max,
      method: options.manual ? 'receive-send-delete' : 'auto',
      onProgress: ({ moved, total }) => bar.update(moved, total),
    });
  } finally {
    bar.finish();
  }
  if (context.json) printJson(context.io, { queue: consumer.deadLetterQueue.name, destination: consumer.queue.name, ...result });
  else printLines(context.io, formatRedriveResult(result, consumer.deadLetterQueue.name, consumer.queue.name, context.style));
  const complete = result.method === 'message-move-task' ? result.status === 'COMPLETED' : result.notSent.length === 0 && result.sentNotDeleted === 0;
  return complete ? 0 : 1;
}

export function formatRedriveResult(result: RedriveResult, from: string, to: string, style: TerminalStyle): string[] {
  if (result.method === 'message-move-task') {
    const line = `${from} → ${to}: SQS message move task ${result.taskHandle} ${result.status}, ${result.moved}/${result.total ?? '?'} moved`;
    return [result.status === 'COMPLETED' ? style.green(line) : style.red(`${line}${result.failureReason === undefined ? '' : `: ${result.failureReason}`}`)];
  }
  const lines = [
    `${from} → ${to}: ${result.moved} message(s) moved by receive → send → delete ${style.dim(`(${result.reason})`)}`,
  ];
  if (result.moved === 0 && result.total === 0) lines.push(style.dim('The DLQ was empty.'));
  for (const failure of result.notSent) {
    lines.push(style.red(`  not sent: ${failure.messageId} (${failure.code}: ${failure.message}); it stays in ${from}`));
  }
  if (result.sentNotDeleted > 0) {
    lines.push(style.yellow(`  ${result.sentNotDeleted} sent but not deleted from ${from}: the next redrive delivers them again (consumers are idempotent)`));
  }
  return lines;
}

export async function purgeDeadLetterQueue(context: CommandContext, name: string, yes: boolean): Promise<number> {
  const queue = queueOfDeadLetterTarget(findDeadLetterTarget(context.target, name));
  if (!yes) {
    assertCanConfirm(context.io.interactive, queue.name);
    const depth = totalMessages(await context.clients.queues.depth(queue));
    const answer = await context.io.ask(
      `Purge ${queue.name} (${depth} message(s), ${describeTarget(context.target)})? This cannot be undone. Type the queue name to confirm: `,
    );
    if (answer.trim() !== queue.name) throw new ConfirmationRequiredError(`Not purged: the answer was not "${queue.name}"`);
  }
  // SQS may take up to 60 s to finish a purge, and allows one purge per queue per 60 s.
  await context.clients.sqs.send(new PurgeQueueCommand({ QueueUrl: queue.url }));
  if (context.json) printJson(context.io, { purged: queue.name });
  else printLines(context.io, [`${queue.name} purged (SQS may take up to 60 s to finish).`]);
  return 0;
}

/** Refuses before anything is read when nobody could be asked: a script must say --yes. */
export function assertCanConfirm(interactive: boolean, what: string): void {
  if (!interactive) {
    throw new ConfirmationRequiredError(`Refusing to purge ${what} without --yes: there is no terminal to confirm on`);
  }
}

function describeTarget(target: OpsTarget): string {
  return target.kind === 'local' ? 'local stack' : target.description;
}
