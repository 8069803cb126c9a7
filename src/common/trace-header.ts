import type { SQSRecord } from 'aws-lambda';
import { MESSAGE_ATTRIBUTES } from './settings';

/**
 * The X-Ray trace header a consumer passes on to what it publishes. The relay copies the order
 * request's header into the `traceHeader` message attribute because DynamoDB Streams carry none;
 * SQS's own `AWSTraceHeader` system attribute is the fallback (fauxqs drops it locally).
 */
export function traceHeaderOf(record: SQSRecord): string | undefined {
  return record.messageAttributes[MESSAGE_ATTRIBUTES.traceHeader]?.stringValue ?? record.attributes.AWSTraceHeader;
}
