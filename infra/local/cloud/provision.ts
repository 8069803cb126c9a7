/**
 * Creates the local cloud's resources from the shared settings, the same settings the CDK stack
 * reads: tables, the outbox stream, TTL and pending index, the events topic, one queue + DLQ + filtered
 * subscription per consumer, and the relay's on-failure queue. Idempotent: every step converges an
 * existing resource instead of failing on it, so a restarted persistent stack reuses its data.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type GlobalSecondaryIndex,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import {
  CreateTopicCommand,
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListTopicsCommand,
  SetSubscriptionAttributesCommand,
  SNSClient,
  SubscribeCommand,
  type Subscription,
} from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import {
  OUTBOX_RELAY,
  QUEUE_CONSUMERS,
  QUEUE_DEFAULTS,
  TABLES,
  filterPolicyOf,
  type QueueConsumerSettings,
  type TableRole,
} from '../../../src/common/settings';
import {
  LOCAL_EVENTS_TOPIC_NAME,
  deadLetterQueueName,
  localTableName,
  scaledVisibilityTimeoutSeconds,
} from '../local-settings';
import {
  createLocalDynamoDbClient,
  createLocalSnsClient,
  createLocalSqsClient,
  type LocalEndpoints,
} from './aws-clients';
import { LocalResourceConflictError, LocalResourceMissingError } from './local-cloud-errors';

export interface LocalQueue {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
}

export interface LocalConsumerQueue extends LocalQueue {
  readonly dlqName: string;
  readonly dlqUrl: string;
  readonly dlqArn: string;
  /** The queue's (scaled) visibility timeout, as the emulator reports it. */
  readonly visibilityTimeoutSeconds: number;
}

export interface LocalResources {
  readonly tableNames: Readonly<Record<TableRole, string>>;
  readonly outboxStreamArn: string;
  readonly topicArn: string;
  /** Keyed by the consumer's settings id (`Payment`, `Inventory`, …). */
  readonly queues: Readonly<Record<string, LocalConsumerQueue>>;
  readonly relayFailureQueue: LocalQueue;
}

export interface ProvisionOptions {
  /** `LOCAL_TIME_SCALE`: visibility timeouts are scaled by it (see local-settings.ts). */
  readonly timeScale: number;
}

const TABLE_ROLES = Object.keys(TABLES) as TableRole[];
/** Only the relay reads the outbox stream, and it needs the item as written. */
const OUTBOX_STREAM_VIEW = 'NEW_IMAGE';
const TABLE_ACTIVE_TIMEOUT_MS = 30_000;

export async function provisionLocalResources(endpoints: LocalEndpoints, options: ProvisionOptions): Promise<LocalResources> {
  return withClients(endpoints, async (clients) => {
    await Promise.all([
      ...TABLE_ROLES.map((role) => ensureTable(clients.dynamodb, role)),
      ensureMessaging(clients, endpoints, options.timeScale),
    ]);
    return readResources(clients, endpoints);
  });
}

/** Reads the resources back (for a runtime started on its own); fails if any is missing. */
export async function describeLocalResources(endpoints: LocalEndpoints): Promise<LocalResources> {
  return withClients(endpoints, (clients) => readResources(clients, endpoints));
}

interface Clients {
  readonly dynamodb: DynamoDBClient;
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
}

async function withClients<T>(endpoints: LocalEndpoints, work: (clients: Clients) => Promise<T>): Promise<T> {
  const clients = {
    dynamodb: createLocalDynamoDbClient(endpoints),
    sns: createLocalSnsClient(endpoints),
    sqs: createLocalSqsClient(endpoints),
  };
  try {
    return await work(clients);
  } finally {
    clients.dynamodb.destroy();
    clients.sns.destroy();
    clients.sqs.destroy();
  }
}

// ---- DynamoDB ---------------------------------------------------------------------------------

async function ensureTable(dynamodb: DynamoDBClient, role: TableRole): Promise<void> {
  const tableName = localTableName(role);
  const { partitionKey } = TABLES[role];
  const wantsStream = role === 'outbox';
  const existing = await describeTable(dynamodb, tableName);

  const index = secondaryIndexOf(role);

  if (existing === undefined) {
    try {
      await dynamodb.send(
        new CreateTableCommand({
          TableName: tableName,
          AttributeDefinitions: [{ AttributeName: partitionKey, AttributeType: 'S' }, ...(index?.attributes ?? [])],
          KeySchema: [{ AttributeName: partitionKey, KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
          StreamSpecification: wantsStream ? { StreamEnabled: true, StreamViewType: OUTBOX_STREAM_VIEW } : undefined,
          GlobalSecondaryIndexes: index === undefined ? undefined : [index.definition],
        }),
      );
    } catch (error) {
      // Another provisioner created it between our describe and create.
      if (!(error instanceof ResourceInUseException)) {
        throw error;
      }
    }
  } else {
    const key = existing.KeySchema ?? [];
    if (key.length !== 1 || key[0]?.AttributeName !== partitionKey || key[0].KeyType !== 'HASH') {
      throw new LocalResourceConflictError('table', tableName, `its key is not ${partitionKey} (HASH)`);
    }
    if (wantsStream) {
      await ensureStream(dynamodb, tableName, existing);
    }
    if (index !== undefined) {
      await ensureSecondaryIndex(dynamodb, tableName, existing, index);
    }
  }

  await waitUntilActive(dynamodb, tableName);
  const settings = TABLES[role];
  if ('ttlAttribute' in settings) {
    await ensureTimeToLive(dynamodb, tableName, settings.ttlAttribute);
  }
}

async function ensureStream(dynamodb: DynamoDBClient, tableName: string, table: TableDescription): Promise<void> {
  const stream = table.StreamSpecification;
  if (stream?.StreamEnabled === true) {
    if (stream.StreamViewType !== OUTBOX_STREAM_VIEW) {
      // Changing the view type means a new stream (new ARN): the relay's checkpoints would be lost.
      throw new LocalResourceConflictError('table', tableName, `its stream view is ${stream.StreamViewType}`);
    }
    return;
  }
  await dynamodb.send(
    new UpdateTableCommand({
      TableName: tableName,
      StreamSpecification: { StreamEnabled: true, StreamViewType: OUTBOX_STREAM_VIEW },
    }),
  );
}

interface SecondaryIndex {
  readonly definition: GlobalSecondaryIndex;
  readonly attributes: AttributeDefinition[];
}

/** The outbox's sparse pending index, as the CDK stack defines it (infra/constructs/pipeline-tables.ts). */
function secondaryIndexOf(role: TableRole): SecondaryIndex | undefined {
  const settings = TABLES[role];
  if (!('pendingIndex' in settings)) {
    return undefined;
  }
  const { name, partitionKey, sortKey } = settings.pendingIndex;
  return {
    definition: {
      IndexName: name,
      KeySchema: [
        { AttributeName: partitionKey, KeyType: 'HASH' },
        { AttributeName: sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
    attributes: [
      { AttributeName: partitionKey, AttributeType: 'S' },
      { AttributeName: sortKey, AttributeType: 'S' },
    ],
  };
}

/**
 * Adds the index to a table created before it existed (a persistent stack from an older version);
 * DynamoDB backfills it from the items already there. An index of that name with another key is a
 * conflict, not something to rebuild silently.
 */
async function ensureSecondaryIndex(
  dynamodb: DynamoDBClient,
  tableName: string,
  table: TableDescription,
  index: SecondaryIndex,
): Promise<void> {
  const existing = table.GlobalSecondaryIndexes?.find((candidate) => candidate.IndexName === index.definition.IndexName);
  if (existing !== undefined) {
    const keyOf = (schema: GlobalSecondaryIndex['KeySchema']): string =>
      JSON.stringify(schema?.map(({ AttributeName, KeyType }) => [AttributeName, KeyType]));
    if (keyOf(existing.KeySchema) !== keyOf(index.definition.KeySchema)) {
      throw new LocalResourceConflictError('table', tableName, `its index ${index.definition.IndexName} has another key`);
    }
    return;
  }
  await dynamodb.send(
    new UpdateTableCommand({
      TableName: tableName,
      AttributeDefinitions: index.attributes,
      GlobalSecondaryIndexUpdates: [{ Create: index.definition }],
    }),
  );
}

/** DynamoDB TTL: items whose attribute (epoch seconds) has passed are deleted in the background. */
async function ensureTimeToLive(dynamodb: DynamoDBClient, tableName: string, attributeName: string): Promise<void> {
  const { TimeToLiveDescription: ttl } = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  if (ttl?.TimeToLiveStatus === 'ENABLED' || ttl?.TimeToLiveStatus === 'ENABLING') {
    if (ttl.AttributeName !== attributeName) {
      throw new LocalResourceConflictError('table', tableName, `its TTL attribute is ${ttl.AttributeName}`);
    }
    return;
  }
  await dynamodb.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { Enabled: true, AttributeName: attributeName },
    }),
  );
}

async function describeTable(dynamodb: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await dynamodb.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) {
      return undefined;
    }
    throw error;
  }
}

/**
 * DynamoDB Local creates tables ACTIVE at once; polled anyway so the contract matches AWS. A new
 * index stays CREATING for a moment (under a second here), and writes to the table fail with
 * InternalFailure until it is ACTIVE, so the indexes are waited for too.
 */
async function waitUntilActive(dynamodb: DynamoDBClient, tableName: string): Promise<void> {
  const deadline = Date.now() + TABLE_ACTIVE_TIMEOUT_MS;
  for (;;) {
    const table = await describeTable(dynamodb, tableName);
    const indexesActive = (table?.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE');
    if (table?.TableStatus === 'ACTIVE' && indexesActive) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`Table ${tableName} is not ACTIVE after ${TABLE_ACTIVE_TIMEOUT_MS} ms (${table?.TableStatus})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// ---- SNS and SQS ------------------------------------------------------------------------------

async function ensureMessaging({ sns, sqs }: Clients, endpoints: LocalEndpoints, timeScale: number): Promise<void> {
  // CreateTopic is idempotent: the same name answers the existing topic's ARN.
  const { TopicArn: topicArn } = await sns.send(new CreateTopicCommand({ Name: LOCAL_EVENTS_TOPIC_NAME }));
  if (topicArn === undefined) {
    throw new Error(`CreateTopic ${LOCAL_EVENTS_TOPIC_NAME} answered no ARN`);
  }
  await Promise.all([
    // Holds failed-batch metadata until someone re-reads the records: kept as long as a DLQ.
    ensureQueue(sqs, endpoints, OUTBOX_RELAY.onFailureQueueName, {
      MessageRetentionPeriod: String(QUEUE_DEFAULTS.dlqRetentionPeriodSeconds),
    }),
    ...QUEUE_CONSUMERS.map((consumer) => ensureConsumerQueue({ sns, sqs }, endpoints, topicArn, consumer, timeScale)),
  ]);
}

async function ensureConsumerQueue(
  { sns, sqs }: Pick<Clients, 'sns' | 'sqs'>,
  endpoints: LocalEndpoints,
  topicArn: string,
  consumer: QueueConsumerSettings,
  timeScale: number,
): Promise<void> {
  const dlq = await ensureQueue(sqs, endpoints, deadLetterQueueName(consumer), {
    MessageRetentionPeriod: String(QUEUE_DEFAULTS.dlqRetentionPeriodSeconds),
  });
  const queue = await ensureQueue(sqs, endpoints, consumer.queueName, {
    VisibilityTimeout: String(scaledVisibilityTimeoutSeconds(consumer, timeScale)),
    MessageRetentionPeriod: String(QUEUE_DEFAULTS.retentionPeriodSeconds),
    ReceiveMessageWaitTimeSeconds: String(QUEUE_DEFAULTS.receiveMessageWaitTimeSeconds),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: QUEUE_DEFAULTS.maxReceiveCount }),
  });
  await ensureSubscription(sns, topicArn, queue.arn, {
    // The body is the event itself, not the SNS envelope: consumers parse one contract.
    RawMessageDelivery: 'true',
    FilterPolicy: JSON.stringify(filterPolicyOf(consumer)),
    FilterPolicyScope: 'MessageAttributes',
  });
}

/** Creates the queue, or sets the wanted attributes on the existing one (e.g. after a new time scale). */
async function ensureQueue(
  sqs: SQSClient,
  endpoints: LocalEndpoints,
  name: string,
  attributes: Record<string, string>,
): Promise<{ arn: string }> {
  const existingUrl = await queueUrlOf(sqs, endpoints, name);
  let url: string | undefined;
  if (existingUrl === undefined) {
    url = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl;
  } else {
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: existingUrl, Attributes: attributes }));
    url = existingUrl;
  }
  if (url === undefined) {
    throw new Error(`CreateQueue ${name} answered no URL`);
  }
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return { arn: requireAttribute(Attributes, 'QueueArn', name) };
}

/** SNS allows one subscription per (topic, protocol, endpoint); an existing one gets the wanted attributes. */
async function ensureSubscription(
  sns: SNSClient,
  topicArn: string,
  queueArn: string,
  attributes: Record<string, string>,
): Promise<void> {
  const existing = (await listSubscriptions(sns, topicArn)).find(
    (subscription) => subscription.Protocol === 'sqs' && subscription.Endpoint === queueArn,
  );
  if (existing?.SubscriptionArn === undefined) {
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: queueArn,
        Attributes: attributes,
        ReturnSubscriptionArn: true,
      }),
    );
    return;
  }
  const subscriptionArn = existing.SubscriptionArn;
  const { Attributes: current = {} } = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: subscriptionArn }));
  for (const [name, value] of Object.entries(attributes)) {
    if (current[name] !== value) {
      await sns.send(
        new SetSubscriptionAttributesCommand({ SubscriptionArn: subscriptionArn, AttributeName: name, AttributeValue: value }),
      );
    }
  }
}

async function listSubscriptions(sns: SNSClient, topicArn: string): Promise<Subscription[]> {
  const subscriptions: Subscription[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: nextToken }));
    subscriptions.push(...(page.Subscriptions ?? []));
    nextToken = page.NextToken;
  } while (nextToken !== undefined && nextToken !== '');
  return subscriptions;
}

/**
 * fauxqs keeps a queue's URL with the host:port of the call that created it; a persistent stack
 * restarted on another port would hand out a dead URL, and the SDK sends to the queue URL's host.
 * The answer is therefore re-rooted on the current endpoint.
 */
async function queueUrlOf(sqs: SQSClient, endpoints: LocalEndpoints, name: string): Promise<string | undefined> {
  try {
    const { QueueUrl: stored } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    return stored === undefined ? undefined : new URL(new URL(stored).pathname, endpoints.snsSqs).toString();
  } catch (error) {
    if (error instanceof QueueDoesNotExist) {
      return undefined;
    }
    throw error;
  }
}

function requireAttribute(attributes: Partial<Record<string, string>> | undefined, name: string, queueName: string): string {
  const value = attributes?.[name];
  if (value === undefined) {
    throw new Error(`Queue ${queueName} has no ${name}`);
  }
  return value;
}

// ---- Reading the resources back ---------------------------------------------------------------

async function readResources(clients: Clients, endpoints: LocalEndpoints): Promise<LocalResources> {
  const tableNames = Object.fromEntries(TABLE_ROLES.map((role) => [role, localTableName(role)])) as Record<TableRole, string>;
  const [tables, topicArn, relayFailureQueue, consumerQueues] = await Promise.all([
    Promise.all(TABLE_ROLES.map(async (role) => [role, await describeTable(clients.dynamodb, tableNames[role])] as const)),
    findTopicArn(clients.sns),
    readQueue(clients.sqs, endpoints, OUTBOX_RELAY.onFailureQueueName),
    Promise.all(QUEUE_CONSUMERS.map((consumer) => readConsumerQueue(clients.sqs, endpoints, consumer))),
  ]);
  for (const [role, table] of tables) {
    if (table === undefined) {
      throw new LocalResourceMissingError('table', tableNames[role]);
    }
  }
  const outbox = tables.find(([role]) => role === 'outbox')?.[1];
  if (outbox?.LatestStreamArn === undefined || outbox.StreamSpecification?.StreamEnabled !== true) {
    throw new LocalResourceMissingError('stream of table', tableNames.outbox);
  }
  if (!(outbox.GlobalSecondaryIndexes ?? []).some((index) => index.IndexName === TABLES.outbox.pendingIndex.name)) {
    throw new LocalResourceMissingError(`index ${TABLES.outbox.pendingIndex.name} of table`, tableNames.outbox);
  }
  return {
    tableNames,
    outboxStreamArn: outbox.LatestStreamArn,
    topicArn,
    queues: Object.fromEntries(consumerQueues),
    relayFailureQueue: { name: relayFailureQueue.name, url: relayFailureQueue.url, arn: relayFailureQueue.arn },
  };
}

async function findTopicArn(sns: SNSClient): Promise<string> {
  let nextToken: string | undefined;
  do {
    const page = await sns.send(new ListTopicsCommand({ NextToken: nextToken }));
    const topic = page.Topics?.find((candidate) => candidate.TopicArn?.endsWith(`:${LOCAL_EVENTS_TOPIC_NAME}`));
    if (topic?.TopicArn !== undefined) {
      return topic.TopicArn;
    }
    nextToken = page.NextToken;
  } while (nextToken !== undefined && nextToken !== '');
  throw new LocalResourceMissingError('topic', LOCAL_EVENTS_TOPIC_NAME);
}

async function readConsumerQueue(
  sqs: SQSClient,
  endpoints: LocalEndpoints,
  consumer: QueueConsumerSettings,
): Promise<[string, LocalConsumerQueue]> {
  const [queue, dlq] = await Promise.all([
    readQueue(sqs, endpoints, consumer.queueName, ['VisibilityTimeout']),
    readQueue(sqs, endpoints, deadLetterQueueName(consumer)),
  ]);
  return [
    consumer.id,
    {
      name: queue.name,
      url: queue.url,
      arn: queue.arn,
      dlqName: dlq.name,
      dlqUrl: dlq.url,
      dlqArn: dlq.arn,
      visibilityTimeoutSeconds: Number(requireAttribute(queue.attributes, 'VisibilityTimeout', queue.name)),
    },
  ];
}

async function readQueue(
  sqs: SQSClient,
  endpoints: LocalEndpoints,
  name: string,
  extraAttributes: readonly ('VisibilityTimeout' | 'RedrivePolicy')[] = [],
): Promise<LocalQueue & { attributes: Partial<Record<string, string>> }> {
  const url = await queueUrlOf(sqs, endpoints, name);
  if (url === undefined) {
    throw new LocalResourceMissingError('queue', name);
  }
  const { Attributes: attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn', ...extraAttributes] }),
  );
  return { name, url, arn: requireAttribute(attributes, 'QueueArn', name), attributes };
}
