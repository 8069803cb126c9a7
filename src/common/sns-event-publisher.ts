import { PublishBatchCommand, type PublishBatchRequestEntry, type SNSClient } from '@aws-sdk/client-sns';
import { PublishFailedError } from './errors';
import type { EventPublisher, OutgoingEvent, PublishOutcome } from './event-publisher';
import { MESSAGE_ATTRIBUTES } from './settings';

/** PublishBatch's limit on entries per request. */
export const PUBLISH_BATCH_MAX_ENTRIES = 10;

/**
 * PublishBatch's limit on the combined size of a request's messages, bodies and attributes
 * together (the topic's default `MaximumMessageSize`, 256 KiB): a larger request is refused whole.
 */
export const PUBLISH_BATCH_MAX_BYTES = 256 * 1024;

export class SnsEventPublisher implements EventPublisher {
  constructor(
    private readonly topicArn: string,
    private readonly sns: SNSClient,
  ) {}

  async publishAll(events: readonly OutgoingEvent[]): Promise<PublishOutcome> {
    const outcomes = await Promise.all(toPublishBatchChunks(events).map((chunk) => this.publishChunk(chunk)));
    return {
      published: outcomes.flatMap((outcome) => outcome.published),
      failed: outcomes.flatMap((outcome) => outcome.failed),
    };
  }

  /**
   * A 200 from PublishBatch does not mean every entry was published: each entry is in
   * `Successful[]` or `Failed[]`, and one in neither is treated as failed too.
   */
  private async publishChunk(chunk: readonly OutgoingEvent[]): Promise<PublishOutcome> {
    // Entry ids only allow [A-Za-z0-9_-], and event ids contain ':', so the position is the id.
    const entries = chunk.map((event, index) => toBatchEntry(`entry-${index}`, event));
    let response;
    try {
      response = await this.sns.send(new PublishBatchCommand({ TopicArn: this.topicArn, PublishBatchRequestEntries: entries }));
    } catch (error) {
      const code = error instanceof Error ? error.name : 'UnknownError';
      const detail = error instanceof Error ? error.message : String(error);
      return { published: [], failed: chunk.map((event) => new PublishFailedError(event.eventId, code, detail)) };
    }
    const successfulIds = new Set((response.Successful ?? []).map((entry) => entry.Id));
    const failedById = new Map((response.Failed ?? []).map((entry) => [entry.Id, entry]));
    const published: string[] = [];
    const failed: PublishFailedError[] = [];
    chunk.forEach((event, index) => {
      const id = `entry-${index}`;
      const failure = failedById.get(id);
      if (failure === undefined && successfulIds.has(id)) {
        published.push(event.eventId);
      } else {
        failed.push(
          new PublishFailedError(
            event.eventId,
            failure?.Code ?? 'MissingFromResponse',
            failure?.Message ?? 'SNS listed the entry neither as successful nor as failed',
          ),
        );
      }
    });
    return { published, failed };
  }
}

/** Splits events into requests within both PublishBatch limits: entry count and combined size. */
function toPublishBatchChunks(events: readonly OutgoingEvent[]): OutgoingEvent[][] {
  const chunks: OutgoingEvent[][] = [];
  let chunk: OutgoingEvent[] = [];
  let chunkBytes = 0;
  for (const event of events) {
    const bytes = messageBytes(event);
    if (chunk.length === PUBLISH_BATCH_MAX_ENTRIES || (chunk.length > 0 && chunkBytes + bytes > PUBLISH_BATCH_MAX_BYTES)) {
      chunks.push(chunk);
      chunk = [];
      chunkBytes = 0;
    }
    chunk.push(event);
    chunkBytes += bytes;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** A message's size as SNS counts it: the body plus each attribute's name, data type and value. */
function messageBytes(event: OutgoingEvent): number {
  const { Message = '', MessageAttributes = {} } = toBatchEntry('', event);
  return Object.entries(MessageAttributes).reduce(
    (total, [name, value]) =>
      total + Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? '') + Buffer.byteLength(value.StringValue ?? ''),
    Buffer.byteLength(Message),
  );
}

function toBatchEntry(id: string, event: OutgoingEvent): PublishBatchRequestEntry {
  const attributes: PublishBatchRequestEntry['MessageAttributes'] = {
    [MESSAGE_ATTRIBUTES.eventType]: { DataType: 'String', StringValue: event.eventType },
    [MESSAGE_ATTRIBUTES.eventVersion]: { DataType: 'String', StringValue: event.eventVersion },
    [MESSAGE_ATTRIBUTES.correlationId]: { DataType: 'String', StringValue: event.correlationId },
  };
  if (event.orderId !== undefined) {
    attributes[MESSAGE_ATTRIBUTES.orderId] = { DataType: 'String', StringValue: event.orderId };
  }
  if (event.traceHeader !== undefined) {
    attributes[MESSAGE_ATTRIBUTES.traceHeader] = { DataType: 'String', StringValue: event.traceHeader };
  }
  return { Id: id, Message: event.body, MessageAttributes: attributes };
}
