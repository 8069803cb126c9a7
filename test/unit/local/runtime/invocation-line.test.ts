import { formatInvocationLine } from '../../../../infra/local/runtime/invocation-line';

describe('formatInvocationLine', () => {
  it('names the function, the batch, the reported failures and the cold start', () => {
    // Act
    const line = formatInvocationLine(
      'Payment',
      5,
      { status: 'ok', payload: { batchItemFailures: [{ itemIdentifier: 'm-1' }] }, durationMs: 41, initDurationMs: 212 },
      3,
    );

    // Assess
    expect(line).toBe('λ Payment batch=5 ok (1 of 5 reported failed) 41 ms, cold start 212 ms');
  });

  it('says a timeout the way Lambda logs it and keeps a multi-line error on one line', () => {
    // Act
    const timeout = formatInvocationLine('OrderApi', undefined, { status: 'timeout', durationMs: 3001 }, 3);
    const error = formatInvocationLine(
      'OrderApi',
      undefined,
      { status: 'error', errorType: 'Error', errorMessage: 'first\nsecond', durationMs: 2 },
      3,
    );

    // Assess
    expect(timeout).toBe('λ OrderApi timeout: Task timed out after 3.00 seconds 3001 ms');
    expect(error).toBe('λ OrderApi error Error: first second 2 ms');
  });
});
