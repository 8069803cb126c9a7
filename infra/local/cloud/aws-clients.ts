/**
 * SDK clients for the local cloud: the emulators' endpoints, the local region, and the fixed local
 * credentials (DynamoDB Local runs with `-sharedDb`, so any key would do, but one set keeps every
 * client and every log line alike).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local-settings';
import { LocalDynamoDbStreamsClient } from './local-dynamodb-streams-client';

/** Where the emulators answer. fauxqs serves SNS and SQS on one endpoint. */
export interface LocalEndpoints {
  readonly dynamodb: string;
  readonly snsSqs: string;
}

export interface LocalClientOptions {
  /** SDK attempts per call (default 3). Readiness probes use 1 so a dead endpoint fails fast. */
  readonly maxAttempts?: number;
  /** Per-request socket timeout; unset, a long poll or a slow transaction is never cut short. */
  readonly requestTimeoutMs?: number;
}

function clientConfig(endpoint: string, options: LocalClientOptions) {
  return {
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: options.maxAttempts ?? 3,
    // Without throwOnRequestTimeout, @smithy/node-http-handler only logs when requestTimeout passes
    // and goes on waiting: a probe of a hung emulator would never end.
    requestHandler:
      options.requestTimeoutMs === undefined
        ? undefined
        : { connectionTimeout: options.requestTimeoutMs, requestTimeout: options.requestTimeoutMs, throwOnRequestTimeout: true },
  };
}

export function createLocalDynamoDbClient(endpoints: LocalEndpoints, options: LocalClientOptions = {}): DynamoDBClient {
  return new DynamoDBClient(clientConfig(endpoints.dynamodb, options));
}

/**
 * DynamoDB Local serves the Streams API on its own endpoint. `@aws-sdk/client-dynamodb-streams`
 * is not a dependency of this project, so this is a minimal client for the four read calls.
 */
export function createLocalDynamoDbStreamsClient(
  endpoints: LocalEndpoints,
  options: Pick<LocalClientOptions, 'requestTimeoutMs'> = {},
): LocalDynamoDbStreamsClient {
  return new LocalDynamoDbStreamsClient({
    endpoint: endpoints.dynamodb,
    region: LOCAL_REGION,
    accessKeyId: LOCAL_CREDENTIALS.accessKeyId,
    requestTimeoutMs: options.requestTimeoutMs,
  });
}

export function createLocalSnsClient(endpoints: LocalEndpoints, options: LocalClientOptions = {}): SNSClient {
  return new SNSClient(clientConfig(endpoints.snsSqs, options));
}

export function createLocalSqsClient(endpoints: LocalEndpoints, options: LocalClientOptions = {}): SQSClient {
  return new SQSClient(clientConfig(endpoints.snsSqs, options));
}

/**
 * The environment that points any AWS SDK v3 client (a handler's included) at the local cloud
 * through the SDK's service-specific endpoint variables, so handler code never knows where it runs.
 */
export function localAwsEnvironment(endpoints: LocalEndpoints): Record<string, string> {
  return {
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_DYNAMODB_STREAMS: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SNS: endpoints.snsSqs,
    AWS_ENDPOINT_URL_SQS: endpoints.snsSqs,
  };
}
