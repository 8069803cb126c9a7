import { SNSClient, type SNSClientConfig } from '@aws-sdk/client-sns';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { createDocumentClient, createSnsClient, REQUEST_TIMEOUTS } from '../common/aws-clients';
import { countMetric } from '../common/business-metrics';
import { InvalidEventError } from '../common/errors';
import { logger } from '../common/observability';
import { SnsEventPublisher } from '../common/sns-event-publisher';
import { systemClock } from '../common/ports';
import { BUSINESS_METRICS, ENV, OUTBOX_RELAY, requireEnv } from '../common/settings';
import { TracedEventPublisher } from '../common/traced-event-publisher';
import { instrumentHandler } from '../common/tracing';
import { DynamoDbOutboxMarker } from './adapters/dynamodb-outbox-marker';
import { unmarshallStreamImage } from './adapters/unmarshall-stream-image';
import { sentTtlSeconds } from './sent-ttl-seconds';
import { FailedBatchHeadError, relayOutboxBatch, type DecodedImage, type OutboxStreamRecord, type RelayBatchResult } from './relay-outbox-batch';

/**
 * SDK attempts per PublishBatch. The default 3 fail in about 0.1 s against an SNS that refuses
 * connections, and Lambda retries a failed stream batch with no documented delay, counting each
 * invocation against MaximumRetryAttempts (OUTBOX_RELAY.stream.retryAttempts): a one-second SNS
 * outage used up every retry and left the events to the sweeper. The wait has to come from the
 * function: with 8 attempts a publish rides out about 2.5 s of backoff, but only while the client's
 * retry quota lasts (500 tokens, 10 per retried connection error, shared by every concurrent
 * publish), so the handler also pauses before it reports what SNS still refused (see below).
 */
const SNS_MAX_ATTEMPTS = 8;

/** The SDK's own AWS_MAX_ATTEMPTS still wins where it is set (a constructor value would override it). */
function snsClientConfig(): SNSClientConfig {
  const attempts = process.env.AWS_MAX_ATTEMPTS === undefined ? { maxAttempts: SNS_MAX_ATTEMPTS } : {};
  return { ...attempts, requestHandler: REQUEST_TIMEOUTS };
}

const ports = {
  // Streams carry no trace context: each event is published in the trace of the request that
  // created it, read from the outbox item's traceHeader (TracedEventPublisher).
  publisher: new TracedEventPublisher(
    new SnsEventPublisher(requireEnv(ENV.eventsTopicArn), createSnsClient(new SNSClient(snsClientConfig()))),
  ),
  outbox: new DynamoDbOutboxMarker({
    tableName: requireEnv(ENV.outboxTable),
    sentTtlSeconds: sentTtlSeconds(),
    documentClient: createDocumentClient(),
  }),
  clock: systemClock,
};

/** Left to the invocation after a pause, so that it still ends by itself rather than by timeout. */
const PAUSE_MARGIN_MS = 1_000;

/** The outbox table's stream → the events topic. Returns the records Lambda must deliver again. */
export const handler: (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse> = instrumentHandler(
  async (event: DynamoDBStreamEvent, context: Context) => {
    let result: RelayBatchResult;
    try {
      result = await relayOutboxBatch(event.Records.map(toOutboxStreamRecord), ports);
    } catch (error) {
      if (error instanceof FailedBatchHeadError) await pauseWhenUnpublished(error.unpublished, context);
      throw error;
    }
    countMetric(BUSINESS_METRICS.relayPublished, result.published);
    countMetric(BUSINESS_METRICS.relayFailed, result.failedSequenceNumbers.length);
    await pauseWhenUnpublished(result.unpublished, context);
    return { batchItemFailures: result.failedSequenceNumbers.map((itemIdentifier) => ({ itemIdentifier })) };
  },
);

/**
 * Waits before a failure SNS caused is reported (OUTBOX_RELAY.unpublishedPauseSeconds says why).
 * Invalid records and failed SENT marks are reported at once: bisecting a poison record should be quick.
 */
async function pauseWhenUnpublished(unpublished: number, context: Context): Promise<void> {
  if (unpublished === 0) return;
  const pauseMs = Math.min(OUTBOX_RELAY.unpublishedPauseSeconds * 1000, context.getRemainingTimeInMillis() - PAUSE_MARGIN_MS);
  if (pauseMs <= 0) return;
  logger.warn('SNS did not accept some events; waiting before Lambda retries the batch', { unpublished, pauseMs });
  await new Promise((resolve) => setTimeout(resolve, pauseMs));
}

function toOutboxStreamRecord(record: DynamoDBRecord): OutboxStreamRecord {
  const sequenceNumber = record.dynamodb?.SequenceNumber;
  // Every stream record has one. Without it no failure could be reported for the record, and an
  // empty identifier would fail the batch anyway, so fail it here, where the cause is clear.
  if (sequenceNumber === undefined || sequenceNumber === '') {
    throw new InvalidEventError(`Stream record ${record.eventID ?? '(no eventID)'} has no SequenceNumber`);
  }
  return { sequenceNumber, eventName: record.eventName, newImage: decodeNewImage(record) };
}

function decodeNewImage(record: DynamoDBRecord): DecodedImage {
  const image = record.dynamodb?.NewImage;
  if (image === undefined) return { kind: 'absent' };
  try {
    return { kind: 'decoded', value: unmarshallStreamImage(image) };
  } catch (error) {
    return { kind: 'undecodable', reason: error instanceof Error ? error.message : String(error) };
  }
}
