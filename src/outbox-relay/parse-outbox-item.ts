import * as z from '../common/zod';
import { InvalidEventError } from '../common/errors';
import { correlationIdSchema, eventIdSchema } from '../common/events/envelope';
import { outboxItemSchema, type OutboxItem } from '../common/outbox-item';
import { parseEventBody, toValidationIssues } from '../common/validation';

/** The parts of the serialized envelope that must agree with the item it is published from. */
const payloadEnvelopeSchema = z.object({
  eventId: eventIdSchema,
  eventType: z.string(),
  eventVersion: z.string(),
  correlationId: correlationIdSchema,
});

/**
 * Validates an item against the outbox contract and checks that its payload is the envelope it
 * claims to be: SNS subscriptions route on the attributes taken from the item, so an item whose
 * attributes disagree with its payload would deliver an event to the wrong consumers. The payload
 * itself is not checked against its event's schema: the producer validated it, every consumer
 * validates it, and the relay stays independent of event versions.
 */
export function parseOutboxItem(value: unknown): OutboxItem {
  const result = outboxItemSchema.safeParse(value);
  if (!result.success) {
    throw new InvalidEventError('Outbox item does not match the outbox contract', toValidationIssues(result.error));
  }
  const item = result.data;
  const envelope = parseEventBody(item.payload, payloadEnvelopeSchema);
  const mismatched = (['eventId', 'eventType', 'eventVersion', 'correlationId'] as const).filter(
    (field) => envelope[field] !== item[field],
  );
  if (mismatched.length > 0) {
    throw new InvalidEventError(`Outbox item payload disagrees with the item on ${mismatched.join(', ')}`);
  }
  return item;
}
