/**
 * The local cloud against the real emulators: start-up, provisioning, routing, redrive, persistence
 * and DynamoDB Local's stream quirk. One file, because every block uses this suite's two ports
 * (18100 DynamoDB, 14600 SNS/SQS) and jest runs files in parallel; blocks run one after the other.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  PublishCommand,
  type SNSClient,
} from '@aws-sdk/client-sns';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { EVENT_TYPES, type EventType } from '../../../src/common/events/event-types';
import {
  MESSAGE_ATTRIBUTES,
  OUTBOX_RELAY,
  QUEUE_CONSUMERS,
  QUEUE_DEFAULTS,
  TABLES,
  filterPolicyOf,
  type TableRole,
} from '../../../src/common/settings';
import { scaledVisibilityTimeoutSeconds } from '../../../infra/local/local-settings';
import {
  createLocalDynamoDbClient,
  createLocalDynamoDbStreamsClient,
  createLocalSnsClient,
  createLocalSqsClient,
} from '../../../infra/local/cloud/aws-clients';
import { startEmulators, waitForEmulators, type StartedEmulators } from '../../../infra/local/cloud/emulators';
import {
  EmulatorExitedError,
  JavaNotFoundError,
  PortInUseError,
} from '../../../infra/local/cloud/local-cloud-errors';
import { DynamoDbStreamsError } from '../../../infra/local/cloud/local-dynamodb-streams-client';
import {
  describeLocalResources,
  provisionLocalResources,
  type LocalResources,
} from '../../../infra/local/cloud/provision';
import { purgeQueues, receiveNow, receiveUntil } from './sqs-test-helpers';
import { startProvisionedCloud, type ProvisionedCloud } from '../support/provisioned-cloud';

// Above receiveUntil's 10 s deadline, so a missing message fails with its own message.
jest.setTimeout(30_000);

const PORTS = { dynamodb: 18100, snsSqs: 14600 } as const;
const TIME_SCALE = 0.1;
const START_TIMEOUT_MS = 90_000;
const TABLE_ROLES = Object.keys(TABLES) as TableRole[];

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Publishes as the relay does: the eventType message attribute is what the filter policies match. */
async function publishEvent(sns: SNSClient, topicArn: string, eventType: EventType, orderId: string): Promise<string> {
  const body = JSON.stringify({ eventType, orderId });
  await sns.send(
    new PublishCommand({
      TopicArn: topicArn,
      Message: body,
      MessageAttributes: { [MESSAGE_ATTRIBUTES.eventType]: { DataType: 'String', StringValue: eventType } },
    }),
  );
  return body;
}

describe('startEmulators', () => {
  it('names the missing Java launcher and leaves no emulator behind', async () => {
    // Act
    const starting = startEmulators({ ports: PORTS, javaCommand: '/nonexistent/bin/java' });

    // Assess
    await expect(starting).rejects.toBeInstanceOf(JavaNotFoundError);
    await expect(isPortFree(PORTS.snsSqs)).resolves.toBe(true);
  }, START_TIMEOUT_MS);
});

describe('the in-memory local cloud', () => {
  let local: ProvisionedCloud | undefined;
  let emulators: StartedEmulators;
  let resources: LocalResources;
  let dynamodb: DynamoDBClient;
  let sns: SNSClient;
  let sqs: SQSClient;

  beforeAll(async () => {
    local = await startProvisionedCloud(PORTS, TIME_SCALE);
    ({ emulators, resources, dynamodb, sns, sqs } = local);
  }, START_TIMEOUT_MS);

  afterAll(() => local?.stop(), START_TIMEOUT_MS);

  describe('startEmulators', () => {
    it('runs each emulator as its own child process', () => {
      // Act
      const { dynamodb: dynamoDbPid, snsSqs: snsSqsPid } = emulators.pids;

      // Assess
      expect(new Set([dynamoDbPid, snsSqsPid, process.pid]).size).toBe(3);
      expect(isRunning(dynamoDbPid)).toBe(true);
      expect(isRunning(snsSqsPid)).toBe(true);
    });

    it('refuses ports that are already in use', async () => {
      // Act
      const starting = startEmulators({ ports: PORTS });

      // Assess
      await expect(starting).rejects.toBeInstanceOf(PortInUseError);
    });

    it('lets a runtime started on its own wait for the running emulators', async () => {
      // Act
      const waiting = waitForEmulators(emulators.endpoints, 5_000);

      // Assess
      await expect(waiting).resolves.toBeUndefined();
    });
  });

  describe('provisionLocalResources', () => {
    it('creates every table on demand, keyed by its partition key alone', async () => {
      // Act
      const tables = await Promise.all(
        TABLE_ROLES.map((role) => dynamodb.send(new DescribeTableCommand({ TableName: resources.tableNames[role] }))),
      );

      // Assess
      expect(tables.map(({ Table }) => Table?.KeySchema)).toEqual(
        TABLE_ROLES.map((role) => [{ AttributeName: TABLES[role].partitionKey, KeyType: 'HASH' }]),
      );
      expect(tables.map(({ Table }) => Table?.BillingModeSummary?.BillingMode)).toEqual(
        TABLE_ROLES.map(() => 'PAY_PER_REQUEST'),
      );
      expect(TABLE_ROLES.map((role) => resources.tableNames[role].includes(role))).toEqual(TABLE_ROLES.map(() => true));
    });

    it('streams new outbox images and expires outbox items by TTL', async () => {
      // Act
      const [{ Table: outbox }, { TimeToLiveDescription: ttl }] = await Promise.all([
        dynamodb.send(new DescribeTableCommand({ TableName: resources.tableNames.outbox })),
        dynamodb.send(new DescribeTimeToLiveCommand({ TableName: resources.tableNames.outbox })),
      ]);

      // Assess
      expect(outbox?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_IMAGE' });
      expect(outbox?.LatestStreamArn).toBe(resources.outboxStreamArn);
      expect(ttl).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: TABLES.outbox.ttlAttribute });
    });

    it('gives every consumer a queue that dead-letters after three receives into a longer-lived DLQ', async () => {
      // Act
      const attributes = await Promise.all(
        QUEUE_CONSUMERS.map(async (consumer) => {
          const queue = resources.queues[consumer.id]!;
          const [source, dlq] = await Promise.all([
            sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['All'] })),
            sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.dlqUrl, AttributeNames: ['All'] })),
          ]);
          return { consumer, queue, source: source.Attributes ?? {}, dlq: dlq.Attributes ?? {} };
        }),
      );

      // Assess
      for (const { consumer, queue, source, dlq } of attributes) {
        expect(queue.name).toBe(consumer.queueName);
        expect(queue.dlqName).toBe(`${consumer.queueName}-dlq`);
        expect(JSON.parse(source.RedrivePolicy ?? '{}')).toEqual({
          deadLetterTargetArn: queue.dlqArn,
          maxReceiveCount: QUEUE_DEFAULTS.maxReceiveCount,
        });
        expect(source.ReceiveMessageWaitTimeSeconds).toBe(String(QUEUE_DEFAULTS.receiveMessageWaitTimeSeconds));
        expect(source.MessageRetentionPeriod).toBe(String(QUEUE_DEFAULTS.retentionPeriodSeconds));
        expect(dlq.MessageRetentionPeriod).toBe(String(QUEUE_DEFAULTS.dlqRetentionPeriodSeconds));
        expect(dlq.QueueArn).toBe(queue.dlqArn);
      }
      expect(QUEUE_DEFAULTS.maxReceiveCount).toBe(3);
    });

    it('sets each visibility timeout to the scaled value, never below the scaled function timeout', async () => {
      // Act
      const visibilities = await Promise.all(
        QUEUE_CONSUMERS.map(async (consumer) => {
          const { Attributes } = await sqs.send(
            new GetQueueAttributesCommand({ QueueUrl: resources.queues[consumer.id]!.url, AttributeNames: ['VisibilityTimeout'] }),
          );
          return Number(Attributes?.VisibilityTimeout);
        }),
      );

      // Assess
      expect(visibilities).toEqual(QUEUE_CONSUMERS.map((consumer) => scaledVisibilityTimeoutSeconds(consumer, TIME_SCALE)));
      expect(QUEUE_CONSUMERS.map((consumer) => resources.queues[consumer.id]!.visibilityTimeoutSeconds)).toEqual(visibilities);
    });

    it('subscribes every consumer queue with raw delivery and its eventType filter policy', async () => {
      // Prepare
      const { Subscriptions = [] } = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: resources.topicArn }));

      // Act
      const subscriptions = await Promise.all(
        QUEUE_CONSUMERS.map(async (consumer) => {
          const subscription = Subscriptions.find((candidate) => candidate.Endpoint === resources.queues[consumer.id]!.arn);
          const { Attributes = {} } = await sns.send(
            new GetSubscriptionAttributesCommand({ SubscriptionArn: subscription?.SubscriptionArn }),
          );
          return { consumer, protocol: subscription?.Protocol, attributes: Attributes };
        }),
      );

      // Assess
      expect(Subscriptions).toHaveLength(QUEUE_CONSUMERS.length);
      for (const { consumer, protocol, attributes } of subscriptions) {
        expect(protocol).toBe('sqs');
        expect(attributes.RawMessageDelivery).toBe('true');
        expect(attributes.FilterPolicyScope).toBe('MessageAttributes');
        expect(JSON.parse(attributes.FilterPolicy ?? '{}')).toEqual(filterPolicyOf(consumer));
      }
    });

    it("creates the relay's on-failure queue", async () => {
      // Act
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: resources.relayFailureQueue.url, AttributeNames: ['QueueArn'] }),
      );

      // Assess
      expect(resources.relayFailureQueue.name).toBe(OUTBOX_RELAY.onFailureQueueName);
      expect(Attributes?.QueueArn).toBe(resources.relayFailureQueue.arn);
    });

    it('changes nothing when it runs again', async () => {
      // Prepare
      const inventory = async () => ({
        tables: (await dynamodb.send(new ListTablesCommand({}))).TableNames,
        queues: (await sqs.send(new ListQueuesCommand({}))).QueueUrls,
        subscriptions: (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: resources.topicArn }))).Subscriptions,
      });
      const before = await inventory();

      // Act
      const again = await provisionLocalResources(emulators.endpoints, { timeScale: TIME_SCALE });

      // Assess
      expect(again).toEqual(resources);
      expect(await inventory()).toEqual(before);
    });

    it('converges existing queues to a new time scale', async () => {
      // Act
      const atProductionScale = await provisionLocalResources(emulators.endpoints, { timeScale: 1 });
      const restored = await provisionLocalResources(emulators.endpoints, { timeScale: TIME_SCALE });

      // Assess
      expect(atProductionScale.queues.Payment?.visibilityTimeoutSeconds).toBe(90);
      expect(restored).toEqual(resources);
    });
  });

  describe('describeLocalResources', () => {
    it('reads back exactly what was provisioned', async () => {
      // Act
      const described = await describeLocalResources(emulators.endpoints);

      // Assess
      expect(described).toEqual(resources);
    });
  });

  describe('event routing', () => {
    const queueOf = (id: string): string => resources.queues[id]!.url;

    beforeEach(async () => {
      await purgeQueues(
        sqs,
        Object.values(resources.queues).flatMap((queue) => [queue.url, queue.dlqUrl]),
      );
    });

    it('delivers OrderCreated to the payment and inventory queues but not to notification', async () => {
      // Act
      const body = await publishEvent(sns, resources.topicArn, EVENT_TYPES.orderCreated, 'order-created-1');

      // Assess
      const payment = await receiveUntil(sqs, queueOf('Payment'), (message) => message.Body === body);
      const inventory = await receiveUntil(sqs, queueOf('Inventory'), (message) => message.Body === body);
      expect(payment.Body).toBe(body);
      expect(inventory.Body).toBe(body);
      expect(payment.MessageAttributes?.[MESSAGE_ATTRIBUTES.eventType]?.StringValue).toBe(EVENT_TYPES.orderCreated);
      // fauxqs fans out before Publish answers, so a message routed there would already be waiting.
      expect(await receiveNow(sqs, queueOf('Notification'))).toEqual([]);
      expect(await receiveNow(sqs, queueOf('OrderStatus'))).toEqual([]);
    });

    it('delivers PaymentFailed to the notification and order-status queues only', async () => {
      // Act
      const body = await publishEvent(sns, resources.topicArn, EVENT_TYPES.paymentFailed, 'payment-failed-1');

      // Assess
      const notification = await receiveUntil(sqs, queueOf('Notification'), (message) => message.Body === body);
      const orderStatus = await receiveUntil(sqs, queueOf('OrderStatus'), (message) => message.Body === body);
      expect(notification.Body).toBe(body);
      expect(orderStatus.Body).toBe(body);
      expect(await receiveNow(sqs, queueOf('Payment'))).toEqual([]);
      expect(await receiveNow(sqs, queueOf('Inventory'))).toEqual([]);
    });

    it('moves a message received three times without a delete to its DLQ', async () => {
      // Prepare
      const queue = resources.queues.Payment!;
      const body = JSON.stringify({ poison: 'dlq-1' });
      await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: body }));
      const receiveCounts: (string | undefined)[] = [];

      // Act: each failed attempt ends its visibility at once instead of waiting out the timeout.
      for (let attempt = 1; attempt <= QUEUE_DEFAULTS.maxReceiveCount; attempt += 1) {
        const message = await receiveUntil(sqs, queue.url, (candidate) => candidate.Body === body);
        receiveCounts.push(message.Attributes?.ApproximateReceiveCount);
        await sqs.send(
          new ChangeMessageVisibilityCommand({ QueueUrl: queue.url, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 }),
        );
      }
      const fourthReceive = await receiveNow(sqs, queue.url);

      // Assess
      expect(receiveCounts).toEqual(['1', '2', '3']);
      expect(fourthReceive).toEqual([]);
      const dead = await receiveUntil(sqs, queue.dlqUrl, (candidate) => candidate.Body === body);
      expect(dead.Body).toBe(body);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queue.dlqUrl, ReceiptHandle: dead.ReceiptHandle }));
    });
  });

  /**
   * DynamoDB Local numbers stream records with one counter across all tables, and every write to
   * any table advances it. A shard's iterator taken before its first record points at the shard's
   * starting number; if another write took that number, the first read throws. The order API's
   * first transaction (order + outbox item) is exactly that case.
   */
  describe('DynamoDB Local streams', () => {
    const probeTable = 'stream-probe-outbox';
    let shardId: string;
    let streamArn: string;

    beforeAll(async () => {
      await dynamodb.send(
        new CreateTableCommand({
          TableName: probeTable,
          AttributeDefinitions: [{ AttributeName: 'eventId', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'eventId', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
          StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
        }),
      );
      const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: probeTable }));
      streamArn = Table!.LatestStreamArn!;
      const streams = createLocalDynamoDbStreamsClient(emulators.endpoints);
      shardId = (await streams.describeStream({ StreamArn: streamArn })).Shards[0]!.ShardId;
    });

    it('throws TrimmedDataAccessException on the first read of an iterator taken before the shard was written', async () => {
      // Prepare
      const streams = createLocalDynamoDbStreamsClient(emulators.endpoints);
      const iterator = await streams.getShardIterator({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' });
      await dynamodb.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: resources.tableNames.orders, Item: { orderId: { S: 'stream-probe-order' } } } },
            { Put: { TableName: probeTable, Item: { eventId: { S: 'stream-probe-event' } } } },
          ],
        }),
      );

      // Act
      const reading = streams.getRecords({ ShardIterator: iterator });

      // Assess
      await expect(reading).rejects.toThrow(DynamoDbStreamsError);
      await expect(reading).rejects.toHaveProperty('name', 'TrimmedDataAccessException');
    });

    it('serves the record to a new TRIM_HORIZON iterator taken after that error, in the Lambda record form', async () => {
      // Prepare
      const streams = createLocalDynamoDbStreamsClient(emulators.endpoints);
      const iterator = await streams.getShardIterator({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' });

      // Act
      const { Records, NextShardIterator } = await streams.getRecords({ ShardIterator: iterator });

      // Assess
      expect(Records).toHaveLength(1);
      expect(Records[0]).toMatchObject({
        eventName: 'INSERT',
        eventSource: 'aws:dynamodb',
        dynamodb: { Keys: { eventId: { S: 'stream-probe-event' } }, StreamViewType: 'NEW_IMAGE' },
      });
      expect(typeof Records[0]?.dynamodb?.ApproximateCreationDateTime).toBe('number');
      expect(NextShardIterator).toEqual(expect.any(String));
    });
  });
});

describe('the persistent local cloud', () => {
  let dataDir: string;
  let emulators: StartedEmulators | undefined;
  let clients: { dynamodb: DynamoDBClient; sns: SNSClient; sqs: SQSClient } | undefined;

  function connect(started: StartedEmulators): NonNullable<typeof clients> {
    // New clients per emulator run: pooled sockets to a killed emulator are dead.
    clients?.dynamodb.destroy();
    clients?.sns.destroy();
    clients?.sqs.destroy();
    clients = {
      dynamodb: createLocalDynamoDbClient(started.endpoints),
      sns: createLocalSnsClient(started.endpoints),
      sqs: createLocalSqsClient(started.endpoints),
    };
    return clients;
  }

  beforeAll(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'local-cloud-persistence-'));
  });

  afterAll(async () => {
    clients?.dynamodb.destroy();
    clients?.sns.destroy();
    clients?.sqs.destroy();
    await emulators?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }, START_TIMEOUT_MS);

  it('keeps an item, a queued message and the stream ARN across kill -9 and a restart', async () => {
    // Prepare
    const first = await startEmulators({ dataDir, ports: PORTS });
    emulators = first;
    const before = await provisionLocalResources(first.endpoints, { timeScale: TIME_SCALE });
    const beforeCrash = connect(first);
    const item = { orderId: { S: 'persisted-order' }, status: { S: 'PENDING' } };
    await beforeCrash.dynamodb.send(new PutItemCommand({ TableName: before.tableNames.orders, Item: item }));
    const body = await publishEvent(beforeCrash.sns, before.topicArn, EVENT_TYPES.orderCreated, 'persisted-order');

    // Act
    process.kill(first.pids.dynamodb, 'SIGKILL');
    process.kill(first.pids.snsSqs, 'SIGKILL');
    const crash = await first.unexpectedExit;
    await first.stop();
    const second = await startEmulators({ dataDir, ports: PORTS });
    emulators = second;
    const after = await provisionLocalResources(second.endpoints, { timeScale: TIME_SCALE });
    const afterRestart = connect(second);

    // Assess
    expect(crash).toBeInstanceOf(EmulatorExitedError);
    expect(crash.signal).toBe('SIGKILL');
    expect([first.pids.dynamodb, first.pids.snsSqs].map(isRunning)).toEqual([false, false]);
    expect(after).toEqual(before);
    const { Item } = await afterRestart.dynamodb.send(
      new GetItemCommand({ TableName: after.tableNames.orders, Key: { orderId: item.orderId } }),
    );
    expect(Item).toEqual(item);
    const queued = await receiveUntil(afterRestart.sqs, after.queues.Payment!.url, (message) => message.Body === body);
    expect(queued.Body).toBe(body);
  }, 2 * START_TIMEOUT_MS);
});
