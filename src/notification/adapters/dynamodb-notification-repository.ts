import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../common/aws-clients';
import { isConditionalCheckFailed } from '../../common/dynamodb-errors';
import type { Notification, NotificationRepository } from '../domain/notification';

/** The notifications table (key `notificationId` = the outcome event's id). */
export class DynamoDbNotificationRepository implements NotificationRepository {
  constructor(
    private readonly tableName: string,
    private readonly documentClient: DynamoDBDocumentClient = createDocumentClient(),
  ) {}

  async saveOnce(notification: Notification): Promise<boolean> {
    try {
      await this.documentClient.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...notification },
          ConditionExpression: 'attribute_not_exists(notificationId)',
        }),
      );
      return true;
    } catch (error) {
      // The item exists: an earlier delivery of the same event recorded it. That is success.
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }
}
