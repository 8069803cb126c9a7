import { isTransactionCanceled } from '../../common/dynamodb-errors';
import { DependencyUnavailableError } from '../domain/errors';

/** Errors DynamoDB (or the SDK on its behalf) raises when trying again later may succeed. */
const TRANSIENT_ERROR_NAMES: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServerError',
  'InternalFailure',
  'TransactionInProgressException',
  // The SDK's request handler: `connectionTimeout` / `requestTimeout` elapsed.
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

/** Node.js socket error codes: the database could not be reached. */
const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** CancellationReasons codes of a transaction that may succeed when retried. */
const TRANSIENT_CANCELLATION_CODES: ReadonlySet<string> = new Set([
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
  'RequestLimitExceeded',
  // Another transaction was writing one of the items at the same moment.
  'TransactionConflict',
]);

export function isTransientDynamoDbError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (TRANSIENT_ERROR_NAMES.has(error.name)) return true;
  if ('code' in error && typeof error.code === 'string' && NETWORK_ERROR_CODES.has(error.code)) return true;
  if ('$metadata' in error && isServerStatus(error.$metadata)) return true;
  if (isTransactionCanceled(error)) {
    const codes = (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
    return codes.some((code) => TRANSIENT_CANCELLATION_CODES.has(code)) && !codes.includes('ConditionalCheckFailed');
  }
  return error.cause !== undefined && isTransientDynamoDbError(error.cause);
}

function isServerStatus(metadata: unknown): boolean {
  return (
    typeof metadata === 'object' &&
    metadata !== null &&
    'httpStatusCode' in metadata &&
    typeof metadata.httpStatusCode === 'number' &&
    metadata.httpStatusCode >= 500
  );
}

/**
 * What an adapter rethrows: a transient failure becomes a DependencyUnavailableError (the API
 * answers 503 and the client retries; a consumer's message is retried), anything else is
 * rethrown unchanged. The original error is kept as `cause` for the logs.
 */
export function translateDynamoDbError(error: unknown): unknown {
  if (!isTransientDynamoDbError(error)) return error;
  const detail = error instanceof Error ? error.name : 'UnknownError';
  return new DependencyUnavailableError(`The database is unavailable (${detail})`, { cause: error });
}

/** Runs one DynamoDB call, translating its failure as `translateDynamoDbError` does. */
export async function withDependencyErrors<TResult>(operation: () => Promise<TResult>): Promise<TResult> {
  try {
    return await operation();
  } catch (error) {
    throw translateDynamoDbError(error);
  }
}
