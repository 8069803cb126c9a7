import { countOutcome } from './business-metrics';
import { OrderCreatedV1, type OrderCreated } from './events';
import { logger } from './observability';
import type { OutcomeOnceOptions, OutcomeOnceResult, StoredOutcome } from './outcome-once';
import { createSqsBatchHandler } from './sqs-batch-handler';
import { traceHeaderOf } from './trace-header';
import { annotateEvent } from './tracing';
import { parseEventBody } from './validation';

export interface OrderCreatedConsumer {
  /** Logged before the work, so a record that times out still has a line naming its order. */
  readonly starting: string;
  /** Logged once the outcome is published. */
  readonly published: string;
  /** The service's use case: decide once, store, publish the stored outcome. */
  readonly handle: (orderCreated: OrderCreated, options: OutcomeOnceOptions) => Promise<OutcomeOnceResult<StoredOutcome>>;
}

/**
 * The SQS handler of a service that answers each OrderCreated with one outcome event (payment,
 * inventory): parse the raw SNS delivery, name the event in traces and logs, run the use case,
 * count and log what it published. Everything service-specific is in `handle`.
 */
export function createOrderCreatedHandler({ starting, published, handle }: OrderCreatedConsumer): ReturnType<typeof createSqsBatchHandler> {
  return createSqsBatchHandler(async (record) => {
    const orderCreated = parseEventBody(record.body, OrderCreatedV1.schema);
    const ids = {
      messageId: record.messageId,
      eventId: orderCreated.eventId,
      orderId: orderCreated.data.orderId,
      correlationId: orderCreated.correlationId,
    };
    annotateEvent({ ...ids, eventType: orderCreated.eventType });
    logger.info(starting, ids);
    const result = await handle(orderCreated, { traceHeader: traceHeaderOf(record) });
    countOutcome(result.published.eventType, result.source);
    logger.info(published, {
      ...ids,
      outcomeEventId: result.published.eventId,
      outcomeEventType: result.published.eventType,
      republished: result.source === 'stored',
    });
  });
}
