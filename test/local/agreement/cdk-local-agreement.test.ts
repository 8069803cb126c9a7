/**
 * The CDK stack and the local stack read the same settings; this proves they come out the same.
 * The template is synthesized without bundling (as the infra tests do), the local cloud is the
 * in-memory emulators provisioned as `npm start` provisions them, and the local runtime's view is
 * what its own helpers hand the Lambda service and the event source mappings.
 *
 * Durations are the one documented difference: the local stack multiplies them by
 * LOCAL_TIME_SCALE. Each is checked twice: the relation AWS enforces holds at the local scale, and
 * the scaling helpers give exactly the CDK value at scale 1.
 */
import { DescribeTableCommand, DescribeTimeToLiveCommand, ListTablesCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetSubscriptionAttributesCommand,
  ListSubscriptionsCommand,
  ListTopicsCommand,
  type SNSClient,
  type Subscription,
} from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, ListQueuesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { TABLE_ROLES } from '../../../infra/function-environment';
import { localAwsEnvironment } from '../../../infra/local/cloud/aws-clients';
import type { StartedEmulators } from '../../../infra/local/cloud/emulators';
import type { LocalResources } from '../../../infra/local/cloud/provision';
import {
  DEFAULT_LOCAL_TIME_SCALE,
  scaledFunctionTimeoutSeconds,
  scaledVisibilityTimeoutSeconds,
} from '../../../infra/local/local-settings';
import { LambdaService, type LocalFunction } from '../../../infra/local/runtime/lambda-service';
import {
  localFunctions,
  sqsMappingSettingsOf,
  streamMappingSettingsOf,
} from '../../../infra/local/runtime/local-functions';
import { shardPolicyOf } from '../../../infra/local/runtime/stream-mapping/shard-processor';
import { STARTING_POSITION } from '../../../infra/local/runtime/stream-mapping/stream-mapping';
import {
  OUTBOX_RELAY,
  QUEUE_CONSUMERS,
  TABLES,
  type FunctionSettings,
  type QueueConsumerSettings,
  type TableRole,
} from '../../../src/common/settings';
import { ALL_FUNCTIONS, logicalIdOf, synthesizePipeline, type SynthesizedPipeline } from '../../infra/synthesize-pipeline';
import { fixtureFunction, TEST_SERVICE_OPTIONS } from '../support/local-function';
import { startProvisionedCloud, type ProvisionedCloud } from '../support/provisioned-cloud';

const PORTS = { dynamodb: 19201, snsSqs: 19202 } as const;
/** What `npm start` provisions with when LOCAL_TIME_SCALE is unset. */
const TIME_SCALE = DEFAULT_LOCAL_TIME_SCALE;
const START_TIMEOUT_MS = 90_000;

/**
 * Variables only the local runtime sets: they point the SDK at the emulators and give it the
 * emulators' fixed credentials. On Lambda the region and credentials are reserved variables Lambda
 * sets itself, and the endpoints are the public ones, so none of them is in the template.
 */
const LOCAL_ONLY_VARIABLES = [
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_ENDPOINT_URL_DYNAMODB',
  'AWS_ENDPOINT_URL_DYNAMODB_STREAMS',
  'AWS_ENDPOINT_URL_SNS',
  'AWS_ENDPOINT_URL_SQS',
] as const;

/** SNS's default when a subscription has a filter policy and no scope. */
const DEFAULT_FILTER_POLICY_SCOPE = 'MessageAttributes';

interface CfnResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
}

type Attributes = Partial<Record<string, string>>;

/** The logical id a `{ Ref }` or `{ Fn::GetAtt }` points at. */
function targetOf(value: unknown): string {
  if (typeof value === 'object' && value !== null) {
    if ('Ref' in value && typeof value.Ref === 'string') return value.Ref;
    if ('Fn::GetAtt' in value && Array.isArray(value['Fn::GetAtt']) && typeof value['Fn::GetAtt'][0] === 'string') {
      return value['Fn::GetAtt'][0];
    }
  }
  throw new Error(`Not a resource reference: ${JSON.stringify(value)}`);
}

/** Lists whose order carries no meaning (attribute definitions, indexes), sorted for comparison. */
function byName<T, K extends keyof T>(items: readonly T[], key: K): T[] {
  return [...items].sort((a, b) => String(a[key]).localeCompare(String(b[key])));
}

function isReference(value: unknown): boolean {
  return typeof value === 'object' && value !== null && ('Ref' in value || 'Fn::GetAtt' in value);
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what} is not an object`);
  return value as Record<string, unknown>;
}

/** The template's side: resources by logical id, and the stack's constructs to name them. */
class CloudView {
  private readonly resources: Record<string, CfnResource>;

  constructor(private readonly pipeline: SynthesizedPipeline) {
    this.resources = pipeline.template.toJSON().Resources;
  }

  resource(logicalId: string): CfnResource {
    const found = this.resources[logicalId];
    if (found === undefined) throw new Error(`${logicalId} is not in the template`);
    return found;
  }

  ofType(type: string): [string, CfnResource][] {
    return Object.entries(this.resources).filter(([, resource]) => resource.Type === type);
  }

  /** Settings id of the function a logical id belongs to. */
  functionIdOf(logicalId: string): string {
    for (const [id, fn] of this.pipeline.stack.functions) {
      if (logicalIdOf(fn.function) === logicalId) return id;
    }
    throw new Error(`${logicalId} is no pipeline function`);
  }

  functionOf(settings: Pick<FunctionSettings, 'id'>): CfnResource {
    const fn = this.pipeline.stack.functions.get(settings.id);
    if (fn === undefined) throw new Error(`No function ${settings.id} in the stack`);
    return this.resource(logicalIdOf(fn.function));
  }

  /** Consumer id of the inbox queue a logical id belongs to. */
  consumerIdOfQueue(logicalId: string): string {
    const consumer = this.pipeline.stack.consumers.find(({ inbox }) => logicalIdOf(inbox.queue) === logicalId);
    if (consumer === undefined) throw new Error(`${logicalId} is no consumer inbox queue`);
    return consumer.settings.id;
  }

  tableLogicalId(role: TableRole): string {
    return logicalIdOf(this.pipeline.stack.tables.tables[role]);
  }

  get eventsTopicLogicalId(): string {
    return logicalIdOf(this.pipeline.stack.events.topic);
  }

  get relayFailureQueueLogicalId(): string {
    return logicalIdOf(this.pipeline.stack.outboxRelay.failureQueue);
  }

  /** Every event source mapping fed by an SQS queue. */
  get sqsMappings(): CfnResource[] {
    return this.ofType('AWS::Lambda::EventSourceMapping')
      .map(([, mapping]) => mapping)
      .filter((mapping) => this.resource(targetOf(mapping.Properties.EventSourceArn)).Type === 'AWS::SQS::Queue');
  }

  /** The one SQS mapping that feeds this consumer's function. */
  sqsMappingOf(consumer: QueueConsumerSettings): CfnResource {
    const mappings = this.sqsMappings.filter(
      (mapping) => this.functionIdOf(targetOf(mapping.Properties.FunctionName)) === consumer.id,
    );
    if (mappings.length !== 1) throw new Error(`${consumer.id} has ${mappings.length} SQS mappings in the template`);
    return mappings[0]!;
  }

  /** The consumer's queue (what its mapping reads) and that queue's DLQ (what its redrive targets). */
  queuesOf(consumer: QueueConsumerSettings): { queue: CfnResource; redrive: Record<string, unknown>; dlq: CfnResource } {
    const queue = this.resource(targetOf(this.sqsMappingOf(consumer).Properties.EventSourceArn));
    const redrive = record(queue.Properties.RedrivePolicy, `${consumer.id} queue RedrivePolicy`);
    return { queue, redrive, dlq: this.resource(targetOf(redrive.deadLetterTargetArn)) };
  }
}

describe('the local stack and the CDK stack', () => {
  let cloud: CloudView;
  let local: ProvisionedCloud | undefined;
  let emulators: StartedEmulators;
  let resources: LocalResources;
  let dynamodb: DynamoDBClient;
  let sns: SNSClient;
  let sqs: SQSClient;

  beforeAll(async () => {
    cloud = new CloudView(synthesizePipeline());
    local = await startProvisionedCloud(PORTS, TIME_SCALE);
    ({ emulators, resources, dynamodb, sns, sqs } = local);
  }, START_TIMEOUT_MS);

  afterAll(() => local?.stop(), START_TIMEOUT_MS);

  /** The functions exactly as the local runtime hands them to its Lambda service. */
  function localFunctionsAt(timeScale: number): Map<string, LocalFunction> {
    const functions = localFunctions({
      resources: { tableNames: resources.tableNames, topicArn: resources.topicArn },
      awsEnvironment: localAwsEnvironment(emulators.endpoints),
      timeScale,
    });
    return new Map(functions.map((fn) => [fn.name, fn]));
  }

  function localFunctionOf(settings: Pick<FunctionSettings, 'id'>, timeScale: number): LocalFunction {
    const fn = localFunctionsAt(timeScale).get(settings.id);
    if (fn === undefined) throw new Error(`The local runtime runs no function ${settings.id}`);
    return fn;
  }

  async function localQueueAttributes(queueUrl: string): Promise<Attributes> {
    const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }));
    return Attributes;
  }

  async function localSubscriptions(): Promise<Subscription[]> {
    const subscriptions: Subscription[] = [];
    let nextToken: string | undefined;
    do {
      const page = await sns.send(new ListSubscriptionsCommand({ NextToken: nextToken }));
      subscriptions.push(...(page.Subscriptions ?? []));
      nextToken = page.NextToken;
    } while (nextToken !== undefined && nextToken !== '');
    return subscriptions;
  }

  /** Consumer id of a local queue ARN (the id `resources.queues` is keyed by). */
  function localConsumerIdOfQueue(queueArn: string | undefined): string {
    const entry = Object.entries(resources.queues).find(([, queue]) => queue.arn === queueArn);
    if (entry === undefined) throw new Error(`${queueArn} is no local consumer queue`);
    return entry[0];
  }

  const consumerRows = QUEUE_CONSUMERS.map((consumer) => [consumer.id, consumer] as const);
  const functionRows = ALL_FUNCTIONS.map((settings) => [settings.id, settings] as const);

  describe('queues', () => {
    it('are the same set: a queue and a DLQ per consumer, and the relay failure queue', async () => {
      // Act
      const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({}));
      const cloudQueues = cloud.ofType('AWS::SQS::Queue').map(([logicalId]) => logicalId);

      // Assess
      expect(QueueUrls).toHaveLength(cloudQueues.length);
      expect(cloudQueues).toHaveLength(2 * QUEUE_CONSUMERS.length + 1);
      expect(new Set(cloudQueues)).toEqual(
        new Set([
          ...QUEUE_CONSUMERS.flatMap((consumer) => {
            const { redrive } = cloud.queuesOf(consumer);
            return [targetOf(cloud.sqsMappingOf(consumer).Properties.EventSourceArn), targetOf(redrive.deadLetterTargetArn)];
          }),
          cloud.relayFailureQueueLogicalId,
        ]),
      );
    });

    it.each(consumerRows)('%s: a DLQ after the same number of receives, kept longer than its source, and the same long polling', async (id, consumer) => {
      // Prepare
      const queue = resources.queues[consumer.id];
      if (queue === undefined) throw new Error(`No local queue for ${id}`);
      const { queue: cdkQueue, redrive: cdkRedrive, dlq: cdkDlq } = cloud.queuesOf(consumer);

      // Act
      const [source, dlq] = await Promise.all([localQueueAttributes(queue.url), localQueueAttributes(queue.dlqUrl)]);
      const localRedrive = record(JSON.parse(source.RedrivePolicy ?? 'null'), `${id} local RedrivePolicy`);
      const local = {
        deadLetterTarget: localRedrive.deadLetterTargetArn === queue.dlqArn && dlq.QueueArn === queue.dlqArn ? `${id} DLQ` : localRedrive.deadLetterTargetArn,
        maxReceiveCount: Number(localRedrive.maxReceiveCount),
        receiveMessageWaitTimeSeconds: Number(source.ReceiveMessageWaitTimeSeconds),
        dlqOutlivesSource: Number(dlq.MessageRetentionPeriod) > Number(source.MessageRetentionPeriod),
        retentionSeconds: Number(source.MessageRetentionPeriod),
        dlqRetentionSeconds: Number(dlq.MessageRetentionPeriod),
      };
      const cdk = {
        deadLetterTarget: cdkDlq.Type === 'AWS::SQS::Queue' && cdkDlq !== cdkQueue ? `${id} DLQ` : targetOf(cdkRedrive.deadLetterTargetArn),
        maxReceiveCount: Number(cdkRedrive.maxReceiveCount),
        receiveMessageWaitTimeSeconds: Number(cdkQueue.Properties.ReceiveMessageWaitTimeSeconds),
        dlqOutlivesSource: Number(cdkDlq.Properties.MessageRetentionPeriod) > Number(cdkQueue.Properties.MessageRetentionPeriod),
        retentionSeconds: Number(cdkQueue.Properties.MessageRetentionPeriod),
        dlqRetentionSeconds: Number(cdkDlq.Properties.MessageRetentionPeriod),
      };

      // Assess
      expect({ [`${id} queue`]: local }).toEqual({ [`${id} queue`]: cdk });
      expect(local.dlqOutlivesSource).toBe(true);
    });

    it.each(consumerRows)('%s: a visibility timeout of 6 × the function timeout in the cloud, and its documented scaling locally', async (id, consumer) => {
      // Prepare
      const queue = resources.queues[consumer.id];
      if (queue === undefined) throw new Error(`No local queue for ${id}`);
      const cdkVisibility = Number(cloud.queuesOf(consumer).queue.Properties.VisibilityTimeout);
      const cdkFunctionTimeout = Number(cloud.functionOf(consumer).Properties.Timeout);

      // Act
      const localVisibility = Number((await localQueueAttributes(queue.url)).VisibilityTimeout);
      const localFunctionTimeout = localFunctionOf(consumer, TIME_SCALE).timeoutSeconds;

      // Assess
      expect({ [`${id} visibility timeout`]: cdkVisibility }).toEqual({ [`${id} visibility timeout`]: 6 * cdkFunctionTimeout });
      expect({ [`${id} local visibility timeout`]: localVisibility }).toEqual({
        [`${id} local visibility timeout`]: scaledVisibilityTimeoutSeconds(consumer, TIME_SCALE),
      });
      // Lambda refuses a mapping whose function timeout exceeds the queue's visibility timeout.
      expect(localVisibility).toBeGreaterThanOrEqual(localFunctionTimeout);
      expect({ [`${id} at LOCAL_TIME_SCALE=1`]: [scaledVisibilityTimeoutSeconds(consumer, 1), scaledFunctionTimeoutSeconds(consumer, 1)] }).toEqual({
        [`${id} at LOCAL_TIME_SCALE=1`]: [cdkVisibility, cdkFunctionTimeout],
      });
    });

    it("the relay's on-failure queue is kept as long as a DLQ in both", async () => {
      // Prepare
      const cdkRetention = Number(cloud.resource(cloud.relayFailureQueueLogicalId).Properties.MessageRetentionPeriod);
      const cdkDlqRetention = Number(cloud.queuesOf(QUEUE_CONSUMERS[0]!).dlq.Properties.MessageRetentionPeriod);

      // Act
      const local = await localQueueAttributes(resources.relayFailureQueue.url);

      // Assess
      expect(resources.relayFailureQueue.name).toBe(OUTBOX_RELAY.onFailureQueueName);
      expect({ 'relay failure queue retention': Number(local.MessageRetentionPeriod) }).toEqual({
        'relay failure queue retention': cdkRetention,
      });
      expect(cdkRetention).toBe(cdkDlqRetention);
    });
  });

  describe('subscriptions', () => {
    it('subscribe the same queues, and only them, to the one events topic', async () => {
      // Prepare
      const { Topics = [] } = await sns.send(new ListTopicsCommand({}));

      // Act
      const local = (await localSubscriptions()).map(
        (subscription) => `${subscription.TopicArn === resources.topicArn ? 'events' : subscription.TopicArn} → ${subscription.Protocol} ${localConsumerIdOfQueue(subscription.Endpoint)}`,
      );
      const cdk = cloud
        .ofType('AWS::SNS::Subscription')
        .map(([, { Properties }]) => Properties)
        .filter((properties) => properties.Protocol === 'sqs')
        .map(
          (properties) =>
            `${targetOf(properties.TopicArn) === cloud.eventsTopicLogicalId ? 'events' : targetOf(properties.TopicArn)} → sqs ${cloud.consumerIdOfQueue(targetOf(properties.Endpoint))}`,
        );

      // Assess
      expect(local.sort()).toEqual(cdk.sort());
      expect(cdk).toHaveLength(QUEUE_CONSUMERS.length);
      expect(Topics.map((topic) => topic.TopicArn)).toEqual([resources.topicArn]);
    });

    it.each(consumerRows)('%s: the same filter policy, scope and raw message delivery', async (id, consumer) => {
      // Prepare
      const queue = resources.queues[consumer.id];
      const subscription = (await localSubscriptions()).find((candidate) => candidate.Endpoint === queue?.arn);
      const cdkQueueId = targetOf(cloud.sqsMappingOf(consumer).Properties.EventSourceArn);
      const [cdkSubscription, ...others] = cloud
        .ofType('AWS::SNS::Subscription')
        .map(([, { Properties }]) => Properties)
        .filter((properties) => properties.Protocol === 'sqs' && targetOf(properties.Endpoint) === cdkQueueId);
      if (subscription?.SubscriptionArn === undefined || cdkSubscription === undefined || others.length > 0) {
        throw new Error(`${id}: expected one subscription on each side`);
      }

      // Act
      const { Attributes: local = {} } = await sns.send(
        new GetSubscriptionAttributesCommand({ SubscriptionArn: subscription.SubscriptionArn }),
      );

      // Assess
      expect({
        [`${id} subscription`]: {
          filterPolicy: JSON.parse(local.FilterPolicy ?? 'null'),
          filterPolicyScope: local.FilterPolicyScope ?? DEFAULT_FILTER_POLICY_SCOPE,
          rawMessageDelivery: local.RawMessageDelivery === 'true',
        },
      }).toEqual({
        [`${id} subscription`]: {
          filterPolicy: cdkSubscription.FilterPolicy,
          filterPolicyScope: cdkSubscription.FilterPolicyScope ?? DEFAULT_FILTER_POLICY_SCOPE,
          rawMessageDelivery: cdkSubscription.RawMessageDelivery === true || cdkSubscription.RawMessageDelivery === 'true',
        },
      });
    });
  });

  describe('event source mappings', () => {
    it('feed every consumer function from its own queue, once', () => {
      // Act
      const cdk = cloud.sqsMappings.map(
        (mapping) =>
          `${cloud.consumerIdOfQueue(targetOf(mapping.Properties.EventSourceArn))} → ${cloud.functionIdOf(targetOf(mapping.Properties.FunctionName))}`,
      );
      // The local runtime starts one mapping per consumer, from `resources.queues[consumer.id]`.
      const local = QUEUE_CONSUMERS.map((consumer) => `${consumer.id} → ${sqsMappingSettingsOf(consumer, 1).functionName}`);

      // Assess
      expect(cdk.sort()).toEqual(local.sort());
    });

    it.each(consumerRows)('%s: the same batch size, batching window, response types and maximum concurrency', (id, consumer) => {
      // Prepare
      const { Properties: cdk } = cloud.sqsMappingOf(consumer);

      // Act
      const local = sqsMappingSettingsOf(consumer, 1);

      // Assess
      expect({
        [`${id} SQS mapping`]: {
          BatchSize: local.batchSize,
          MaximumBatchingWindowInSeconds: local.maxBatchingWindowMs / 1000,
          FunctionResponseTypes: local.reportBatchItemFailures ? ['ReportBatchItemFailures'] : [],
          MaximumConcurrency: local.maxConcurrency,
          FunctionTimeout: local.functionTimeoutSeconds,
        },
      }).toEqual({
        [`${id} SQS mapping`]: {
          BatchSize: cdk.BatchSize,
          MaximumBatchingWindowInSeconds: cdk.MaximumBatchingWindowInSeconds,
          FunctionResponseTypes: cdk.FunctionResponseTypes ?? [],
          MaximumConcurrency: record(cdk.ScalingConfig, `${id} ScalingConfig`).MaximumConcurrency,
          FunctionTimeout: cloud.functionOf(consumer).Properties.Timeout,
        },
      });
    });

    it(`${OUTBOX_RELAY.id}: the same stream mapping settings and on-failure destination`, async () => {
      // Prepare
      const streamMappings = cloud
        .ofType('AWS::Lambda::EventSourceMapping')
        .map(([, mapping]) => mapping.Properties)
        .filter((properties) => cloud.resource(targetOf(properties.EventSourceArn)).Type === 'AWS::DynamoDB::Table');
      const [cdk, ...others] = streamMappings;
      if (cdk === undefined || others.length > 0) throw new Error(`Expected one stream mapping, found ${streamMappings.length}`);
      const { Table: outbox } = await dynamodb.send(new DescribeTableCommand({ TableName: resources.tableNames.outbox }));

      // Act
      const local = streamMappingSettingsOf(OUTBOX_RELAY, 1);
      const policy = shardPolicyOf(local.settings, local.timeScale);
      const filters = (record(cdk.FilterCriteria, 'FilterCriteria').Filters as { Pattern: string }[] | undefined) ?? [];
      const onFailure = record(record(cdk.DestinationConfig, 'DestinationConfig').OnFailure, 'OnFailure');

      // Assess
      expect({
        [`${OUTBOX_RELAY.id} stream mapping`]: {
          function: local.functionName,
          stream: resources.outboxStreamArn === outbox?.LatestStreamArn ? 'outbox' : resources.outboxStreamArn,
          BatchSize: policy.batchSize,
          MaximumBatchingWindowInSeconds: policy.batchingWindowMs / 1000,
          BisectBatchOnFunctionError: policy.bisectBatchOnError,
          MaximumRetryAttempts: policy.retryAttempts,
          MaximumRecordAgeInSeconds: policy.maxRecordAgeMs / 1000,
          FilterCriteria: [{ eventName: [...policy.eventNames] }],
          ParallelizationFactor: local.settings.parallelizationFactor,
          StartingPosition: STARTING_POSITION,
          FunctionResponseTypes: local.reportBatchItemFailures ? ['ReportBatchItemFailures'] : [],
          onFailure: resources.relayFailureQueue.name === OUTBOX_RELAY.onFailureQueueName ? 'relay failure queue' : resources.relayFailureQueue.name,
        },
      }).toEqual({
        [`${OUTBOX_RELAY.id} stream mapping`]: {
          function: cloud.functionIdOf(targetOf(cdk.FunctionName)),
          stream: targetOf(cdk.EventSourceArn) === cloud.tableLogicalId('outbox') ? 'outbox' : targetOf(cdk.EventSourceArn),
          BatchSize: cdk.BatchSize,
          MaximumBatchingWindowInSeconds: cdk.MaximumBatchingWindowInSeconds,
          BisectBatchOnFunctionError: cdk.BisectBatchOnFunctionError,
          MaximumRetryAttempts: cdk.MaximumRetryAttempts,
          MaximumRecordAgeInSeconds: cdk.MaximumRecordAgeInSeconds,
          FilterCriteria: filters.map((filter) => JSON.parse(filter.Pattern)),
          ParallelizationFactor: cdk.ParallelizationFactor,
          StartingPosition: cdk.StartingPosition,
          FunctionResponseTypes: cdk.FunctionResponseTypes ?? [],
          onFailure: targetOf(onFailure.Destination) === cloud.relayFailureQueueLogicalId ? 'relay failure queue' : targetOf(onFailure.Destination),
        },
      });
    });
  });

  describe('tables', () => {
    it('are the same set of roles', async () => {
      // Act
      const { TableNames = [] } = await dynamodb.send(new ListTablesCommand({}));

      // Assess
      expect(TableNames.sort()).toEqual(TABLE_ROLES.map((role) => resources.tableNames[role]).sort());
      expect(cloud.ofType('AWS::DynamoDB::Table').map(([logicalId]) => logicalId).sort()).toEqual(
        TABLE_ROLES.map((role) => cloud.tableLogicalId(role)).sort(),
      );
    });

    it.each(TABLE_ROLES.map((role) => [TABLES[role].id, role] as const))('%s: the same key schema, stream view type and TTL attribute', async (id, role) => {
      // Prepare
      const { Properties: cdk } = cloud.resource(cloud.tableLogicalId(role));

      // Act
      const [{ Table: local }, { TimeToLiveDescription: ttl }] = await Promise.all([
        dynamodb.send(new DescribeTableCommand({ TableName: resources.tableNames[role] })),
        dynamodb.send(new DescribeTimeToLiveCommand({ TableName: resources.tableNames[role] })),
      ]);
      const cdkIndexes = (cdk.GlobalSecondaryIndexes as { IndexName: string; KeySchema: unknown; Projection: unknown }[] | undefined) ?? [];
      const cdkStream = cdk.StreamSpecification === undefined ? undefined : record(cdk.StreamSpecification, `${id} StreamSpecification`);
      const cdkTtl = cdk.TimeToLiveSpecification === undefined ? undefined : record(cdk.TimeToLiveSpecification, `${id} TTL`);

      // Assess
      expect({
        [`${id} table`]: {
          keySchema: local?.KeySchema,
          attributeDefinitions: byName(local?.AttributeDefinitions ?? [], 'AttributeName'),
          globalSecondaryIndexes: byName(
            (local?.GlobalSecondaryIndexes ?? []).map(({ IndexName, KeySchema, Projection }) => ({ IndexName, KeySchema, Projection })),
            'IndexName',
          ),
          streamViewType: local?.StreamSpecification?.StreamEnabled === true ? local.StreamSpecification.StreamViewType : undefined,
          ttlAttribute: ttl?.TimeToLiveStatus === 'ENABLED' ? ttl.AttributeName : undefined,
        },
      }).toEqual({
        [`${id} table`]: {
          keySchema: cdk.KeySchema,
          attributeDefinitions: byName((cdk.AttributeDefinitions as { AttributeName: string }[] | undefined) ?? [], 'AttributeName'),
          globalSecondaryIndexes: byName(
            cdkIndexes.map(({ IndexName, KeySchema, Projection }) => ({ IndexName, KeySchema, Projection })),
            'IndexName',
          ),
          streamViewType: cdkStream?.StreamViewType,
          ttlAttribute: cdkTtl?.Enabled === true ? cdkTtl.AttributeName : undefined,
        },
      });
    });
  });

  describe('functions', () => {
    /** The local value a template value stands for: a literal as is, a reference as the local resource. */
    function localCounterpartOf(value: unknown): unknown {
      if (!isReference(value)) return value;
      const target = targetOf(value);
      if (target === cloud.eventsTopicLogicalId) return resources.topicArn;
      const role = TABLE_ROLES.find((candidate) => cloud.tableLogicalId(candidate) === target);
      if (role !== undefined) return resources.tableNames[role];
      return `unknown reference to ${target}`;
    }

    it('are the same set: every function of the stack runs locally, and no other', () => {
      // Act
      const local = [...localFunctionsAt(TIME_SCALE).keys()];
      // A Lambda function of the template that is none of the pipeline's fails here, by its logical id.
      const cdk = cloud.ofType('AWS::Lambda::Function').map(([logicalId]) => cloud.functionIdOf(logicalId));

      // Assess
      expect(local.sort()).toEqual(cdk.sort());
      expect(local.sort()).toEqual(ALL_FUNCTIONS.map((settings) => settings.id).sort());
    });

    it.each(functionRows)('%s: the same environment variables, the resources they name included', (id, settings) => {
      // Prepare
      const cdkVariables = record(record(cloud.functionOf(settings).Properties.Environment, `${id} Environment`).Variables, `${id} Variables`);
      const localVariables = localFunctionOf(settings, TIME_SCALE).environment;

      // Act
      const local = Object.fromEntries(
        Object.entries(localVariables).filter(([name]) => !(LOCAL_ONLY_VARIABLES as readonly string[]).includes(name)),
      );
      const cdk = Object.fromEntries(Object.entries(cdkVariables).map(([name, value]) => [name, localCounterpartOf(value)]));

      // Assess
      expect({ [`${id} environment`]: Object.keys(local).sort() }).toEqual({ [`${id} environment`]: Object.keys(cdkVariables).sort() });
      expect({ [`${id} environment`]: local }).toEqual({ [`${id} environment`]: cdk });
      expect(Object.keys(localAwsEnvironment(emulators.endpoints)).sort()).toEqual([...LOCAL_ONLY_VARIABLES].sort());
    });

    it.each(functionRows)('%s: the same timeout at LOCAL_TIME_SCALE=1 and the same memory', (id, settings) => {
      // Prepare
      const { Properties: cdk } = cloud.functionOf(settings);

      // Act
      const local = localFunctionOf(settings, 1);

      // Assess
      expect({ [`${id} function`]: { timeoutSeconds: local.timeoutSeconds, memorySizeMb: local.memorySizeMb } }).toEqual({
        [`${id} function`]: { timeoutSeconds: cdk.Timeout, memorySizeMb: cdk.MemorySize },
      });
    });

    it('runs every function on the Node.js major and handler setting of its Lambda runtime', async () => {
      // Prepare
      const runtimes = new Set(ALL_FUNCTIONS.map((settings) => cloud.functionOf(settings).Properties.Runtime));
      const handlers = new Set(ALL_FUNCTIONS.map((settings) => cloud.functionOf(settings).Properties.Handler));
      const service = await LambdaService.start({
        ...TEST_SERVICE_OPTIONS,
        functions: [fixtureFunction('runtime-info')],
        log: () => undefined,
      });

      // Act
      const result = await service.invoke('runtime-info', {}).finally(() => service.stop());

      // Assess
      expect(runtimes.size).toBe(1);
      expect(handlers.size).toBe(1);
      const [runtime] = [...runtimes];
      expect(result).toMatchObject({
        status: 'ok',
        payload: {
          nodeVersion: expect.stringMatching(new RegExp(`^${String(runtime).replace(/^nodejs(\d+)\.x$/, '$1')}\\.`)),
          executionEnv: `AWS_Lambda_${String(runtime)}`,
          handlerSetting: [...handlers][0],
        },
      });
    });
  });
});
