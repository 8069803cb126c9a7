import type { DynamoDBRecord } from 'aws-lambda';
import type { RawStreamRecord } from './streams-reader';

/** Who AWS says deleted an item when TTL expired it (amazondynamodb/latest/developerguide/time-to-live-ttl-streams.html). */
export const TTL_DELETE_IDENTITY = { type: 'Service', principalId: 'dynamodb.amazonaws.com' } as const;

/** What DynamoDB Local (built on the Java SDK v2) writes for an operation type its model lacks. */
const DYNAMODB_LOCAL_UNKNOWN_EVENT_NAME = 'UNKNOWN_TO_SDK_VERSION';

type LambdaEventName = NonNullable<DynamoDBRecord['eventName']>;

/**
 * The record exactly as Lambda delivers it: the GetRecords record plus `eventSourceARN`, with
 * `userIdentity` in the event's lower-case spelling.
 *
 * DynamoDB Local writes a TTL delete as `eventName: UNKNOWN_TO_SDK_VERSION` without `userIdentity`;
 * AWS writes `REMOVE` with the DynamoDB service as the identity. The rule that recognises one: that
 * eventName on a record with no `NewImage` (a TTL delete only ever carries the old item). It is the
 * only operation DynamoDB Local names that way; any other unknown name is passed on untouched, so a
 * filter on INSERT/MODIFY/REMOVE drops it rather than the mapping inventing a meaning for it.
 */
export function toLambdaStreamRecord(raw: RawStreamRecord, streamArn: string): DynamoDBRecord {
  const isLocalTtlDelete = raw.eventName === DYNAMODB_LOCAL_UNKNOWN_EVENT_NAME && raw.dynamodb?.NewImage === undefined;
  const userIdentity = isLocalTtlDelete ? { ...TTL_DELETE_IDENTITY } : lambdaUserIdentity(raw.userIdentity);
  return {
    eventID: raw.eventID,
    eventName: isLocalTtlDelete ? 'REMOVE' : (raw.eventName as LambdaEventName | undefined),
    eventVersion: raw.eventVersion,
    eventSource: raw.eventSource,
    awsRegion: raw.awsRegion,
    dynamodb: raw.dynamodb,
    eventSourceARN: streamArn,
    ...(userIdentity === undefined ? {} : { userIdentity }),
  };
}

/** The Streams API says `{ Type, PrincipalId }`; Lambda's event says `{ type, principalId }`. */
function lambdaUserIdentity(identity: unknown): { type: unknown; principalId: unknown } | undefined {
  if (typeof identity !== 'object' || identity === null) return undefined;
  const fields = identity as Record<string, unknown>;
  return { type: fields.type ?? fields.Type, principalId: fields.principalId ?? fields.PrincipalId };
}
