import { formatIssues, PipelineError, type ValidationIssue } from '../../common/errors';

/**
 * The order service's named errors. The API maps each to a status code in one place
 * (`handlers/http-errors.ts`); the order-status consumer lets every one of them propagate, so the
 * message is retried and then dead-lettered.
 */

/** A request (body, path or header) that breaks the order rules; names every offending field. */
export class ValidationError extends PipelineError {
  constructor(readonly issues: readonly ValidationIssue[]) {
    super(`The request is invalid: ${formatIssues(issues)}`);
  }
}

/** No order has this id. For the consumer a technical failure: the order is written before its event exists. */
export class OrderNotFoundError extends PipelineError {
  constructor(readonly orderId: string) {
    super(`Order ${orderId} does not exist`);
  }
}

/** An Idempotency-Key already claimed by a request with a different body. */
export class IdempotencyKeyReusedError extends PipelineError {
  constructor(readonly idempotencyKey: string) {
    super('This Idempotency-Key was already used with a different request');
  }
}

/** A dependency (the database) is throttled, unavailable or unreachable: retrying later may succeed. */
export class DependencyUnavailableError extends PipelineError {
  // Public, where PipelineError's constructor is protected.
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}
