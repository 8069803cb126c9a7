import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { createDocumentClient, createSnsClient } from '../common/aws-clients';
import { InvalidEventError } from '../common/errors';
import { SnsEventPublisher } from '../common/sns-event-publisher';
import { logger } from '../common/observability';
import { systemClock } from '../common/ports';
import { ENV, requireEnv } from '../common/settings';
import { DynamoDbOutboxMarker } from './adapters/dynamodb-outbox-marker';
import { unmarshallStreamImage } from './adapters/unmarshall-stream-image';
import { sentTtlSeconds } from './sent-ttl-seconds';
import { relayOutboxBatch, type DecodedImage, type OutboxStreamRecord } from './relay-outbox-batch';

const ports = {
  publisher: new SnsEventPublisher(requireEnv(ENV.eventsTopicArn), createSnsClient()),
  outbox: new DynamoDbOutboxMarker({
    tableName: requireEnv(ENV.outboxTable),
    sentTtlSeconds: sentTtlSeconds(),
    documentClient: createDocumentClient(),
  }),
  clock: systemClock,
};

/** The outbox table's stream → the events topic. Returns the records Lambda must deliver again. */
export async function handler(event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> {
  logger.addContext(context);
  const result = await relayOutboxBatch(event.Records.map(toOutboxStreamRecord), ports);
  return { batchItemFailures: result.failedSequenceNumbers.map((itemIdentifier) => ({ itemIdentifier })) };
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
