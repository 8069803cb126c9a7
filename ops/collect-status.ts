/**
 * `status`: where messages are, everywhere at once. Queue counts and the age of the oldest message
 * come from the target's `QueueReader`: on AWS, SQS attributes and, only where a peek is harmless
 * (queues without a redrive policy: the DLQs and the relay's on-failure queue), a peek; locally,
 * fauxqs's inspection of every queue. The outbox backlog and, locally, the relay's stream lag
 * complete the picture of what has not reached a consumer yet.
 */
import type { OpsClients } from './ops-clients';
import type { OpsTarget, QueueRef } from './ops-target';
import { localDataPaths } from '../infra/local/cloud/local-data-dir';
import { readOutboxBacklog, type OutboxBacklog } from './outbox-backlog';
import { totalMessages } from './queue-depth';
import { readRelayLag, type ShardLag } from './relay-lag';

export type QueueKind = 'queue' | 'dlq' | 'relay-failures';

/**
 * How `oldestAgeMs` was obtained: `peek` saw every message, `peek-partial` only some (a lower
 * bound), `empty` there was nothing, `not-measured` a peek would have counted as a receive.
 */
export type AgeSource = 'peek' | 'peek-partial' | 'empty' | 'not-measured';

export interface QueueStatus {
  readonly name: string;
  readonly kind: QueueKind;
  readonly consumerId: string | undefined;
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
  readonly oldestAgeMs: number | undefined;
  readonly ageSource: AgeSource;
}

export type Section<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export type RelayLagStatus =
  | { readonly available: true; readonly checkpointDir: string; readonly shards: readonly ShardLag[] }
  | { readonly available: false; readonly reason: string };

export interface StatusReport {
  readonly target: string;
  readonly kind: OpsTarget['kind'];
  readonly generatedAt: string;
  /** How messages were looked at for OLDEST: SQS receives (AWS) or fauxqs's inspection endpoint (local). */
  readonly peekMethod: 'sqs-receive' | 'fauxqs-inspection';
  readonly queues: readonly QueueStatus[];
  readonly outbox: Section<OutboxBacklog>;
  readonly relay: Section<RelayLagStatus>;
}

/** Messages peeked per queue to find the oldest; enough for a DLQ, a lower bound beyond it. */
const PEEK_LIMIT = 50;

export async function collectStatus(target: OpsTarget, clients: OpsClients, now: () => Date = () => new Date()): Promise<StatusReport> {
  const queues: { ref: QueueRef; kind: QueueKind; consumerId: string | undefined }[] = [
    ...target.consumers.flatMap((consumer) => [
      { ref: consumer.queue, kind: 'queue' as const, consumerId: consumer.consumerId },
      { ref: consumer.deadLetterQueue, kind: 'dlq' as const, consumerId: consumer.consumerId },
    ]),
    { ref: target.relayFailureQueue, kind: 'relay-failures', consumerId: undefined },
  ];
  const [queueStatuses, outbox, relay] = await Promise.all([
    Promise.all(queues.map((queue) => readQueueStatus(clients, queue, now))),
    section(() => readOutboxBacklog(clients, target.tableNames.outbox)),
    section(() => readRelayLagStatus(target, clients)),
  ]);
  return {
    target: target.description,
    kind: target.kind,
    generatedAt: now().toISOString(),
    peekMethod: clients.queues.method,
    queues: queueStatuses,
    outbox,
    relay,
  };
}

async function readQueueStatus(
  clients: OpsClients,
  queue: { ref: QueueRef; kind: QueueKind; consumerId: string | undefined },
  now: () => Date,
): Promise<QueueStatus> {
  const depth = await clients.queues.depth(queue.ref);
  const base = {
    name: queue.ref.name,
    kind: queue.kind,
    consumerId: queue.consumerId,
    visible: depth.visible,
    inFlight: depth.inFlight,
    delayed: depth.delayed,
  };
  const total = totalMessages(depth);
  if (total === 0) return { ...base, oldestAgeMs: undefined, ageSource: 'empty' };
  const peek = await clients.queues.peek(queue.ref, Math.min(PEEK_LIMIT, total));
  if (peek === undefined) return { ...base, oldestAgeMs: undefined, ageSource: 'not-measured' };
  const sentTimes = peek.messages
    .map((message) => Number(message.Attributes?.SentTimestamp))
    .filter((sentAt) => Number.isFinite(sentAt) && sentAt > 0);
  if (sentTimes.length === 0) return { ...base, oldestAgeMs: undefined, ageSource: peek.messages.length === 0 ? 'empty' : 'not-measured' };
  return { ...base, oldestAgeMs: now().getTime() - Math.min(...sentTimes), ageSource: peek.complete ? 'peek' : 'peek-partial' };
}

async function readRelayLagStatus(target: OpsTarget, clients: OpsClients): Promise<RelayLagStatus> {
  if (target.local === undefined || clients.streams === undefined) {
    return { available: false, reason: "on AWS, see the relay mapping's IteratorAge metric (CloudWatch)" };
  }
  const checkpointDir = localDataPaths(target.local.dataDir).streamCheckpoints;
  const shards = await readRelayLag({ streams: clients.streams, streamArn: target.local.outboxStreamArn, checkpointDir });
  return { available: true, checkpointDir, shards };
}

async function section<T>(read: () => Promise<T>): Promise<Section<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}
