/**
 * The outbox's sparse pending index on DynamoDB Local, as provisioning creates it and as the order
 * writer and the relay's marker use it: created with a new table, added (and backfilled) to a table
 * from before it existed, and refused when an index of that name has another key. Ports 19311
 * (DynamoDB) and 19312 (SNS/SQS), this file's own.
 */
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createLocalDynamoDbClient } from '../../../infra/local/cloud/aws-clients';
import { startEmulators, type StartedEmulators } from '../../../infra/local/cloud/emulators';
import { LocalResourceConflictError } from '../../../infra/local/cloud/local-cloud-errors';
import { provisionLocalResources, type LocalResources } from '../../../infra/local/cloud/provision';
import { pendingBucketOf } from '../../../src/common/outbox-item';
import { TABLES } from '../../../src/common/settings';
import { DynamoDbOutboxMarker } from '../../../src/outbox-relay/adapters/dynamodb-outbox-marker';
import { DynamoDbPendingOutbox } from '../../../src/outbox-relay/adapters/dynamodb-pending-outbox';
import { anOutboxItem } from '../../unit/outbox-relay/stream-fixtures';

const PORTS = { dynamodb: 19311, snsSqs: 19312 } as const;
const START_TIMEOUT_MS = 90_000;
const INDEX = TABLES.outbox.pendingIndex;
/** After every fixture item's createdAt (2025-01-15T09:59:00Z). */
const CUTOFF = new Date('2025-01-15T10:00:00.000Z');

jest.setTimeout(30_000);

let emulators: StartedEmulators;
let dynamodb: DynamoDBClient;
let documents: DynamoDBDocumentClient;
let resources: LocalResources;

beforeAll(async () => {
  emulators = await startEmulators({ ports: PORTS });
  dynamodb = createLocalDynamoDbClient(emulators.endpoints);
  documents = DynamoDBDocumentClient.from(dynamodb);
  resources = await provisionLocalResources(emulators.endpoints, { timeScale: 0.1 });
}, START_TIMEOUT_MS);

afterAll(async () => {
  dynamodb?.destroy();
  await emulators?.stop();
}, START_TIMEOUT_MS);

/** Writes outbox item `n` as the order writer does: PENDING, with its bucket. */
async function putPending(n: number): Promise<string> {
  const item = anOutboxItem(n);
  await documents.send(
    new PutCommand({ TableName: resources.tableNames.outbox, Item: { ...item, [INDEX.partitionKey]: pendingBucketOf(item.eventId) } }),
  );
  return item.eventId;
}

async function pendingEventIds(): Promise<string[]> {
  const pending = new DynamoDbPendingOutbox({ tableName: resources.tableNames.outbox, documentClient: documents });
  const ids: string[] = [];
  for await (const page of pending.pagesCreatedBefore(CUTOFF, 100)) ids.push(...page.map((item) => String(item.eventId)));
  return ids.sort();
}

async function describeOutbox() {
  const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: resources.tableNames.outbox }));
  return Table;
}

/** Recreates the outbox as a persistent stack from before the index would have it: same key and stream, no index. */
async function recreateOutbox(globalSecondaryIndexes?: CreateTableCommand['input']['GlobalSecondaryIndexes']): Promise<void> {
  await dynamodb.send(new DeleteTableCommand({ TableName: resources.tableNames.outbox }));
  await dynamodb.send(
    new CreateTableCommand({
      TableName: resources.tableNames.outbox,
      AttributeDefinitions: [
        { AttributeName: TABLES.outbox.partitionKey, AttributeType: 'S' },
        ...(globalSecondaryIndexes === undefined ? [] : [{ AttributeName: 'orderId', AttributeType: 'S' as const }]),
      ],
      KeySchema: [{ AttributeName: TABLES.outbox.partitionKey, KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
      GlobalSecondaryIndexes: globalSecondaryIndexes,
    }),
  );
}

describe('the outbox pending index', () => {
  it('is created with the outbox table: bucket and age as its key, every attribute projected, ACTIVE', async () => {
    // Act
    const outbox = await describeOutbox();

    // Assess
    expect(outbox?.GlobalSecondaryIndexes).toEqual([
      expect.objectContaining({
        IndexName: INDEX.name,
        KeySchema: [
          { AttributeName: INDEX.partitionKey, KeyType: 'HASH' },
          { AttributeName: INDEX.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
        IndexStatus: 'ACTIVE',
      }),
    ]);
  });

  it('holds the PENDING items only: marking one SENT takes it out of the index', async () => {
    // Prepare
    const [first, second] = [await putPending(1), await putPending(2)];
    const marker = new DynamoDbOutboxMarker({ tableName: resources.tableNames.outbox, sentTtlSeconds: 60, documentClient: documents });

    // Act
    const before = await pendingEventIds();
    await marker.markSent(first, CUTOFF);
    const after = await pendingEventIds();

    // Assess
    expect(before).toEqual([first, second].sort());
    expect(after).toEqual([second]);
  });

  it('is queried, never scanned, when the sweeper reads it', async () => {
    // Prepare
    const sent: string[] = [];
    documents.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push(context.commandName ?? '');
        return next(args);
      },
      { step: 'initialize', name: 'recordCommandNames' },
    );

    // Act
    await pendingEventIds();
    documents.middlewareStack.remove('recordCommandNames');

    // Assess
    expect(sent.length).toBe(INDEX.buckets);
    expect(new Set(sent)).toEqual(new Set([QueryCommand.name]));
    expect(sent).not.toContain(ScanCommand.name);
  });

  it('is added to an outbox table from before it existed, with the items already there, keeping the stream', async () => {
    // Prepare
    await recreateOutbox();
    const streamArn = (await describeOutbox())?.LatestStreamArn;
    const eventId = await putPending(3);

    // Act
    const again = await provisionLocalResources(emulators.endpoints, { timeScale: 0.1 });

    // Assess
    expect(again.outboxStreamArn).toBe(streamArn);
    expect((await describeOutbox())?.GlobalSecondaryIndexes?.map((index) => [index.IndexName, index.IndexStatus])).toEqual([
      [INDEX.name, 'ACTIVE'],
    ]);
    expect(await pendingEventIds()).toEqual([eventId]);
    resources = again;
  });

  it('refuses an outbox table whose index of that name has another key', async () => {
    // Prepare
    await recreateOutbox([
      {
        IndexName: INDEX.name,
        KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ]);

    // Act
    const provisioning = provisionLocalResources(emulators.endpoints, { timeScale: 0.1 });

    // Assess
    await expect(provisioning).rejects.toBeInstanceOf(LocalResourceConflictError);
  });
});
