/**
 * Requests to the emulators in their wire protocols, built by hand and sent by the tight client:
 * DynamoDB and DynamoDB Streams (JSON 1.0, `X-Amz-Target`), SQS (JSON 1.0, `AmazonSQS.*`) and SNS
 * (Query, `Action=`). The emulators do not check signatures, so a well-formed Authorization header
 * with a dummy signature is enough, and the client saves the SDK's signing and serialization.
 */
import type { HttpClient } from './http-client';

const AMZ_DATE = '20260101T000000Z';

function authorization(service: string): string {
  return `AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=00`;
}

function jsonHeaders(target: string, service: string): Record<string, string> {
  return {
    'content-type': 'application/x-amz-json-1.0',
    'x-amz-target': target,
    'x-amz-date': AMZ_DATE,
    authorization: authorization(service),
  };
}

export class EmulatorRequestError extends Error {
  constructor(action: string, status: number, body: string) {
    super(`${action} answered HTTP ${status}: ${body.slice(0, 300)}`);
    this.name = 'EmulatorRequestError';
  }
}

export interface RawCallOptions {
  /** Treat these error types (`__type` suffix) as answers rather than failures (a refused condition). */
  readonly acceptErrors?: readonly string[];
}

async function jsonCall(
  client: HttpClient,
  target: string,
  service: string,
  body: string,
  options: RawCallOptions = {},
): Promise<Record<string, unknown>> {
  const response = await client.request('POST', '/', jsonHeaders(target, service), body);
  if (response.status >= 200 && response.status < 300) {
    return response.body === '' ? {} : (JSON.parse(response.body) as Record<string, unknown>);
  }
  const accepted = options.acceptErrors ?? [];
  if (accepted.length > 0 && accepted.some((type) => response.body.includes(type))) return {};
  throw new EmulatorRequestError(target, response.status, response.body);
}

/** A DynamoDB API call (`TransactWriteItems`, `PutItem`, …) with a JSON body already serialized. */
export function dynamoDbCall(client: HttpClient, action: string, body: string, options?: RawCallOptions): Promise<Record<string, unknown>> {
  return jsonCall(client, `DynamoDB_20120810.${action}`, 'dynamodb', body, options);
}

/** A DynamoDB Streams call (`GetRecords`, `GetShardIterator`, `DescribeStream`). */
export function dynamoDbStreamsCall(client: HttpClient, action: string, body: string): Promise<Record<string, unknown>> {
  return jsonCall(client, `DynamoDBStreams_20120810.${action}`, 'dynamodb', body);
}

/** An SQS call in the JSON protocol the current SDK speaks (`ReceiveMessage`, `DeleteMessageBatch`, …). */
export function sqsCall(client: HttpClient, action: string, body: string): Promise<Record<string, unknown>> {
  return jsonCall(client, `AmazonSQS.${action}`, 'sqs', body);
}

export interface SnsBatchEntry {
  readonly message: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** The Query-protocol body of an SNS PublishBatch. */
export function publishBatchBody(topicArn: string, entries: readonly SnsBatchEntry[]): string {
  const parameters = new URLSearchParams({ Action: 'PublishBatch', Version: '2010-03-31', TopicArn: topicArn });
  entries.forEach((entry, index) => {
    const member = `PublishBatchRequestEntries.member.${index + 1}`;
    parameters.set(`${member}.Id`, `entry-${index}`);
    parameters.set(`${member}.Message`, entry.message);
    Object.entries(entry.attributes).forEach(([name, value], attributeIndex) => {
      const attribute = `${member}.MessageAttributes.entry.${attributeIndex + 1}`;
      parameters.set(`${attribute}.Name`, name);
      parameters.set(`${attribute}.Value.DataType`, 'String');
      parameters.set(`${attribute}.Value.StringValue`, value);
    });
  });
  return parameters.toString();
}

/** An SNS call in the Query protocol; answers the XML body. */
export async function snsCall(client: HttpClient, body: string): Promise<string> {
  const response = await client.request(
    'POST',
    '/',
    {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      'x-amz-date': AMZ_DATE,
      authorization: authorization('sns'),
    },
    body,
  );
  if (response.status < 200 || response.status >= 300) throw new EmulatorRequestError('SNS', response.status, response.body);
  return response.body;
}
