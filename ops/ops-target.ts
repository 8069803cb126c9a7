/**
 * What the operator CLI works on: the names and URLs of one deployment's tables and queues, either
 * the local stack's (local-target.ts) or a deployed stack's CloudFormation outputs
 * (stack-outputs-target.ts). Commands only ever see this shape, so they run the same on both.
 */
import type { LocalEndpoints } from '../infra/local/cloud/aws-clients';
import type { TableRole } from '../src/common/settings';
import { QueueNotFoundError } from './ops-errors';

export interface QueueRef {
  readonly name: string;
  readonly url: string;
}

/** A consumer's inbox and its DLQ, keyed by the consumer's settings id (`Payment`, …). */
export interface ConsumerQueues {
  readonly consumerId: string;
  readonly queue: QueueRef;
  readonly deadLetterQueue: QueueRef;
}

/** What only the local stack has: its endpoints, its data directory and the outbox stream. */
export interface LocalTargetDetails {
  readonly endpoints: LocalEndpoints;
  readonly dataDir: string;
  readonly outboxStreamArn: string;
}

export interface OpsTarget {
  readonly kind: 'local' | 'aws';
  /** One line for the header of human output (`local (…)`, `stack OrderPipeline in eu-west-1`). */
  readonly description: string;
  readonly region: string;
  readonly apiUrl: string | undefined;
  readonly tableNames: Readonly<Record<TableRole, string>>;
  readonly consumers: readonly ConsumerQueues[];
  /** The relay's on-failure destination: metadata of outbox stream batches it gave up on. */
  readonly relayFailureQueue: QueueRef;
  readonly local?: LocalTargetDetails;
}

/** A queue the `dlq` commands accept: a consumer's DLQ, or the relay's on-failure queue. */
export type DeadLetterTarget =
  | { readonly kind: 'consumer'; readonly consumer: ConsumerQueues }
  | { readonly kind: 'relay-failures'; readonly queue: QueueRef };

const RELAY_FAILURE_ALIASES = ['relay', 'relay-failures', 'outbox-relay'];

/** `OrderStatus` → `order-status`: how an operator names a consumer on the command line. */
export function consumerAlias(consumerId: string): string {
  return consumerId.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/**
 * Finds the DLQ an operator means: `payment`, `Payment`, `payment-dlq`, or a deployed queue's full
 * name all name the Payment consumer's DLQ (`order-status` the OrderStatus consumer's);
 * `relay-failures` names the relay's on-failure queue.
 */
export function findDeadLetterTarget(target: OpsTarget, name: string): DeadLetterTarget {
  const wanted = name.toLowerCase();
  const consumer = target.consumers.find(
    (candidate) =>
      candidate.consumerId.toLowerCase() === wanted ||
      consumerAlias(candidate.consumerId) === wanted ||
      candidate.queue.name.toLowerCase() === wanted ||
      candidate.deadLetterQueue.name.toLowerCase() === wanted,
  );
  if (consumer !== undefined) return { kind: 'consumer', consumer };
  if (RELAY_FAILURE_ALIASES.includes(wanted) || target.relayFailureQueue.name.toLowerCase() === wanted) {
    return { kind: 'relay-failures', queue: target.relayFailureQueue };
  }
  throw new QueueNotFoundError(name, [...target.consumers.map((candidate) => consumerAlias(candidate.consumerId)), 'relay-failures']);
}

/** The queue a `DeadLetterTarget` reads from. */
export function queueOfDeadLetterTarget(deadLetter: DeadLetterTarget): QueueRef {
  return deadLetter.kind === 'consumer' ? deadLetter.consumer.deadLetterQueue : deadLetter.queue;
}
