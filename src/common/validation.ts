import type * as z from './zod';
import { InvalidEventError, type ValidationIssue } from './errors';

/** zod issues as `{ path, message }`, the shape the API and the logs report. */
export function toValidationIssues(error: z.core.$ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

/**
 * Parses a message body (an SQS body, a stored payload) against an event contract. A body that is
 * not JSON or breaks the contract is a technical failure: the message is retried, then dead-lettered.
 */
export function parseEventBody<TSchema extends z.ZodMiniType>(body: string, schema: TSchema): z.infer<TSchema> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new InvalidEventError('Message body is not valid JSON');
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    throw new InvalidEventError('Message body does not match the event contract', toValidationIssues(result.error));
  }
  return result.data;
}
