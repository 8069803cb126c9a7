import type { Context } from 'aws-lambda';
import { createDocumentClient, createSnsClient } from '../common/aws-clients';
import { systemClock } from '../common/ports';
import { ENV, OUTBOX_SWEEPER, requireEnv } from '../common/settings';
import { SnsEventPublisher } from '../common/sns-event-publisher';
import { TracedEventPublisher } from '../common/traced-event-publisher';
import { instrumentHandler } from '../common/tracing';
import { DynamoDbOutboxMarker } from './adapters/dynamodb-outbox-marker';
import { DynamoDbPendingOutbox } from './adapters/dynamodb-pending-outbox';
import { parseOutboxSweepRequest } from './outbox-sweep-request';
import { sentTtlSeconds } from './sent-ttl-seconds';
import { sweepStuckOutbox, type OutboxSweepSummary } from './sweep-stuck-outbox';

const documentClient = createDocumentClient();
const outboxTable = requireEnv(ENV.outboxTable);
const ports = {
  pending: new DynamoDbPendingOutbox({ tableName: outboxTable, documentClient }),
  // Like the relay: each event is published in the trace of the request that created it.
  publisher: new TracedEventPublisher(new SnsEventPublisher(requireEnv(ENV.eventsTopicArn), createSnsClient())),
  outbox: new DynamoDbOutboxMarker({ tableName: outboxTable, sentTtlSeconds: sentTtlSeconds(), documentClient }),
  clock: systemClock,
};

/** The schedule → publishes the outbox items still PENDING past the threshold. */
export const handler: (event: unknown, context: Context) => Promise<OutboxSweepSummary> = instrumentHandler(async (event: unknown) => {
  const request = parseOutboxSweepRequest(event);
  return sweepStuckOutbox(
    {
      pendingThresholdSeconds: request.pendingThresholdSeconds ?? OUTBOX_SWEEPER.pendingThresholdSeconds,
      pageSize: OUTBOX_SWEEPER.pageSize,
      maxItemsPerRun: OUTBOX_SWEEPER.maxItemsPerRun,
    },
    ports,
  );
});
