import type { Context, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import type { PipelineEvent } from '../../src/common/events';
import { MESSAGE_ATTRIBUTES } from '../../src/common/settings';

const QUEUE_ARN = 'arn:aws:sqs:us-east-1:123456789012:test-queue';
let nextMessage = 0;

/** An SQS record as the Lambda event source mapping delivers it; every field can be overridden. */
export function sqsRecord(overrides: Partial<SQSRecord> = {}): SQSRecord {
  nextMessage += 1;
  return {
    messageId: `message-${nextMessage}`,
    receiptHandle: `receipt-${nextMessage}`,
    body: '{}',
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1782986400000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1782986400100',
    },
    messageAttributes: {},
    md5OfBody: 'd41d8cd98f00b204e9800998ecf8427e',
    eventSource: 'aws:sqs',
    eventSourceARN: QUEUE_ARN,
    awsRegion: 'us-east-1',
    ...overrides,
  };
}

/**
 * The record an SNS subscription with raw message delivery puts on a queue: the event JSON as the
 * body and the SNS message attributes as SQS message attributes.
 */
export function sqsRecordOf(event: PipelineEvent, overrides: Partial<SQSRecord> & { traceHeader?: string } = {}): SQSRecord {
  const { traceHeader, ...recordOverrides } = overrides;
  const attributes: Record<string, string> = {
    [MESSAGE_ATTRIBUTES.eventType]: event.eventType,
    [MESSAGE_ATTRIBUTES.eventVersion]: event.eventVersion,
    [MESSAGE_ATTRIBUTES.correlationId]: event.correlationId,
    [MESSAGE_ATTRIBUTES.orderId]: event.data.orderId,
    ...(traceHeader === undefined ? {} : { [MESSAGE_ATTRIBUTES.traceHeader]: traceHeader }),
  };
  return sqsRecord({ body: JSON.stringify(event), messageAttributes: stringAttributes(attributes), ...recordOverrides });
}

export function sqsEvent(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

export function lambdaContext(overrides: Partial<Context> = {}): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'test-function',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:test-function',
    memoryLimitInMB: '256',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: '/aws/lambda/test-function',
    logStreamName: '2026/07/02/[$LATEST]abcdef',
    getRemainingTimeInMillis: () => 15_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    ...overrides,
  };
}

function stringAttributes(values: Record<string, string>): SQSMessageAttributes {
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => [
      name,
      { dataType: 'String', stringValue: value, stringListValues: [], binaryListValues: [] },
    ]),
  );
}
