import { createHash } from 'node:crypto';
import * as z from './zod';
import { correlationIdSchema, eventIdSchema } from './events/envelope';
import { TABLES } from './settings';

/**
 * An item of the outbox table: written by the order service in the same transaction as the order,
 * read by the relay from the table's stream, marked SENT once SNS accepted it. The relay publishes
 * `payload` verbatim, so what consumers parse is exactly what the producer validated and wrote.
 */
export const OUTBOX_STATUS = { pending: 'PENDING', sent: 'SENT' } as const;
export type OutboxStatus = (typeof OUTBOX_STATUS)[keyof typeof OUTBOX_STATUS];

export const outboxItemSchema = z.object({
  eventId: eventIdSchema,
  eventType: z.string().check(z.minLength(1)),
  eventVersion: z.string().check(z.minLength(1)),
  orderId: z.string().check(z.minLength(1)),
  correlationId: correlationIdSchema,
  status: z.enum([OUTBOX_STATUS.pending, OUTBOX_STATUS.sent]),
  /** The full event envelope, serialized once by its producer. */
  payload: z.string().check(z.minLength(2)),
  /** X-Ray trace header of the request that created the event: streams carry no trace context. */
  traceHeader: z.optional(z.string().check(z.minLength(1))),
  createdAt: z.iso.datetime(),
  /** Set when the relay marks the item SENT. */
  sentAt: z.optional(z.iso.datetime()),
  /** DynamoDB TTL, epoch seconds, set with SENT. */
  expiresAt: z.optional(z.int().check(z.positive())),
  /** Key of the sparse pending index (`TABLES.outbox.pendingIndex`): present only while PENDING. */
  pendingBucket: z.optional(z.string().check(z.minLength(1))),
});
export type OutboxItem = z.infer<typeof outboxItemSchema>;

/**
 * The pending index's partition key for an event: `PENDING#0` … `PENDING#<buckets - 1>`, the same
 * for an eventId every time, spread evenly over the buckets by a hash.
 */
export function pendingBucketOf(eventId: string): string {
  const hash = createHash('sha256').update(eventId).digest().readUInt32BE(0);
  return pendingBucketName(hash % TABLES.outbox.pendingIndex.buckets);
}

/** Every partition key value of the pending index: the sweeper queries each one. */
export function pendingBuckets(): string[] {
  return Array.from({ length: TABLES.outbox.pendingIndex.buckets }, (_, index) => pendingBucketName(index));
}

function pendingBucketName(index: number): string {
  return `${OUTBOX_STATUS.pending}#${index}`;
}
