import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from './observability';

/**
 * Turns a record handler into an SQS handler with partial batch responses: a record whose handler
 * throws is reported in `batchItemFailures` and only it returns to the queue; the rest are deleted.
 * The record handler must throw on every technical failure; catching and returning would lose the
 * message. A batch in which every record failed is reported as such rather than thrown, so the
 * invocation log shows which records failed.
 */
export function createSqsBatchHandler(
  recordHandler: (record: SQSRecord) => Promise<void>,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);
  const loggedRecordHandler = async (record: SQSRecord): Promise<void> => {
    try {
      await recordHandler(record);
    } catch (error) {
      logger.error('Record failed', {
        messageId: record.messageId,
        receiveCount: record.attributes.ApproximateReceiveCount,
        error,
      });
      throw error;
    }
  };
  return async (event, context) => {
    logger.addContext(context);
    const response = await processPartialResponse(event, loggedRecordHandler, processor, {
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
  };
}
