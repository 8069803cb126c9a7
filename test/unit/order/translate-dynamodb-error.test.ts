import {
  ConditionalCheckFailedException,
  InternalServerError,
  ProvisionedThroughputExceededException,
  RequestLimitExceeded,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { isTransientDynamoDbError, translateDynamoDbError } from '../../../src/order/adapters/translate-dynamodb-error';
import { DependencyUnavailableError } from '../../../src/order/domain/errors';

function named(name: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(name), { name, ...extra });
}

function networkError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:8000`), { code });
}

describe('isTransientDynamoDbError', () => {
  it.each([
    ['throttling', new ProvisionedThroughputExceededException({ message: 'throttled', $metadata: {} })],
    ['the request limit', new RequestLimitExceeded({ message: 'limit', $metadata: {} })],
    ['an internal server error', new InternalServerError({ message: 'boom', $metadata: {} })],
    ['ThrottlingException', named('ThrottlingException')],
    ['ServiceUnavailable', named('ServiceUnavailable')],
    ['a request timeout', named('TimeoutError')],
    ['a refused connection', networkError('ECONNREFUSED')],
    ['a reset connection', networkError('ECONNRESET')],
    ['an unresolvable host', networkError('ENOTFOUND')],
    ['an HTTP 503', named('UnknownError', { $metadata: { httpStatusCode: 503 } })],
    ['a wrapped network error', new Error('request failed', { cause: networkError('ETIMEDOUT') })],
    [
      'a transaction conflict',
      new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }] }),
    ],
  ])('treats %s as transient', (_name, error) => {
    // Act
    const transient = isTransientDynamoDbError(error);

    // Assess
    expect(transient).toBe(true);
  });

  it.each([
    ['a failed condition', new ConditionalCheckFailedException({ message: 'failed', $metadata: {} })],
    [
      'a cancellation by a condition',
      new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'TransactionConflict' }],
      }),
    ],
    ['a validation error', named('ValidationException', { $metadata: { httpStatusCode: 400 } })],
    ['a programming error', new TypeError('x is undefined')],
    ['a non-error', 'ECONNREFUSED'],
  ])('treats %s as permanent', (_name, error) => {
    // Act
    const transient = isTransientDynamoDbError(error);

    // Assess
    expect(transient).toBe(false);
  });
});

describe('translateDynamoDbError', () => {
  it('wraps a transient error, keeping it as the cause', () => {
    // Prepare
    const error = networkError('ECONNREFUSED');

    // Act
    const translated = translateDynamoDbError(error);

    // Assess
    expect(translated).toBeInstanceOf(DependencyUnavailableError);
    expect(translated).toMatchObject({ cause: error });
  });

  it('returns a permanent error unchanged', () => {
    // Prepare
    const error = new TypeError('x is undefined');

    // Act
    const translated = translateDynamoDbError(error);

    // Assess
    expect(translated).toBe(error);
  });
});
