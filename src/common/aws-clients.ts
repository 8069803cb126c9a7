import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { tracer } from './observability';

/**
 * Socket limits for every SDK client of the pipeline. The SDK's defaults have none: a dependency
 * that accepts the connection and never answers holds the call until the function times out, and
 * a timed-out invocation fails its whole batch, healthy neighbours included. With a limit, the one
 * hung call fails (and the SDK retries it), and the record is reported as one batch item failure.
 * DynamoDB and SNS answer in milliseconds; 3 attempts × 3 s stay well inside a 15 s consumer timeout.
 * `throwOnRequestTimeout`: without it @smithy/node-http-handler only logs when `requestTimeout`
 * passes and goes on waiting.
 */
export const REQUEST_TIMEOUTS = { connectionTimeout: 1_000, requestTimeout: 3_000, throwOnRequestTimeout: true } as const;

/**
 * SDK clients, built once per execution environment and traced. Endpoints come from the SDK's own
 * configuration (`AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_SNS`), so handlers never know
 * whether they run on AWS or on the local stack.
 */
export function createDocumentClient(client: DynamoDBClient = new DynamoDBClient({ requestHandler: REQUEST_TIMEOUTS })): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(tracer.captureAWSv3Client(client), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

export function createSnsClient(client: SNSClient = new SNSClient({ requestHandler: REQUEST_TIMEOUTS })): SNSClient {
  return tracer.captureAWSv3Client(client);
}
