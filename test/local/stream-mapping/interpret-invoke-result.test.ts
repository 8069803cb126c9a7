import type { InvokeResult } from '../../../infra/local/runtime/lambda-invoker';
import { interpretInvokeResult } from '../../../infra/local/runtime/stream-mapping/interpret-invoke-result';
import { batchItemFailures, errorResult, okResult, sequenceNumber } from './stream-fixtures';

const BATCH = [sequenceNumber(8), sequenceNumber(9), sequenceNumber(10)];

describe('interpretInvokeResult', () => {
  it.each([
    ['no response', okResult(undefined)],
    ['a null response', okResult(null)],
    ['an empty response', okResult({})],
    ['a null batchItemFailures', okResult({ batchItemFailures: null })],
    ['an empty batchItemFailures', okResult({ batchItemFailures: [] })],
  ])('reads %s as a success', (_case, result) => {
    // Act
    const { outcome, response } = interpretInvokeResult(result, BATCH, true);

    // Assess
    expect(outcome).toEqual({ kind: 'success' });
    expect(response).toEqual({ statusCode: 200, executedVersion: '$LATEST', functionError: null });
  });

  it('resumes at the lowest reported sequence number, comparing them as numbers', () => {
    // Prepare: "10" sorts before "9" as text, not as a sequence number.
    const result = okResult(batchItemFailures('10', '9'));

    // Act
    const { outcome } = interpretInvokeResult(result, ['8', '9', '10'], true);

    // Assess
    expect(outcome).toEqual({ kind: 'partialFailure', failedSequenceNumber: '9', reportedCount: 2 });
  });

  it.each([
    ['an empty identifier', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['a null identifier', { batchItemFailures: [{ itemIdentifier: null }] }],
    ['a misspelt key', { batchItemFailures: [{ itemIdentifer: sequenceNumber(9) }] }],
    ['a sequence number from outside the batch', { batchItemFailures: [{ itemIdentifier: sequenceNumber(11) }] }],
    ['a batchItemFailures that is not a list', { batchItemFailures: 'all' }],
  ])('fails the whole batch on %s', (_case, payload) => {
    // Act
    const { outcome } = interpretInvokeResult(okResult(payload), BATCH, true);

    // Assess
    expect(outcome.kind).toBe('failure');
  });

  it.each<[string, InvokeResult]>([
    ['a function error', errorResult()],
    ['a timeout', { status: 'timeout', durationMs: 3000 }],
    ['a crashed environment', { status: 'crash', exitCode: null, signal: 'SIGKILL', durationMs: 10 }],
  ])('fails the whole batch on %s, as an Unhandled function error', (_case, result) => {
    // Act
    const { outcome, response } = interpretInvokeResult(result, BATCH, true);

    // Assess
    expect(outcome.kind).toBe('failure');
    expect(response).toEqual({ statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' });
  });

  it('ignores reported failures when ReportBatchItemFailures is off', () => {
    // Act
    const { outcome } = interpretInvokeResult(okResult(batchItemFailures(BATCH[0]!)), BATCH, false);

    // Assess
    expect(outcome).toEqual({ kind: 'success' });
  });
});
