import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { OUTBOX_STATUS, pendingBucketOf, type OutboxItem } from '../../../src/common/outbox-item';
import { TABLES } from '../../../src/common/settings';
import { anOutboxItem } from './stream-fixtures';

type StoredItem = Record<string, unknown>;

const { partitionKey: KEY } = TABLES.outbox;
const INDEX = TABLES.outbox.pendingIndex;

/** The expressions the sweeper and the marker send; anything else is a test failure, not a guess. */
const PENDING_QUERY = '#bucket = :bucket AND #createdAt < :createdBefore';
const MARK_SENT_CONDITION = `attribute_exists(${KEY}) AND #status = :pending`;

/**
 * The outbox table behind a mocked DocumentClient, with its sparse pending index: a Query on the
 * index returns, a `Limit` at a time and oldest first, the items of one bucket created before the
 * cutoff, with `LastEvaluatedKey` while more remain; the marker's conditional update sets SENT and
 * removes the bucket, which takes the item out of the index. Only those two requests are modelled.
 */
export class FakeOutboxTable {
  readonly items = new Map<string, StoredItem>();

  constructor(documentClient: AwsClientStub<DynamoDBDocumentClient>) {
    documentClient.on(QueryCommand).callsFake((input: QueryCommand['input']) => this.query(input));
    documentClient.on(UpdateCommand).callsFake((input: UpdateCommand['input']) => this.update(input));
  }

  /** Stores items as the order writer does: PENDING, with their pending bucket. */
  put(...items: OutboxItem[]): void {
    for (const item of items) {
      this.items.set(item.eventId, { ...item, [INDEX.partitionKey]: pendingBucketOf(item.eventId) });
    }
  }

  /** Stores an item exactly as given (for instance one that breaks the outbox contract). */
  putRaw(item: StoredItem): void {
    this.items.set(String(item[KEY]), structuredClone(item));
  }

  item(eventId: string): StoredItem | undefined {
    return this.items.get(eventId);
  }

  /** Event ids of the items still PENDING. */
  pendingIds(): string[] {
    return [...this.items.values()].filter((item) => item.status === OUTBOX_STATUS.pending).map((item) => String(item[KEY]));
  }

  private query(input: QueryCommand['input']): { Items: StoredItem[]; LastEvaluatedKey?: StoredItem } {
    if (input.IndexName !== INDEX.name || input.KeyConditionExpression !== PENDING_QUERY) {
      throw new Error(`FakeOutboxTable does not model this query: ${JSON.stringify(input)}`);
    }
    const bucket = input.ExpressionAttributeValues?.[':bucket'];
    const createdBefore = String(input.ExpressionAttributeValues?.[':createdBefore']);
    const matching = [...this.items.values()]
      .filter((item) => item[INDEX.partitionKey] === bucket && String(item[INDEX.sortKey]) < createdBefore)
      .sort((a, b) => compare(a, b));
    const after = input.ExclusiveStartKey;
    const start = after === undefined ? 0 : matching.findIndex((item) => compare(item, after) > 0);
    const remaining = start === -1 ? [] : matching.slice(start);
    const limit = input.Limit ?? remaining.length;
    const page = remaining.slice(0, limit);
    const last = page.at(-1);
    return {
      Items: page.map((item) => structuredClone(item)),
      ...(remaining.length > limit && last !== undefined
        ? { LastEvaluatedKey: { [KEY]: last[KEY], [INDEX.partitionKey]: last[INDEX.partitionKey], [INDEX.sortKey]: last[INDEX.sortKey] } }
        : {}),
    };
  }

  private update(input: UpdateCommand['input']): Record<string, never> {
    if (input.ConditionExpression !== MARK_SENT_CONDITION) {
      throw new Error(`FakeOutboxTable does not model this update: ${JSON.stringify(input)}`);
    }
    const item = this.items.get(String(input.Key?.[KEY]));
    const values = input.ExpressionAttributeValues ?? {};
    if (item === undefined || item.status !== values[':pending']) {
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    }
    const removesBucket = input.UpdateExpression?.includes('REMOVE #pendingBucket') === true;
    const updated = Object.fromEntries(Object.entries(item).filter(([name]) => !(removesBucket && name === INDEX.partitionKey)));
    this.items.set(String(input.Key?.[KEY]), {
      ...updated,
      status: values[':sent'],
      sentAt: values[':sentAt'],
      [TABLES.outbox.ttlAttribute]: values[':expiresAt'],
    });
    return {};
  }
}

/** Index order: the sort key, then the table key (DynamoDB's order among equal sort keys is its own). */
function compare(a: StoredItem, b: StoredItem): number {
  const byCreatedAt = String(a[INDEX.sortKey]).localeCompare(String(b[INDEX.sortKey]));
  return byCreatedAt !== 0 ? byCreatedAt : String(a[KEY]).localeCompare(String(b[KEY]));
}

/** Outbox item `n`, created at `createdAt`, still PENDING. */
export function aStuckItem(n: number, createdAt: string): OutboxItem {
  return anOutboxItem(n, { createdAt });
}
