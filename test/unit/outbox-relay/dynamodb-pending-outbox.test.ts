import { DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { pendingBucketOf, pendingBuckets } from '../../../src/common/outbox-item';
import { DynamoDbPendingOutbox } from '../../../src/outbox-relay/adapters/dynamodb-pending-outbox';
import { aStuckItem, FakeOutboxTable } from './fake-outbox-table';

const dynamo = mockClient(DynamoDBDocumentClient);
const CUTOFF = new Date('2025-01-15T09:45:00.000Z');

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function pendingOutbox(): DynamoDbPendingOutbox {
  return new DynamoDbPendingOutbox({ tableName: 'Outbox' });
}

async function collect(pages: AsyncIterable<readonly Record<string, unknown>[]>): Promise<Record<string, unknown>[][]> {
  const collected: Record<string, unknown>[][] = [];
  for await (const page of pages) collected.push([...page]);
  return collected;
}

/** The first `count` fixture items that fall in `bucket`, created at various minutes before the cutoff. */
function itemsInBucket(bucket: string, count: number) {
  return range(1, 10_000)
    .map((n) => aStuckItem(n, `2025-01-15T09:${String(n % 45).padStart(2, '0')}:00.000Z`))
    .filter((item) => pendingBucketOf(item.eventId) === bucket)
    .slice(0, count);
}

beforeEach(() => {
  dynamo.reset();
});

describe('DynamoDbPendingOutbox.pagesCreatedBefore', () => {
  it('reads each bucket oldest first, a Limit at a time, continuing from LastEvaluatedKey', async () => {
    // Prepare
    const table = new FakeOutboxTable(dynamo);
    const [bucket] = pendingBuckets();
    const items = itemsInBucket(bucket ?? '', 5);
    table.put(...items);

    // Act
    const pages = await collect(pendingOutbox().pagesCreatedBefore(CUTOFF, 2));

    // Assess
    expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
    const createdAts = pages.flat().map((item) => String(item.createdAt));
    expect(createdAts).toEqual([...createdAts].sort());
    const continued = dynamo.commandCalls(QueryCommand).filter((call) => call.args[0].input.ExclusiveStartKey !== undefined);
    expect(continued).toHaveLength(2);
    expect(dynamo).not.toHaveReceivedCommand(ScanCommand);
  });

  it('takes one page from every bucket before a second page from any', async () => {
    // Prepare: two pages' worth in the first two buckets
    const table = new FakeOutboxTable(dynamo);
    const [first = '', second = ''] = pendingBuckets();
    table.put(...itemsInBucket(first, 4), ...itemsInBucket(second, 4));

    // Act
    const pages = await collect(pendingOutbox().pagesCreatedBefore(CUTOFF, 2));

    // Assess
    expect(pages.map((page) => page[0]?.pendingBucket)).toEqual([first, second, first, second]);
  });

  it('stops querying when the caller stops reading', async () => {
    // Prepare
    const table = new FakeOutboxTable(dynamo);
    const [bucket = ''] = pendingBuckets();
    table.put(...itemsInBucket(bucket, 10));

    // Act
    for await (const page of pendingOutbox().pagesCreatedBefore(CUTOFF, 2)) {
      if (page.length > 0) break;
    }

    // Assess
    expect(dynamo).toHaveReceivedCommandTimes(QueryCommand, 1);
  });
});
