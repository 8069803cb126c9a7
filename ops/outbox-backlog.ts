import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { QueryCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { OUTBOX_STATUS, pendingBuckets } from '../src/common/outbox-item';
import { TABLES } from '../src/common/settings';

/** Outbox items not yet published: normally 0, or a few for the milliseconds before the relay runs. */
export interface OutboxBacklog {
  readonly pending: number;
  readonly oldestPendingCreatedAt: string | undefined;
  readonly oldestPendingEventId: string | undefined;
  /** `pending-index`: counted on the sparse GSI; `bounded-scan`: the table was scanned, up to a bound. */
  readonly method: 'pending-index' | 'bounded-scan';
  /** Items DynamoDB read to answer (the cost of the answer). */
  readonly itemsRead: number;
  /** The scan stopped at its bound: `pending` is a lower bound and the oldest may be older. */
  readonly truncated: boolean;
}

export interface OutboxBacklogOptions {
  /** Items a scan may read before it stops (the table keeps SENT items until their TTL, 7 days). */
  readonly maxScannedItems?: number;
}

const DEFAULT_MAX_SCANNED_ITEMS = 10_000;

/**
 * The outbox backlog. With the sparse `pending-by-age` index (only PENDING items carry its key) the
 * answer costs reads proportional to the backlog: one count and one oldest-first item per bucket.
 * A table without it (a stack deployed before the index existed) is scanned, up to a bound.
 */
export async function readOutboxBacklog(
  clients: { readonly dynamodb: DynamoDBClient; readonly documents: DynamoDBDocumentClient },
  tableName: string,
  options: OutboxBacklogOptions = {},
): Promise<OutboxBacklog> {
  return (await hasPendingIndex(clients.dynamodb, tableName))
    ? queryPendingIndex(clients.documents, tableName)
    : scanForPending(clients.documents, tableName, options.maxScannedItems ?? DEFAULT_MAX_SCANNED_ITEMS);
}

async function hasPendingIndex(dynamodb: DynamoDBClient, tableName: string): Promise<boolean> {
  const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
  return (Table?.GlobalSecondaryIndexes ?? []).some(
    (index) => index.IndexName === TABLES.outbox.pendingIndex.name && (index.IndexStatus ?? 'ACTIVE') === 'ACTIVE',
  );
}

async function queryPendingIndex(documents: DynamoDBDocumentClient, tableName: string): Promise<OutboxBacklog> {
  const index = TABLES.outbox.pendingIndex;
  const perBucket = await Promise.all(
    pendingBuckets().map(async (bucket) => {
      const keyCondition = {
        TableName: tableName,
        IndexName: index.name,
        KeyConditionExpression: '#bucket = :bucket',
        ExpressionAttributeNames: { '#bucket': index.partitionKey },
        ExpressionAttributeValues: { ':bucket': bucket },
      };
      let count = 0;
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await documents.send(new QueryCommand({ ...keyCondition, Select: 'COUNT', ExclusiveStartKey: startKey }));
        count += page.Count ?? 0;
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined);
      // The index's sort key is createdAt: the first item of a bucket is its oldest.
      const { Items = [] } = count === 0 ? {} : await documents.send(new QueryCommand({ ...keyCondition, Limit: 1, ScanIndexForward: true }));
      return { count, oldest: Items[0] };
    }),
  );
  const oldest = perBucket
    .map((bucket) => bucket.oldest)
    .filter((item) => item !== undefined)
    .sort((a, b) => String(a.createdAt).localeCompare(String(b.createdAt)))[0];
  const pending = perBucket.reduce((sum, bucket) => sum + bucket.count, 0);
  return {
    pending,
    oldestPendingCreatedAt: stringOrUndefined(oldest?.createdAt),
    oldestPendingEventId: stringOrUndefined(oldest?.[TABLES.outbox.partitionKey]),
    method: 'pending-index',
    itemsRead: pending,
    truncated: false,
  };
}

async function scanForPending(documents: DynamoDBDocumentClient, tableName: string, maxScannedItems: number): Promise<OutboxBacklog> {
  let pending = 0;
  let itemsRead = 0;
  let oldest: { createdAt: string; eventId: string } | undefined;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: '#status = :pending',
        ProjectionExpression: '#key, createdAt',
        ExpressionAttributeNames: { '#status': 'status', '#key': TABLES.outbox.partitionKey },
        ExpressionAttributeValues: { ':pending': OUTBOX_STATUS.pending },
        Limit: Math.min(1_000, maxScannedItems - itemsRead),
        ExclusiveStartKey: startKey,
      }),
    );
    itemsRead += page.ScannedCount ?? 0;
    for (const item of page.Items ?? []) {
      pending += 1;
      const createdAt = stringOrUndefined(item.createdAt);
      if (createdAt !== undefined && (oldest === undefined || createdAt < oldest.createdAt)) {
        oldest = { createdAt, eventId: String(item[TABLES.outbox.partitionKey]) };
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined && itemsRead < maxScannedItems);
  return {
    pending,
    oldestPendingCreatedAt: oldest?.createdAt,
    oldestPendingEventId: oldest?.eventId,
    method: 'bounded-scan',
    itemsRead,
    truncated: startKey !== undefined,
  };
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
