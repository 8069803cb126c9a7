import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, ScanCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { pendingBuckets } from '../../../src/common/outbox-item';
import { TABLES } from '../../../src/common/settings';
import { readOutboxBacklog } from '../../../ops/outbox-backlog';

const TABLE = 'order-pipeline-outbox';
const dynamodbMock = mockClient(DynamoDBClient);
const documentsMock = mockClient(DynamoDBDocumentClient);
const dynamodb = new DynamoDBClient({ region: 'eu-west-1' });
const clients = { dynamodb, documents: DynamoDBDocumentClient.from(dynamodb) };

beforeEach(() => {
  dynamodbMock.reset();
  documentsMock.reset();
});

function withPendingIndex(present: boolean): void {
  dynamodbMock.on(DescribeTableCommand).resolves({
    Table: present ? { GlobalSecondaryIndexes: [{ IndexName: TABLES.outbox.pendingIndex.name, IndexStatus: 'ACTIVE' }] } : {},
  });
}

describe('readOutboxBacklog', () => {
  it('counts the sparse pending index bucket by bucket and takes the oldest item of each', async () => {
    // Prepare
    withPendingIndex(true);
    const [first, second] = pendingBuckets();
    documentsMock.on(QueryCommand).callsFake((input: QueryCommandInput) => {
      const bucket = input.ExpressionAttributeValues?.[':bucket'];
      const items: Record<string, { eventId: string; createdAt: string }[]> = {
        [first ?? '']: [{ eventId: 'e-2', createdAt: '2026-11-29T01:00:02.000Z' }],
        [second ?? '']: [
          { eventId: 'e-1', createdAt: '2026-11-29T01:00:01.000Z' },
          { eventId: 'e-3', createdAt: '2026-11-29T01:00:03.000Z' },
        ],
      };
      const inBucket = items[String(bucket)] ?? [];
      return input.Select === 'COUNT' ? { Count: inBucket.length } : { Items: inBucket.slice(0, 1) };
    });

    // Act
    const backlog = await readOutboxBacklog(clients, TABLE);

    // Assess
    expect(backlog).toEqual({
      pending: 3,
      oldestPendingCreatedAt: '2026-11-29T01:00:01.000Z',
      oldestPendingEventId: 'e-1',
      method: 'pending-index',
      itemsRead: 3,
      truncated: false,
    });
    expect(documentsMock).toHaveReceivedCommandWith(QueryCommand, { IndexName: TABLES.outbox.pendingIndex.name, Limit: 1, ScanIndexForward: true });
    expect(documentsMock).not.toHaveReceivedCommand(ScanCommand);
  });

  it('scans a table without the index for PENDING items', async () => {
    // Prepare
    withPendingIndex(false);
    documentsMock
      .on(ScanCommand)
      .resolvesOnce({ Items: [{ eventId: 'e-9', createdAt: '2026-11-29T01:00:09.000Z' }], ScannedCount: 1000, LastEvaluatedKey: { eventId: 'x' } })
      .resolves({ Items: [{ eventId: 'e-4', createdAt: '2026-11-29T01:00:04.000Z' }], ScannedCount: 10 });

    // Act
    const backlog = await readOutboxBacklog(clients, TABLE);

    // Assess
    expect(backlog).toEqual({
      pending: 2,
      oldestPendingCreatedAt: '2026-11-29T01:00:04.000Z',
      oldestPendingEventId: 'e-4',
      method: 'bounded-scan',
      itemsRead: 1010,
      truncated: false,
    });
    expect(documentsMock).toHaveReceivedCommandWith(ScanCommand, { FilterExpression: '#status = :pending', ExpressionAttributeValues: { ':pending': 'PENDING' } });
  });

  it('stops a scan at its bound and marks the answer as a lower bound', async () => {
    // Prepare
    withPendingIndex(false);
    documentsMock.on(ScanCommand).resolves({ Items: [], ScannedCount: 1000, LastEvaluatedKey: { eventId: 'more' } });

    // Act
    const backlog = await readOutboxBacklog(clients, TABLE, { maxScannedItems: 3000 });

    // Assess
    expect(backlog).toMatchObject({ method: 'bounded-scan', itemsRead: 3000, truncated: true });
    expect(documentsMock).toHaveReceivedCommandTimes(ScanCommand, 3);
  });
});
