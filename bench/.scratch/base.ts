import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { SNSClient, PublishBatchCommand } from '@aws-sdk/client-sns';
const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const sns = new SNSClient({});
export const handler = async () => [ddb, sns, GetCommand, PutCommand, UpdateCommand, TransactWriteCommand, PublishBatchCommand].length;
