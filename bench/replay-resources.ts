/**
 * A copy of the pipeline's resources for the replay, in the same emulators: every table with the
 * same keys, indexes and stream, the events topic, and one queue per consumer subscribed with the
 * same filter policy and raw delivery. The replay works on the copy, so it neither disturbs the
 * pipeline's tables and queues nor shows up in the invariant checker's view of them.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { createLocalDynamoDbClient } from '../infra/local/cloud/aws-clients';
import { QUEUE_CONSUMERS, filterPolicyOf, type TableRole } from '../src/common/settings';
import type { BenchStack } from './bench-stack';

const PREFIX = 'bench-replay';

export interface ReplayResources {
  /** Pipeline table name → replay table name. */
  readonly tables: ReadonlyMap<string, string>;
  readonly outboxStreamArn: string;
  readonly topicArn: string;
  /** Pipeline queue name → replay queue URL. */
  readonly queues: ReadonlyMap<string, string>;
}

const created = new WeakMap<BenchStack, Promise<ReplayResources>>();

/** The stack's replay copy, created on first use (creating subscriptions twice would deliver twice). */
export function replayResourcesOf(stack: BenchStack): Promise<ReplayResources> {
  let resources = created.get(stack);
  if (resources === undefined) {
    resources = createReplayResources(stack);
    created.set(stack, resources);
  }
  return resources;
}

/** The replay copy's table names by role. */
export function replayTableNames(stack: BenchStack, resources: ReplayResources): Record<TableRole, string> {
  return Object.fromEntries(
    (Object.entries(stack.resources.tableNames) as [TableRole, string][]).map(([role, name]) => [role, resources.tables.get(name) ?? name]),
  ) as Record<TableRole, string>;
}

async function createReplayResources(stack: BenchStack): Promise<ReplayResources> {
  const dynamodb = createLocalDynamoDbClient(stack.endpoints);
  try {
    const tables = new Map<string, string>();
    let outboxStreamArn: string | undefined;
    for (const [role, name] of Object.entries(stack.resources.tableNames) as [TableRole, string][]) {
      const replayName = `${PREFIX}-${role}`;
      const { Table: table } = await dynamodb.send(new DescribeTableCommand({ TableName: name }));
      if (table === undefined) throw new Error(`table ${name} not found`);
      const input: CreateTableCommandInput = {
        TableName: replayName,
        KeySchema: table.KeySchema,
        AttributeDefinitions: table.AttributeDefinitions,
        BillingMode: 'PAY_PER_REQUEST',
        ...(table.GlobalSecondaryIndexes === undefined
          ? {}
          : {
              GlobalSecondaryIndexes: table.GlobalSecondaryIndexes.map((index) => ({
                IndexName: index.IndexName,
                KeySchema: index.KeySchema,
                Projection: index.Projection,
              })),
            }),
        ...(table.StreamSpecification?.StreamEnabled === true ? { StreamSpecification: table.StreamSpecification } : {}),
      };
      try {
        await dynamodb.send(new CreateTableCommand(input));
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error;
      }
      tables.set(name, replayName);
      if (role === 'outbox') {
        const { Table: created } = await dynamodb.send(new DescribeTableCommand({ TableName: replayName }));
        outboxStreamArn = created?.LatestStreamArn;
      }
    }
    if (outboxStreamArn === undefined) throw new Error('the replay outbox table has no stream');

    const { TopicArn: topicArn } = await stack.sns.send(new CreateTopicCommand({ Name: `${PREFIX}-events` }));
    if (topicArn === undefined) throw new Error('CreateTopic answered no ARN');
    const queues = new Map<string, string>();
    for (const consumer of QUEUE_CONSUMERS) {
      const { QueueUrl: url } = await stack.sqs.send(new CreateQueueCommand({ QueueName: `${PREFIX}-${consumer.queueName}` }));
      if (url === undefined) throw new Error('CreateQueue answered no URL');
      const { Attributes } = await stack.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
      await stack.sns.send(
        new SubscribeCommand({
          TopicArn: topicArn,
          Protocol: 'sqs',
          Endpoint: Attributes?.QueueArn,
          Attributes: {
            RawMessageDelivery: 'true',
            FilterPolicy: JSON.stringify(filterPolicyOf(consumer)),
            FilterPolicyScope: 'MessageAttributes',
          },
        }),
      );
      queues.set(consumer.queueName, url);
    }
    return { tables, outboxStreamArn, topicArn, queues };
  } finally {
    dynamodb.destroy();
  }
}
