import type { Message } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { MESSAGE_ATTRIBUTES } from '../src/common/settings';

/** What an operator wants to know about a dead-lettered message, from its attributes and body. */
export interface DeadLetterSummary {
  readonly messageId: string;
  readonly receiveCount: number | undefined;
  /** When the message was first sent (SQS keeps the original enqueue time across a redrive policy move). */
  readonly sentAt: string | undefined;
  readonly firstReceivedAt: string | undefined;
  readonly eventType: string | undefined;
  readonly eventId: string | undefined;
  readonly orderId: string | undefined;
  /**
   * Why it failed, where the message says so: the relay's on-failure records carry the condition;
   * a consumer DLQ message does not (SQS records no reason), its consumer's logs name the messageId.
   */
  readonly failure: string | undefined;
  readonly bodyExcerpt: string;
}

/** Loose on purpose: a DLQ holds whatever failed, including bodies that are not valid events. */
const eventLikeSchema = z.object({
  eventType: z.string().optional(),
  eventId: z.string().optional(),
  data: z.object({ orderId: z.string().optional() }).optional(),
});

/** Lambda's on-failure record for a stream batch (see infra/local/runtime/stream-mapping/on-failure-record.ts). */
const streamOnFailureSchema = z.object({
  requestContext: z.object({ condition: z.string(), approximateInvokeCount: z.number() }),
  responseContext: z.object({ functionError: z.string().nullable().optional() }).optional(),
  DDBStreamBatchInfo: z.object({
    shardId: z.string(),
    startSequenceNumber: z.string(),
    endSequenceNumber: z.string(),
    batchSize: z.number(),
  }),
});

const DEFAULT_EXCERPT_LENGTH = 160;

export function describeDeadLetter(message: Message, excerptLength: number = DEFAULT_EXCERPT_LENGTH): DeadLetterSummary {
  const body = message.Body ?? '';
  const parsed = parseJson(body);
  const event = eventLikeSchema.safeParse(parsed);
  const onFailure = streamOnFailureSchema.safeParse(parsed);
  const attribute = (name: string): string | undefined => message.MessageAttributes?.[name]?.StringValue;
  return {
    messageId: message.MessageId ?? '?',
    receiveCount: numberOf(message.Attributes?.ApproximateReceiveCount),
    sentAt: timestampOf(message.Attributes?.SentTimestamp),
    firstReceivedAt: timestampOf(message.Attributes?.ApproximateFirstReceiveTimestamp),
    eventType: attribute(MESSAGE_ATTRIBUTES.eventType) ?? (event.success ? event.data.eventType : undefined),
    eventId: event.success ? event.data.eventId : undefined,
    orderId: attribute(MESSAGE_ATTRIBUTES.orderId) ?? (event.success ? event.data.data?.orderId : undefined),
    failure: onFailure.success ? describeOnFailure(onFailure.data) : undefined,
    bodyExcerpt: excerpt(body, excerptLength),
  };
}

/** Whether a message concerns the order: its `orderId` attribute, or the id anywhere in its body. */
export function mentionsOrder(message: Message, orderId: string): boolean {
  return message.MessageAttributes?.[MESSAGE_ATTRIBUTES.orderId]?.StringValue === orderId || (message.Body ?? '').includes(orderId);
}

function describeOnFailure(record: z.infer<typeof streamOnFailureSchema>): string {
  const batch = record.DDBStreamBatchInfo;
  const functionError = record.responseContext?.functionError;
  return (
    `${record.requestContext.condition} after ${record.requestContext.approximateInvokeCount} invocation(s)` +
    `${functionError === undefined || functionError === null ? '' : ` (${functionError})`}: ` +
    `${batch.batchSize} record(s) of ${batch.shardId}, sequence ${batch.startSequenceNumber}…${batch.endSequenceNumber}; ` +
    're-read them from the outbox table (items still PENDING)'
  );
}

function excerpt(body: string, length: number): string {
  const flat = body.replace(/\s+/g, ' ');
  return flat.length <= length ? flat : `${flat.slice(0, Math.max(length - 1, 0))}…`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function numberOf(value: string | undefined): number | undefined {
  return value === undefined || value === '' || Number.isNaN(Number(value)) ? undefined : Number(value);
}

/** SQS system timestamps are epoch milliseconds, as strings. */
function timestampOf(value: string | undefined): string | undefined {
  const ms = numberOf(value);
  return ms === undefined ? undefined : new Date(ms).toISOString();
}
