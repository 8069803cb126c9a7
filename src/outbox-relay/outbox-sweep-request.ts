import * as z from '../common/zod';
import { InvalidEventError } from '../common/errors';
import { toValidationIssues } from '../common/validation';

/**
 * What a scheduled run of the sweeper receives: the EventBridge rule's constant input. The local
 * runtime's schedule sends the same request with the threshold scaled by LOCAL_TIME_SCALE, so the
 * function's environment stays identical on both stacks. Other fields are ignored, so a plain
 * EventBridge scheduled event (a console test invocation) runs with the default threshold.
 */
export const outboxSweepRequestSchema = z.object({
  /** Overrides `OUTBOX_SWEEPER.pendingThresholdSeconds`. */
  pendingThresholdSeconds: z.optional(z.number().check(z.positive())),
});
export type OutboxSweepRequest = z.infer<typeof outboxSweepRequestSchema>;

export function parseOutboxSweepRequest(event: unknown): OutboxSweepRequest {
  const result = outboxSweepRequestSchema.safeParse(event);
  if (!result.success) {
    throw new InvalidEventError('Sweep request is invalid', toValidationIssues(result.error));
  }
  return result.data;
}
