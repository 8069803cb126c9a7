import type { InvokeResult } from '../lambda-invoker';

/** What an invocation means for the batch, in the terms of the stream event source mapping. */
export type BatchOutcome =
  | { readonly kind: 'success' }
  /** The function reported failures; `failedSequenceNumber` is the lowest one, where Lambda resumes. */
  | { readonly kind: 'partialFailure'; readonly failedSequenceNumber: string; readonly reportedCount: number }
  /** The whole batch failed: a function error, a timeout, a crash, or an unusable failure report. */
  | { readonly kind: 'failure'; readonly reason: string };

/** The `responseContext` Lambda writes into an on-failure record about the last invocation. */
export interface FunctionResponse {
  readonly statusCode: number;
  readonly executedVersion: string;
  /** `Unhandled` for an error, a timeout or a crash; null when the function answered normally. */
  readonly functionError: string | null;
}

export interface InterpretedInvocation {
  readonly outcome: BatchOutcome;
  readonly response: FunctionResponse;
}

/**
 * Reads an invocation's result the way Lambda reads it for a stream
 * (lambda/latest/dg/services-ddb-batchfailurereporting.html): with `ReportBatchItemFailures`, an
 * empty or null `batchItemFailures` (or no response at all) is a success; an entry whose
 * `itemIdentifier` is null, empty or not a sequence number of the batch fails the whole batch;
 * otherwise the lowest reported sequence number is where processing resumes. A synchronous Invoke
 * answers 200 even when the function failed: the failure is the `Unhandled` function error.
 */
export function interpretInvokeResult(
  result: InvokeResult,
  batchSequenceNumbers: readonly string[],
  reportBatchItemFailures: boolean,
): InterpretedInvocation {
  const response: FunctionResponse = {
    statusCode: 200,
    executedVersion: '$LATEST',
    functionError: result.status === 'ok' ? null : 'Unhandled',
  };
  switch (result.status) {
    case 'ok':
      return {
        outcome: reportBatchItemFailures ? readBatchItemFailures(result.payload, batchSequenceNumbers) : { kind: 'success' },
        response,
      };
    case 'error':
      return { outcome: { kind: 'failure', reason: `${result.errorType}: ${result.errorMessage}` }, response };
    case 'timeout':
      return { outcome: { kind: 'failure', reason: 'timeout' }, response };
    case 'crash':
      return {
        outcome: { kind: 'failure', reason: `crash (${result.signal ?? `exit code ${result.exitCode ?? '-'}`})` },
        response,
      };
  }
}

function readBatchItemFailures(payload: unknown, batchSequenceNumbers: readonly string[]): BatchOutcome {
  if (typeof payload !== 'object' || payload === null) return { kind: 'success' };
  const failures = (payload as Record<string, unknown>).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'success' };
  if (!Array.isArray(failures)) return { kind: 'failure', reason: 'batchItemFailures is not a list' };
  if (failures.length === 0) return { kind: 'success' };

  const inBatch = new Set(batchSequenceNumbers);
  let lowest: string | undefined;
  for (const failure of failures as unknown[]) {
    const identifier =
      typeof failure === 'object' && failure !== null ? (failure as Record<string, unknown>).itemIdentifier : undefined;
    if (typeof identifier !== 'string' || identifier === '' || !inBatch.has(identifier)) {
      return { kind: 'failure', reason: `batchItemFailures has an unusable itemIdentifier (${JSON.stringify(identifier) ?? 'none'})` };
    }
    if (lowest === undefined || BigInt(identifier) < BigInt(lowest)) lowest = identifier;
  }
  return { kind: 'partialFailure', failedSequenceNumber: lowest as string, reportedCount: failures.length };
}
