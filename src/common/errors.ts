/**
 * The root of every named error in the pipeline. Each subclass is either a business error that a
 * primary adapter maps to a response, or a technical failure that a consumer lets propagate so
 * the message is retried and, after `maxReceiveCount` receives, dead-lettered.
 */
export abstract class PipelineError extends Error {
  protected constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

export interface ValidationIssue {
  /** Dotted path of the offending field, e.g. `items.0.price`; empty for the whole value. */
  readonly path: string;
  readonly message: string;
}

/** A message whose body is not a valid event of the expected contract: a technical failure. */
export class InvalidEventError extends PipelineError {
  constructor(
    message: string,
    readonly issues: readonly ValidationIssue[] = [],
  ) {
    super(issues.length === 0 ? message : `${message}: ${formatIssues(issues)}`);
  }
}

/** The seed article's `simulateTechnicalFailure`: the named service fails as if a dependency broke. */
export class SimulatedTechnicalFailureError extends PipelineError {
  constructor(service: string, orderId: string) {
    super(`Simulated technical failure in ${service} for order ${orderId}`);
  }
}

/** SNS refused an event (an entry of `PublishBatch`'s `Failed[]`). */
export class PublishFailedError extends PipelineError {
  constructor(
    readonly eventId: string,
    readonly code: string,
    detail: string,
  ) {
    super(`Publishing event ${eventId} failed (${code}): ${detail}`);
  }
}

export function formatIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((issue) => (issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`)).join('; ');
}
