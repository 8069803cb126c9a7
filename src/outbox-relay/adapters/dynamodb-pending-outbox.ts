import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../common/aws-clients';
import { pendingBuckets } from '../../common/outbox-item';
import { TABLES } from '../../common/settings';
import type { PendingOutbox } from '../sweep-stuck-outbox';

export interface DynamoDbPendingOutboxOptions {
  readonly tableName: string;
  readonly documentClient?: DynamoDBDocumentClient;
}

interface BucketCursor {
  readonly bucket: string;
  readonly startKey?: Record<string, unknown>;
}

/**
 * The outbox's sparse pending index (`TABLES.outbox.pendingIndex`): only items still PENDING have
 * its key, so each Query reads stuck items and nothing else, oldest first; the table is never
 * scanned. Index reads are eventually consistent: an item the relay marked SENT a moment ago may
 * still appear, and publishing it again is a duplicate that consumers tolerate.
 */
export class DynamoDbPendingOutbox implements PendingOutbox {
  private readonly tableName: string;
  private readonly documentClient: DynamoDBDocumentClient;

  constructor(options: DynamoDbPendingOutboxOptions) {
    this.tableName = options.tableName;
    this.documentClient = options.documentClient ?? createDocumentClient();
  }

  /**
   * One page per bucket per round, so a run that stops at its limit has drawn from every bucket
   * instead of draining the first one while the others wait.
   */
  async *pagesCreatedBefore(createdBefore: Date, pageSize: number): AsyncGenerator<Record<string, unknown>[]> {
    let cursors: BucketCursor[] = pendingBuckets().map((bucket) => ({ bucket }));
    while (cursors.length > 0) {
      const next: BucketCursor[] = [];
      for (const cursor of cursors) {
        const { Items = [], LastEvaluatedKey } = await this.queryPage(cursor, createdBefore, pageSize);
        if (Items.length > 0) yield Items;
        if (LastEvaluatedKey !== undefined) next.push({ bucket: cursor.bucket, startKey: LastEvaluatedKey });
      }
      cursors = next;
    }
  }

  private queryPage(cursor: BucketCursor, createdBefore: Date, pageSize: number) {
    const index = TABLES.outbox.pendingIndex;
    return this.documentClient.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index.name,
        KeyConditionExpression: '#bucket = :bucket AND #createdAt < :createdBefore',
        ExpressionAttributeNames: { '#bucket': index.partitionKey, '#createdAt': index.sortKey },
        // createdAt is an ISO-8601 UTC timestamp, so string order is time order.
        ExpressionAttributeValues: { ':bucket': cursor.bucket, ':createdBefore': createdBefore.toISOString() },
        ScanIndexForward: true,
        Limit: pageSize,
        ...(cursor.startKey === undefined ? {} : { ExclusiveStartKey: cursor.startKey }),
      }),
    );
  }
}
