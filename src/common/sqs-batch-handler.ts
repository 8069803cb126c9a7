import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from './observability';
import { traceHeaderOf } from './trace-header';
import { identifiersOfCurrentRecord, instrumentHandler, traceRecord } from './tracing';

/**
 * Turns a record handler into an SQS handler with partial batch responses: a record whose handler
 * throws is reported in `batchItemFailures` and only it returns to the queue; the rest are deleted.
 * The record handler must throw on every technical failure; catching and returning would lose the
 * message. A batch in which every record failed is reported as such rather than thrown, so the
 * invocation log shows which records failed.
 *
 * Each record runs in a subsegment of its own, linked to the trace its message came from: Lambda
 * links the invocation's segment to the producers' traces, but a batch has many, and only the
 * record knows which one is its. The record handler names its event with `annotateEvent`.
 */
export function createSqsBatchHandler(
  recordHandler: (record: SQSRecord) => Promise<void>,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);
  const tracedRecordHandler = (record: SQSRecord): Promise<void> =>
    traceRecord('### SQS record', [traceHeaderOf(record)], async () => {
      try {
        await recordHandler(record);
      } catch (error) {
        logger.error('Record failed', {
          messageId: record.messageId,
          receiveCount: record.attributes.ApproximateReceiveCount,
          ...identifiersOfCurrentRecord(),
          error,
        });
        throw error;
      }
    });
  return instrumentHandler(async (event, context) => {
    const response = await processPartialResponse(event, tracedRecordHandler, processor, {
      context,
      throwOnFullBatchFailure: false,
    });
    if (response.batchItemFailures.length > 0) {
      logger.warn('Some records failed and will be retried', {
        failed: response.batchItemFailures.length,
        batchSize: event.Records.length,
      });
    }
    return response;
  });
}
