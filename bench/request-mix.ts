/**
 * The AWS requests the pipeline makes per order, from what the recording proxy counted over a run
 * of known size, and the Lambda invocations the runtime logged over the same run.
 */
import type { FunctionInvocations } from './bench-stack';
import type { RecordedRequests } from './recording-proxy';

export interface MixEntry {
  readonly caller: string;
  readonly service: string;
  readonly action: string;
  readonly resource: string;
  readonly requests: number;
  readonly perOrder: number;
  /** Per request: batch entries, received messages; fraction of receives that came back empty. */
  readonly entriesPerRequest: number;
  readonly messagesPerReceive: number;
  readonly emptyReceiveFraction: number;
  /** Per order: SNS/SQS 64 KB billing chunks, DynamoDB request units (read or write by action). */
  readonly chunksPerOrder: number;
  readonly capacityPerOrder: number;
  readonly errors: number;
  readonly errorTypes: Readonly<Record<string, number>>;
  readonly samples: readonly string[];
}

export interface RequestMix {
  readonly label: string;
  readonly orders: number;
  readonly entries: readonly MixEntry[];
  /** Lambda invocations per function over the same run. */
  readonly invocations: Readonly<Record<string, FunctionInvocations>>;
}

/** Control-plane and set-up calls (the runtime's start-up, the bench's probes): not per-order work. */
const NOT_PER_ORDER_ACTIONS = new Set([
  'ListTables',
  'DescribeTable',
  'DescribeTimeToLive',
  'ListTopics',
  'ListQueues',
  'GetQueueUrl',
  'GetQueueAttributes',
  'ListSubscriptionsByTopic',
  'GetSubscriptionAttributes',
  'ListStreams',
]);

export function requestMixOf(
  label: string,
  recorded: readonly RecordedRequests[],
  orders: number,
  invocations: Readonly<Record<string, FunctionInvocations>>,
): RequestMix {
  const entries = recorded
    .filter((record) => !NOT_PER_ORDER_ACTIONS.has(record.action))
    .map((record) => {
      const successful = record.requests - record.errors;
      return {
        caller: record.caller,
        service: record.service,
        action: record.action,
        resource: record.resource,
        requests: record.requests,
        perOrder: record.requests / orders,
        entriesPerRequest: record.requests === 0 ? 0 : record.entries / record.requests,
        messagesPerReceive: record.requests === 0 ? 0 : record.messagesReceived / record.requests,
        emptyReceiveFraction: record.requests === 0 ? 0 : record.emptyReceives / record.requests,
        chunksPerOrder: record.billableChunks / orders,
        // Refused writes report no capacity; they are billed like the successful ones (average).
        capacityPerOrder: successful === 0 ? record.requests / orders : (record.capacityUnits * (record.requests / successful)) / orders,
        errors: record.errors,
        errorTypes: record.errorTypes,
        samples: record.samples,
      };
    })
    .sort((left, right) => `${left.service}${left.action}${left.caller}`.localeCompare(`${right.service}${right.action}${right.caller}`));
  return { label, orders, entries, invocations };
}

/** Requests per order by service and action (callers and resources summed). */
export function perOrderByAction(mix: RequestMix): { service: string; action: string; perOrder: number }[] {
  const totals = new Map<string, { service: string; action: string; perOrder: number }>();
  for (const entry of mix.entries) {
    const key = `${entry.service} ${entry.action}`;
    const total = totals.get(key) ?? { service: entry.service, action: entry.action, perOrder: 0 };
    total.perOrder += entry.perOrder;
    totals.set(key, total);
  }
  return [...totals.values()].sort((left, right) => right.perOrder - left.perOrder);
}
