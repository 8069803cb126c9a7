/**
 * Reads the local stack's real state for end-to-end and fault tests: every item of every table,
 * and the messages waiting in the dead-letter queues and the relay's on-failure queue.
 *
 * Queues are read by receiving, never from `ApproximateNumberOfMessages`: fauxqs refreshes that
 * count only when the queue is received from. A peek receives every message with a short hold,
 * then hands each one back at once (ChangeMessageVisibility 0), so nothing is consumed. Only queues
 * without a redrive policy (DLQs, the on-failure queue) may be peeked: every receive counts towards
 * `maxReceiveCount`, so peeking a consumer's own queue could push its messages to the DLQ: those
 * are only counted (see `readBacklogs`).
 */
import { randomUUID } from 'node:crypto';
import {
  ChangeMessageVisibilityBatchCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { SubscribeCommand, type SNSClient } from '@aws-sdk/client-sns';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { QUEUE_CONSUMERS, type TableRole } from '../../../src/common/settings';
import { mapTableRoles, TABLE_ROLES } from '../../../infra/function-environment';
import { createLocalDynamoDbStreamsClient, type LocalEndpoints } from '../../../infra/local/cloud/aws-clients';
import { readQueueDepth, totalMessages } from '../../../ops/queue-depth';
import type { LocalResources } from '../../../infra/local/cloud/provision';

export type TableItem = Readonly<Record<string, unknown>>;

/** A message as a peek saw it. */
export interface QueuedMessage {
  readonly messageId: string;
  readonly body: string;
  /** `ApproximateReceiveCount` including the peek's own receive (and, in fauxqs, the move to the DLQ). */
  readonly receiveCount: number;
  readonly sentTimestamp: number;
  /** String message attributes, by name. */
  readonly attributes: Readonly<Record<string, string>>;
}

/** Everything the invariants look at, read at one moment (table by table, so not a snapshot). */
export interface PipelineState {
  readonly tables: Readonly<Record<TableRole, readonly TableItem[]>>;
  /** Messages in each consumer's DLQ, keyed by the consumer's settings id (`Payment`, `Inventory`, …). */
  readonly deadLetters: Readonly<Record<string, readonly QueuedMessage[]>>;
  /** Metadata records of stream batches the relay gave up on. */
  readonly relayFailures: readonly QueuedMessage[];
  /**
   * Messages still in each consumer's own queue (visible, in flight or delayed), by settings id: a
   * redelivery still to come can yet change the tables or end in a DLQ.
   */
  readonly backlogs: Readonly<Record<string, number>>;
  readonly readAt: Date;
}

/** What the readers need of a running stack (a `LocalStack` has all of it). */
export interface StateSource {
  readonly ddb: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  readonly resources: LocalResources;
}

/** Long enough to page through a queue, short enough that a crashed test leaves nothing hidden for long. */
const PEEK_HOLD_SECONDS = 30;
const MAX_SQS_BATCH = 10;

/** Every item of a table, page by page, strongly consistent. */
export async function scanTable(ddb: DynamoDBDocumentClient, tableName: string): Promise<TableItem[]> {
  const items: TableItem[] = [];
  let exclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await ddb.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: exclusiveStartKey }),
    );
    items.push(...(page.Items ?? []));
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (exclusiveStartKey !== undefined);
  return items;
}

/**
 * Every message of a queue without consuming any: each is received (hidden for a moment so the next
 * receive returns the next ones), then made visible again. Not safe to run twice at once on a queue.
 */
export async function peekQueue(sqs: SQSClient, queueUrl: string): Promise<QueuedMessage[]> {
  const held: Message[] = [];
  try {
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: MAX_SQS_BATCH,
          VisibilityTimeout: PEEK_HOLD_SECONDS,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      if (Messages.length === 0) break;
      held.push(...Messages);
    }
  } finally {
    await releaseMessages(sqs, queueUrl, held);
  }
  return held.map(toQueuedMessage);
}

async function releaseMessages(sqs: SQSClient, queueUrl: string, messages: readonly Message[]): Promise<void> {
  for (let start = 0; start < messages.length; start += MAX_SQS_BATCH) {
    const chunk = messages.slice(start, start + MAX_SQS_BATCH);
    const { Failed = [] } = await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: chunk.map((message, index) => ({
          Id: String(index),
          ReceiptHandle: required(message.ReceiptHandle, 'ReceiptHandle'),
          VisibilityTimeout: 0,
        })),
      }),
    );
    if (Failed.length > 0) {
      throw new Error(`Could not hand ${Failed.length} peeked messages back to ${queueUrl}: ${JSON.stringify(Failed)}`);
    }
  }
}

function toQueuedMessage(message: Message): QueuedMessage {
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    if (value.StringValue !== undefined) attributes[name] = value.StringValue;
  }
  return {
    messageId: required(message.MessageId, 'MessageId'),
    body: message.Body ?? '',
    receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
    sentTimestamp: Number(message.Attributes?.SentTimestamp ?? 0),
    attributes,
  };
}

function required(value: string | undefined, name: string): string {
  if (value === undefined) throw new Error(`ReceiveMessage returned a message without ${name}`);
  return value;
}

/** Reads every table and every DLQ (and the relay's on-failure queue) of the stack. */
export async function readPipelineState(source: StateSource): Promise<PipelineState> {
  const [tableEntries, deadLetterEntries, relayFailures, backlogs] = await Promise.all([
    Promise.all(TABLE_ROLES.map(async (role) => [role, await scanTable(source.ddb, source.resources.tableNames[role])] as const)),
    // One queue at a time per queue URL is all peekQueue asks; different queues may run together.
    Promise.all(
      QUEUE_CONSUMERS.map(async (consumer) => {
        const queue = source.resources.queues[consumer.id];
        if (queue === undefined) throw new Error(`The stack has no queue for ${consumer.id}`);
        return [consumer.id, await peekQueue(source.sqs, queue.dlqUrl)] as const;
      }),
    ),
    peekQueue(source.sqs, source.resources.relayFailureQueue.url),
    readBacklogs(source),
  ]);
  const scans = new Map(tableEntries);
  return {
    tables: mapTableRoles((role) => scans.get(role) ?? []),
    deadLetters: Object.fromEntries(deadLetterEntries),
    relayFailures,
    backlogs,
    readAt: new Date(),
  };
}

/**
 * Counted from the queue's attributes, not peeked: receiving from a consumer's queue would count
 * towards its `maxReceiveCount`. fauxqs refreshes these counts when the queue is received from,
 * which the runtime's pollers do all the time while it runs.
 */
async function readBacklogs(source: StateSource): Promise<Record<string, number>> {
  const entries = await Promise.all(
    QUEUE_CONSUMERS.map(async (consumer) => {
      const queue = source.resources.queues[consumer.id];
      if (queue === undefined) throw new Error(`The stack has no queue for ${consumer.id}`);
      return [consumer.id, totalMessages(await readQueueDepth(source.sqs, queue.url))] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/**
 * A queue of the test's own subscribed to the events topic with raw delivery, like the consumers'
 * queues: it sees every message the topic delivers (optionally only some event types), so a test
 * can count publishes per event id. Its messages are consumed as they are drained.
 */
export interface TopicTap {
  readonly queueUrl: string;
  /** Receives and deletes every message that has arrived so far; returns them, oldest first. */
  drain(): Promise<QueuedMessage[]>;
}

export async function subscribeTopicTap(
  clients: { readonly sqs: SQSClient; readonly sns: SNSClient },
  topicArn: string,
  options: { readonly eventTypes?: readonly string[]; readonly name?: string } = {},
): Promise<TopicTap> {
  const { sqs, sns } = clients;
  const name = options.name ?? `e2e-tap-${randomUUID()}`;
  const { QueueUrl: queueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  if (queueUrl === undefined) throw new Error(`CreateQueue ${name} answered no URL`);
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  const queueArn = Attributes?.QueueArn;
  if (queueArn === undefined) throw new Error(`Queue ${name} has no ARN`);
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: queueArn,
      Attributes: {
        RawMessageDelivery: 'true',
        ...(options.eventTypes === undefined
          ? {}
          : { FilterPolicy: JSON.stringify({ eventType: options.eventTypes }), FilterPolicyScope: 'MessageAttributes' }),
      },
    }),
  );
  return {
    queueUrl,
    drain: async () => {
      const drained: QueuedMessage[] = [];
      for (;;) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: MAX_SQS_BATCH,
            WaitTimeSeconds: 0,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        );
        if (Messages.length === 0) break;
        drained.push(...Messages.map(toQueuedMessage));
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: required(message.ReceiptHandle, 'ReceiptHandle') })),
          }),
        );
      }
      return drained.sort((left, right) => left.sentTimestamp - right.sentTimestamp);
    },
  };
}

/** A structured line a function logged (Powertools JSON), as the runtime prints it with `LOCAL_FUNCTION_LOGS=1`. */
export type FunctionLogRecord = Readonly<Record<string, unknown>>;

/**
 * The JSON log records `functionName` wrote, from the runtime's output (`stack.runtime().output`).
 * The runtime prints them as `[<function>] <line>` only when started with `LOCAL_FUNCTION_LOGS=1`.
 */
export function functionLogRecords(runtimeOutput: readonly string[], functionName: string): FunctionLogRecord[] {
  const prefix = `[${functionName}] `;
  return runtimeOutput.flatMap((line) => {
    if (!line.startsWith(prefix)) return [];
    try {
      const record: unknown = JSON.parse(line.slice(prefix.length));
      return typeof record === 'object' && record !== null && !Array.isArray(record) ? [record as FunctionLogRecord] : [];
    } catch {
      return [];
    }
  });
}

/** Sequence number of every INSERT on the outbox stream, by the inserted item's eventId. */
export async function outboxStreamSequenceNumbers(
  endpoints: LocalEndpoints,
  streamArn: string,
): Promise<Map<string, string>> {
  const streams = createLocalDynamoDbStreamsClient(endpoints);
  const sequenceNumbers = new Map<string, string>();
  const { Shards } = await streams.describeStream({ StreamArn: streamArn });
  for (const shard of Shards) {
    let iterator: string | undefined = await streams.getShardIterator({
      StreamArn: streamArn,
      ShardId: shard.ShardId,
      ShardIteratorType: 'TRIM_HORIZON',
    });
    while (iterator !== undefined) {
      const { Records, NextShardIterator } = await streams.getRecords({ ShardIterator: iterator, Limit: 1000 });
      for (const record of Records) {
        const eventId = record.dynamodb?.NewImage?.eventId?.S;
        const sequenceNumber = record.dynamodb?.SequenceNumber;
        if (record.eventName === 'INSERT' && eventId !== undefined && sequenceNumber !== undefined) {
          sequenceNumbers.set(eventId, sequenceNumber);
        }
      }
      // An open shard always answers a next iterator: stop at its current end.
      iterator = Records.length === 0 ? undefined : (NextShardIterator ?? undefined);
    }
  }
  return sequenceNumbers;
}
