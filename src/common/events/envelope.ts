import * as z from '../zod';
import type { EventSource, EventType } from './event-types';

/**
 * The envelope every event shares. Each event module defines its `data` and pins its type,
 * version and source as literals, so a consumer rejects an event it was not written for
 * (an unknown version is a technical failure: retried, then dead-lettered).
 *
 * Unknown properties are stripped, not rejected: a producer may add optional fields to a version
 * without breaking its consumers; anything else needs a new version.
 */
export const eventIdSchema = z.string().check(z.minLength(1), z.maxLength(256));
export const correlationIdSchema = z.string().check(z.minLength(1), z.maxLength(256));

export interface EventDefinition<
  TType extends EventType,
  TVersion extends string,
  TSource extends EventSource,
  TData extends z.ZodMiniObject,
> {
  readonly eventType: TType;
  readonly eventVersion: TVersion;
  readonly source: TSource;
  readonly schema: z.ZodMiniObject<{
    eventId: typeof eventIdSchema;
    eventType: z.ZodMiniLiteral<TType>;
    eventVersion: z.ZodMiniLiteral<TVersion>;
    source: z.ZodMiniLiteral<TSource>;
    occurredAt: z.ZodMiniISODateTime;
    correlationId: typeof correlationIdSchema;
    data: TData;
  }>;
}

export function defineEvent<
  TType extends EventType,
  TVersion extends string,
  TSource extends EventSource,
  TData extends z.ZodMiniObject,
>(definition: {
  eventType: TType;
  eventVersion: TVersion;
  source: TSource;
  data: TData;
}): EventDefinition<TType, TVersion, TSource, TData> {
  const { eventType, eventVersion, source, data } = definition;
  return {
    eventType,
    eventVersion,
    source,
    schema: z.object({
      eventId: eventIdSchema,
      eventType: z.literal(eventType),
      eventVersion: z.literal(eventVersion),
      source: z.literal(source),
      occurredAt: z.iso.datetime(),
      correlationId: correlationIdSchema,
      data,
    }),
  };
}

/** What a producer supplies; the definition supplies type, version and source. */
export interface EventFields<TData> {
  eventId: string;
  occurredAt: string;
  correlationId: string;
  data: TData;
}

/** Builds an event and validates it against its own contract, so nothing invalid is ever written. */
export function createEvent<
  TType extends EventType,
  TVersion extends string,
  TSource extends EventSource,
  TData extends z.ZodMiniObject,
>(
  definition: EventDefinition<TType, TVersion, TSource, TData>,
  fields: EventFields<z.input<TData>>,
): z.infer<EventDefinition<TType, TVersion, TSource, TData>['schema']> {
  return definition.schema.parse({
    eventId: fields.eventId,
    eventType: definition.eventType,
    eventVersion: definition.eventVersion,
    source: definition.source,
    occurredAt: fields.occurredAt,
    correlationId: fields.correlationId,
    data: fields.data,
  });
}
