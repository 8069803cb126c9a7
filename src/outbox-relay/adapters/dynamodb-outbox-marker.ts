import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../common/aws-clients';
import { isConditionalCheckFailed } from '../../common/dynamodb-errors';
import { OUTBOX_STATUS } from '../../common/outbox-item';
import { epochSeconds } from '../../common/ports';
import { TABLES } from '../../common/settings';
import type { MarkSentOutcome, OutboxMarker } from '../publish-outbox-items';

export interface DynamoDbOutboxMarkerOptions {
  readonly tableName: string;
  /** How long a SENT item stays before DynamoDB TTL may delete it. */
  readonly sentTtlSeconds: number;
  readonly documentClient?: DynamoDBDocumentClient;
}

export class DynamoDbOutboxMarker implements OutboxMarker {
  private readonly tableName: string;
  private readonly sentTtlSeconds: number;
  private readonly documentClient: DynamoDBDocumentClient;

  constructor(options: DynamoDbOutboxMarkerOptions) {
    this.tableName = options.tableName;
    this.sentTtlSeconds = options.sentTtlSeconds;
    this.documentClient = options.documentClient ?? createDocumentClient();
  }

  /**
   * Only a PENDING item that still exists is updated: SENT never moves back, and an update on an
   * item TTL already deleted would recreate it as a fragment. Losing that condition means the work
   * is already done, so it is not an error.
   */
  async markSent(eventId: string, sentAt: Date): Promise<MarkSentOutcome> {
    try {
      await this.documentClient.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [TABLES.outbox.partitionKey]: eventId },
          // Removing the pending bucket takes the item out of the sparse pending index.
          UpdateExpression: 'SET #status = :sent, #sentAt = :sentAt, #expiresAt = :expiresAt REMOVE #pendingBucket',
          ConditionExpression: `attribute_exists(${TABLES.outbox.partitionKey}) AND #status = :pending`,
          ExpressionAttributeNames: {
            '#status': 'status',
            '#sentAt': 'sentAt',
            '#expiresAt': TABLES.outbox.ttlAttribute,
            '#pendingBucket': TABLES.outbox.pendingIndex.partitionKey,
          },
          ExpressionAttributeValues: {
            ':sent': OUTBOX_STATUS.sent,
            ':pending': OUTBOX_STATUS.pending,
            ':sentAt': sentAt.toISOString(),
            // DynamoDB TTL reads epoch seconds; milliseconds would keep the item for millennia.
            ':expiresAt': epochSeconds(sentAt) + this.sentTtlSeconds,
          },
        }),
      );
      return 'marked';
    } catch (error) {
      if (isConditionalCheckFailed(error)) return 'already-sent-or-gone';
      throw error;
    }
  }
}
