import type { InvokeResult } from './lambda-invoker';

/** What an ok payload says about the batch or the request, when it says anything. */
function okDetail(payload: unknown, batchSize: number | undefined): string {
  if (typeof payload !== 'object' || payload === null) return '';
  if ('batchItemFailures' in payload && Array.isArray(payload.batchItemFailures)) {
    const failed = payload.batchItemFailures.length;
    return failed === 0 ? '' : ` (${failed} of ${batchSize ?? '?'} reported failed)`;
  }
  if ('statusCode' in payload && (typeof payload.statusCode === 'number' || typeof payload.statusCode === 'string')) {
    return ` (HTTP ${payload.statusCode})`;
  }
  return '';
}

function outcomeOf(result: InvokeResult, batchSize: number | undefined, timeoutSeconds: number): string {
  switch (result.status) {
    case 'ok':
      return `ok${okDetail(result.payload, batchSize)}`;
    case 'error':
      return `error ${result.errorType}: ${result.errorMessage}`;
    case 'timeout':
      return `timeout: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;
    case 'crash':
      return `crash: environment exited (${result.signal ?? `code ${result.exitCode ?? '-'}`})`;
  }
}

/**
 * One line per invocation: `λ Payment batch=5 ok (2 of 5 reported failed) 41 ms, cold start 212 ms`.
 * Multi-line error messages are folded so the line stays one line.
 */
export function formatInvocationLine(
  functionName: string,
  batchSize: number | undefined,
  result: InvokeResult,
  timeoutSeconds: number,
): string {
  const batch = batchSize === undefined ? '' : ` batch=${batchSize}`;
  const cold = result.initDurationMs === undefined ? '' : `, cold start ${result.initDurationMs} ms`;
  const outcome = outcomeOf(result, batchSize, timeoutSeconds).replace(/\s*\n\s*/g, ' ');
  return `λ ${functionName}${batch} ${outcome} ${result.durationMs} ms${cold}`;
}
