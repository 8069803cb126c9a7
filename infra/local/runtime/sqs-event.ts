/**
 * The SQS event source mapping's two translations, kept pure: a received message into the record
 * Lambda delivers (`SQSRecord`), and a function's answer into which messages to delete.
 * (docs: lambda/latest/dg/with-sqs.html, services-sqs-errorhandling.html)
 */
import type { Message } from '@aws-sdk/client-sqs';
import type { SQSMessageAttributes, SQSRecord, SQSRecordAttributes } from 'aws-lambda';
import { MESSAGE_ATTRIBUTES } from '../../../src/common/settings';
import type { InvokeResult } from './lambda-invoker';

export interface SqsEventSource {
  readonly eventSourceARN: string;
  readonly awsRegion: string;
}

/** A ReceiveMessage answer without a field Lambda always delivers (the mapping asks for `All`). */
export class IncompleteSqsMessageError extends Error {
  constructor(field: string, messageId: string | undefined) {
    super(`ReceiveMessage returned message ${messageId ?? '(no id)'} without ${field}`);
    this.name = 'IncompleteSqsMessageError';
  }
}

function required(value: string | undefined, field: string, message: Message): string {
  if (value === undefined) throw new IncompleteSqsMessageError(field, message.MessageId);
  return value;
}

/** System attributes delivered only when the message has them (trace header, FIFO fields). */
const OPTIONAL_SYSTEM_ATTRIBUTES = [
  'AWSTraceHeader',
  'SequenceNumber',
  'MessageGroupId',
  'MessageDeduplicationId',
  'DeadLetterQueueSourceArn',
] as const;

function recordAttributes(message: Message): SQSRecordAttributes {
  const received = message.Attributes ?? {};
  const attributes: SQSRecordAttributes = {
    ApproximateReceiveCount: required(received.ApproximateReceiveCount, 'ApproximateReceiveCount', message),
    SentTimestamp: required(received.SentTimestamp, 'SentTimestamp', message),
    SenderId: required(received.SenderId, 'SenderId', message),
    ApproximateFirstReceiveTimestamp: required(
      received.ApproximateFirstReceiveTimestamp,
      'ApproximateFirstReceiveTimestamp',
      message,
    ),
  };
  for (const name of OPTIONAL_SYSTEM_ATTRIBUTES) {
    const value = received[name];
    if (value !== undefined) attributes[name] = value;
  }
  return attributes;
}

/**
 * Lambda's shape for message attributes: camelCase, binary as base64, and the list fields (reserved
 * by SQS, never filled) always present and empty.
 */
function recordMessageAttributes(message: Message): SQSMessageAttributes {
  const attributes: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    attributes[name] = {
      ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
      ...(value.BinaryValue === undefined ? {} : { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
      stringListValues: [],
      binaryListValues: [],
      dataType: value.DataType ?? 'String',
    };
  }
  return attributes;
}

/** One message as the record Lambda's SQS poller delivers it. */
export function toSqsRecord(message: Message, source: SqsEventSource): SQSRecord {
  return {
    messageId: required(message.MessageId, 'MessageId', message),
    receiptHandle: required(message.ReceiptHandle, 'ReceiptHandle', message),
    body: message.Body ?? '',
    attributes: recordAttributes(message),
    messageAttributes: recordMessageAttributes(message),
    md5OfBody: required(message.MD5OfBody, 'MD5OfBody', message),
    ...(message.MD5OfMessageAttributes === undefined ? {} : { md5OfMessageAttributes: message.MD5OfMessageAttributes }),
    eventSource: 'aws:sqs',
    eventSourceARN: source.eventSourceARN,
    awsRegion: source.awsRegion,
  };
}

/** What becomes of a batch once the function has answered. */
export type BatchSettlement =
  /** Every message is deleted. */
  | { readonly kind: 'success' }
  /** Every message but these is deleted. */
  | { readonly kind: 'partial'; readonly failedMessageIds: ReadonlySet<string> }
  /** Nothing is deleted: every message returns after its visibility timeout. */
  | { readonly kind: 'failure'; readonly reason: string };

function describeOutcome(result: Exclude<InvokeResult, { status: 'ok' }>): string {
  switch (result.status) {
    case 'error':
      return `the function failed (${result.errorType}: ${result.errorMessage})`;
    case 'timeout':
      return 'the function timed out';
    case 'crash':
      return 'the execution environment crashed';
  }
}

/**
 * The partial batch response rules: an empty or null `batchItemFailures` (or no response at all)
 * is full success; otherwise every identifier must be a non-empty messageId of this batch, or the
 * whole batch counts as failed.
 */
function settleBatchResponse(payload: unknown, messageIds: ReadonlySet<string>): BatchSettlement {
  if (payload === null || payload === undefined) return { kind: 'success' };
  if (typeof payload !== 'object' || Array.isArray(payload)) {
    return { kind: 'failure', reason: 'the response is not a batch response object' };
  }
  const failures: unknown = 'batchItemFailures' in payload ? payload.batchItemFailures : undefined;
  if (failures === null || failures === undefined) return { kind: 'success' };
  if (!Array.isArray(failures)) return { kind: 'failure', reason: 'batchItemFailures is not a list' };
  if (failures.length === 0) return { kind: 'success' };
  const failedMessageIds = new Set<string>();
  for (const failure of failures) {
    const identifier: unknown =
      typeof failure === 'object' && failure !== null && 'itemIdentifier' in failure ? failure.itemIdentifier : undefined;
    if (typeof identifier !== 'string' || identifier === '') {
      return { kind: 'failure', reason: 'a batch item failure has a null or empty itemIdentifier' };
    }
    if (!messageIds.has(identifier)) {
      return { kind: 'failure', reason: `itemIdentifier ${identifier} is not a messageId of the batch` };
    }
    failedMessageIds.add(identifier);
  }
  return { kind: 'partial', failedMessageIds };
}

/**
 * Which messages of a batch the mapping deletes. A function error, a timeout or a crash deletes
 * nothing; success deletes everything, or, with `ReportBatchItemFailures`, everything the
 * response does not name.
 */
export function settleBatch(
  result: InvokeResult,
  messageIds: ReadonlySet<string>,
  reportBatchItemFailures: boolean,
): BatchSettlement {
  if (result.status !== 'ok') return { kind: 'failure', reason: describeOutcome(result) };
  return reportBatchItemFailures ? settleBatchResponse(result.payload, messageIds) : { kind: 'success' };
}

/**
 * The producers' trace headers of a batch, which the invocation's function segment links to. On
 * AWS, Lambda reads SQS's `AWSTraceHeader` system attribute, which SNS sets from the publish
 * request's `X-Amzn-Trace-Id`. fauxqs accepts and drops `AWSTraceHeader`, and its SNS sets none, so
 * locally the carrier is the pipeline's own `traceHeader` message attribute, which every publisher
 * of the pipeline sets beside the request header (TracedEventPublisher). It is read first;
 * `AWSTraceHeader` where a message has no attribute.
 */
export function traceHeadersOf(records: readonly SQSRecord[]): string[] {
  const headers: string[] = [];
  for (const record of records) {
    const header = record.messageAttributes[MESSAGE_ATTRIBUTES.traceHeader]?.stringValue ?? record.attributes.AWSTraceHeader;
    if (header !== undefined && !headers.includes(header)) headers.push(header);
  }
  return headers;
}
