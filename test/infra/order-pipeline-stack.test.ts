import type { IResource } from 'aws-cdk-lib/aws-apigateway';
import { Match } from 'aws-cdk-lib/assertions';
import { functionEnvironment, mapTableRoles, TABLE_ROLES } from '../../infra/function-environment';
import {
  EVENTS_TOPIC,
  filterPolicyOf,
  ORDER_API_FUNCTION,
  ORDER_API_ROUTES,
  OUTBOX_RELAY,
  OUTBOX_SWEEPER,
  QUEUE_CONSUMERS,
  QUEUE_DEFAULTS,
  TABLES,
  visibilityTimeoutSeconds,
  type QueueConsumerSettings,
} from '../../src/common/settings';
import {
  ALL_FUNCTIONS,
  arnOf,
  assertHasOutput,
  assertHasResource,
  assertResourceCount,
  functionOf,
  logicalIdOf,
  ref,
  resourceOf,
  synthesizePipeline,
  type SynthesizedPipeline,
} from './synthesize-pipeline';

let pipeline: SynthesizedPipeline;

/** Marks a placeholder that stands for a CloudFormation `Ref`. */
const REF = 'ref:';

/** Renders an `Fn::Join` policy document to JSON, each `Ref` shown as `<logicalId>`. */
function renderJoin(join: unknown): unknown {
  const parts = (join as { 'Fn::Join': [string, (string | { Ref: string })[]] })['Fn::Join'][1];
  return JSON.parse(parts.map((part) => (typeof part === 'string' ? part : `<${part.Ref}>`)).join(''));
}

beforeAll(() => {
  pipeline = synthesizePipeline();
});

function inboxOf(consumer: QueueConsumerSettings) {
  const found = pipeline.stack.consumers.find(({ settings }) => settings.id === consumer.id);
  if (found === undefined) throw new Error(`No inbox for ${consumer.id}`);
  return found.inbox;
}

const TLS_ONLY_QUEUE_STATEMENT = {
  Effect: 'Deny',
  Action: 'sqs:*',
  Principal: { AWS: '*' },
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
};

describe('OrderPipelineStack', () => {
  describe('consumer queues', () => {
    it('creates one subscription and one queue mapping per consumer', () => {
      // Assess
      assertResourceCount(pipeline.template, 'AWS::SNS::Subscription', QUEUE_CONSUMERS.length);
      assertResourceCount(pipeline.template, 'AWS::Lambda::EventSourceMapping', QUEUE_CONSUMERS.length, {
        EventSourceArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] },
      });
    });

    it.each(QUEUE_CONSUMERS)('redrives $id messages to its DLQ after 3 receives', (consumer) => {
      // Prepare
      const inbox = inboxOf(consumer);

      // Act
      const queue = resourceOf(pipeline.template, inbox.queue);

      // Assess
      expect(queue.Properties.RedrivePolicy).toEqual({
        deadLetterTargetArn: arnOf(inbox.deadLetterQueue),
        maxReceiveCount: 3,
      });
      expect(QUEUE_DEFAULTS.maxReceiveCount).toBe(3);
    });

    it.each(QUEUE_CONSUMERS)('keeps $id dead letters longer than its queue keeps messages', (consumer) => {
      // Prepare
      const inbox = inboxOf(consumer);

      // Act
      const queue = resourceOf(pipeline.template, inbox.queue);
      const deadLetterQueue = resourceOf(pipeline.template, inbox.deadLetterQueue);

      // Assess
      expect(queue.Properties.MessageRetentionPeriod).toBe(QUEUE_DEFAULTS.retentionPeriodSeconds);
      expect(deadLetterQueue.Properties.MessageRetentionPeriod).toBe(QUEUE_DEFAULTS.dlqRetentionPeriodSeconds);
      expect(QUEUE_DEFAULTS.dlqRetentionPeriodSeconds).toBeGreaterThan(QUEUE_DEFAULTS.retentionPeriodSeconds);
    });

    it.each(QUEUE_CONSUMERS)('gives $id a visibility timeout of 6 × its function timeout', (consumer) => {
      // Act
      const queue = resourceOf(pipeline.template, inboxOf(consumer).queue);
      const fn = resourceOf(pipeline.template, functionOf(pipeline.stack, consumer).function);

      // Assess
      expect(fn.Properties.Timeout).toBe(consumer.timeoutSeconds);
      expect(queue.Properties.VisibilityTimeout).toBe(6 * consumer.timeoutSeconds);
      expect(queue.Properties.VisibilityTimeout).toBe(visibilityTimeoutSeconds(consumer));
    });

    it.each(QUEUE_CONSUMERS)('long-polls the $id queue', (consumer) => {
      // Act
      const queue = resourceOf(pipeline.template, inboxOf(consumer).queue);

      // Assess
      expect(queue.Properties.ReceiveMessageWaitTimeSeconds).toBe(QUEUE_DEFAULTS.receiveMessageWaitTimeSeconds);
    });

    it.each(QUEUE_CONSUMERS)('encrypts the $id queue and its DLQ with SSE-SQS', (consumer) => {
      // Prepare
      const inbox = inboxOf(consumer);

      // Act
      const queues = [inbox.queue, inbox.deadLetterQueue].map((queue) => resourceOf(pipeline.template, queue));

      // Assess
      for (const queue of queues) {
        expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true });
        expect(queue.Properties).not.toHaveProperty('KmsMasterKeyId');
      }
    });

    it.each(QUEUE_CONSUMERS)('refuses plain HTTP on the $id queue and its DLQ', (consumer) => {
      // Prepare
      const inbox = inboxOf(consumer);

      // Assess
      for (const queue of [inbox.queue, inbox.deadLetterQueue]) {
        assertHasResource(pipeline.template, 'AWS::SQS::QueuePolicy', {
          Queues: [ref(queue)],
          PolicyDocument: {
            Statement: Match.arrayWith([{ ...TLS_ONLY_QUEUE_STATEMENT, Resource: arnOf(queue) }]),
          },
        });
      }
    });

    it.each(QUEUE_CONSUMERS)('lets only the events topic send to the $id queue', (consumer) => {
      // Prepare
      const queue = inboxOf(consumer).queue;

      // Assess
      assertHasResource(pipeline.template, 'AWS::SQS::QueuePolicy', {
        Queues: [ref(queue)],
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Effect: 'Allow',
              Action: 'sqs:SendMessage',
              Principal: { Service: 'sns.amazonaws.com' },
              Resource: arnOf(queue),
              Condition: { ArnEquals: { 'aws:SourceArn': ref(pipeline.stack.events.topic) } },
            },
          ]),
        },
      });
    });

    it.each(QUEUE_CONSUMERS)('subscribes the $id queue to its event types only, with raw delivery', (consumer) => {
      // Assess
      assertHasResource(pipeline.template, 'AWS::SNS::Subscription', {
        Protocol: 'sqs',
        TopicArn: ref(pipeline.stack.events.topic),
        Endpoint: arnOf(inboxOf(consumer).queue),
        FilterPolicy: filterPolicyOf(consumer),
        RawMessageDelivery: true,
      });
    });

    it.each(QUEUE_CONSUMERS)('feeds $id in batches and lets it report partial failures', (consumer) => {
      // Assess
      assertHasResource(pipeline.template, 'AWS::Lambda::EventSourceMapping', {
        EventSourceArn: arnOf(inboxOf(consumer).queue),
        FunctionName: ref(functionOf(pipeline.stack, consumer).function),
        BatchSize: consumer.batchSize,
        MaximumBatchingWindowInSeconds: consumer.maxBatchingWindowSeconds,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: consumer.maxConcurrency },
      });
    });

    it.each(QUEUE_CONSUMERS)('alarms on the first message in the $id DLQ', (consumer) => {
      // Assess
      assertHasResource(pipeline.template, 'AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [
          { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(inboxOf(consumer).deadLetterQueue), 'QueueName'] } },
        ],
        Statistic: 'Maximum',
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        AlarmActions: [ref(pipeline.stack.alarms.topic)],
      });
    });
  });

  describe('outbox relay', () => {
    it('reads new outbox items from the stream with bounded, bisected retries and partial failures', () => {
      // Prepare
      const { stream } = OUTBOX_RELAY;

      // Assess
      assertHasResource(pipeline.template, 'AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [logicalIdOf(pipeline.stack.tables.tables.outbox), 'StreamArn'] },
        FunctionName: ref(pipeline.stack.outboxRelay.relay.function),
        StartingPosition: 'TRIM_HORIZON',
        FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'] }) }] },
        BatchSize: stream.batchSize,
        MaximumBatchingWindowInSeconds: stream.maxBatchingWindowSeconds,
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: stream.retryAttempts,
        MaximumRecordAgeInSeconds: stream.maxRecordAgeSeconds,
        ParallelizationFactor: stream.parallelizationFactor,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: { OnFailure: { Destination: arnOf(pipeline.stack.outboxRelay.failureQueue) } },
      });
    });

    it('keeps failed batch metadata in an encrypted, TLS-only queue', () => {
      // Prepare
      const failureQueue = pipeline.stack.outboxRelay.failureQueue;

      // Act
      const queue = resourceOf(pipeline.template, failureQueue);

      // Assess
      expect(queue.Properties).toMatchObject({
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: QUEUE_DEFAULTS.dlqRetentionPeriodSeconds,
      });
      assertHasResource(pipeline.template, 'AWS::SQS::QueuePolicy', {
        Queues: [ref(failureQueue)],
        PolicyDocument: {
          Statement: Match.arrayWith([{ ...TLS_ONLY_QUEUE_STATEMENT, Resource: arnOf(failureQueue) }]),
        },
      });
    });

    it('alarms on the first batch the relay gives up on', () => {
      // Assess
      assertHasResource(pipeline.template, 'AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [
          {
            Name: 'QueueName',
            Value: { 'Fn::GetAtt': [logicalIdOf(pipeline.stack.outboxRelay.failureQueue), 'QueueName'] },
          },
        ],
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        AlarmActions: [ref(pipeline.stack.alarms.topic)],
      });
    });

    it('alarms when the relay stays more than a minute behind the stream for five minutes', () => {
      // Assess
      assertHasResource(pipeline.template, 'AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'IteratorAge',
        Dimensions: [{ Name: 'FunctionName', Value: ref(pipeline.stack.outboxRelay.relay.function) }],
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 5,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 60_000,
        AlarmActions: [ref(pipeline.stack.alarms.topic)],
      });
    });
  });

  describe('outbox sweeper', () => {
    const sweeperFunction = () => pipeline.stack.outboxSweeper.sweeper.function;

    it(`invokes the sweeper every ${OUTBOX_SWEEPER.scheduleMinutes} minutes with its threshold as the input`, () => {
      // Act
      const rule = resourceOf(pipeline.template, pipeline.stack.outboxSweeper.schedule);

      // Assess
      expect(rule.Properties).toMatchObject({
        ScheduleExpression: `rate(${OUTBOX_SWEEPER.scheduleMinutes} minutes)`,
        State: 'ENABLED',
        Targets: [
          {
            Arn: arnOf(sweeperFunction()),
            Id: expect.any(String),
            Input: JSON.stringify({ pendingThresholdSeconds: OUTBOX_SWEEPER.pendingThresholdSeconds }),
            RetryPolicy: { MaximumEventAgeInSeconds: OUTBOX_SWEEPER.scheduleMinutes * 60 },
          },
        ],
      });
    });

    it('lets only its schedule invoke the sweeper', () => {
      // Assess
      assertResourceCount(pipeline.template, 'AWS::Lambda::Permission', 1, {
        FunctionName: arnOf(sweeperFunction()),
        Principal: 'events.amazonaws.com',
        SourceArn: arnOf(pipeline.stack.outboxSweeper.schedule),
      });
    });

    it('leaves the retry of a failed sweep to the next scheduled run', () => {
      // Assess
      assertHasResource(pipeline.template, 'AWS::Lambda::EventInvokeConfig', {
        FunctionName: ref(sweeperFunction()),
        MaximumRetryAttempts: 0,
        MaximumEventAgeInSeconds: OUTBOX_SWEEPER.scheduleMinutes * 60,
      });
    });

    it('alarms on the first failed sweep', () => {
      // Assess
      assertHasResource(pipeline.template, 'AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: ref(sweeperFunction()) }],
        Statistic: 'Sum',
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        AlarmActions: [ref(pipeline.stack.alarms.topic)],
        OKActions: [ref(pipeline.stack.alarms.topic)],
      });
    });

    it('binds the sweeper to the outbox table and the events topic only', () => {
      // Act
      const sweeper = resourceOf(pipeline.template, sweeperFunction());
      const variables = (sweeper.Properties.Environment as { Variables: Record<string, unknown> }).Variables;

      // Assess
      expect(variables).toMatchObject({
        [TABLES.outbox.env]: ref(pipeline.stack.tables.tables.outbox),
        [EVENTS_TOPIC.env]: ref(pipeline.stack.events.topic),
      });
      expect(Object.keys(variables).filter((name) => name.endsWith('_TABLE_NAME'))).toEqual([TABLES.outbox.env]);
    });
  });

  describe('tables', () => {
    it('creates one table per role', () => {
      // Assess
      assertResourceCount(pipeline.template, 'AWS::DynamoDB::Table', TABLE_ROLES.length);
    });

    it.each(TABLE_ROLES)('keys the %s table on its string partition key, on demand, with PITR and SSE', (role) => {
      // Act
      const table = resourceOf(pipeline.template, pipeline.stack.tables.tables[role]);

      // Assess
      expect(table.Properties).toMatchObject({
        KeySchema: [{ AttributeName: TABLES[role].partitionKey, KeyType: 'HASH' }],
        AttributeDefinitions: expect.arrayContaining([{ AttributeName: TABLES[role].partitionKey, AttributeType: 'S' }]),
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
      });
    });

    it('streams new outbox images and expires outbox items on their TTL attribute', () => {
      // Act
      const outbox = resourceOf(pipeline.template, pipeline.stack.tables.tables.outbox);

      // Assess
      expect(outbox.Properties).toMatchObject({
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
        TimeToLiveSpecification: { AttributeName: TABLES.outbox.ttlAttribute, Enabled: true },
      });
    });

    it('indexes only pending outbox items, by bucket and age, with what the sweeper publishes', () => {
      // Prepare
      const index = TABLES.outbox.pendingIndex;

      // Act
      const outbox = resourceOf(pipeline.template, pipeline.stack.tables.tables.outbox);

      // Assess: sparse, because only PENDING items carry the bucket attribute
      expect(outbox.Properties.GlobalSecondaryIndexes).toEqual([
        {
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ]);
      expect(outbox.Properties.AttributeDefinitions).toEqual(
        expect.arrayContaining([
          { AttributeName: index.partitionKey, AttributeType: 'S' },
          { AttributeName: index.sortKey, AttributeType: 'S' },
        ]),
      );
    });

    it.each(TABLE_ROLES.filter((role) => role !== 'outbox'))('gives the %s table no secondary index', (role) => {
      // Act
      const table = resourceOf(pipeline.template, pipeline.stack.tables.tables[role]);

      // Assess
      expect(table.Properties).not.toHaveProperty('GlobalSecondaryIndexes');
    });

    it('deletes the tables with a demo stack by default', () => {
      // Act
      const tables = TABLE_ROLES.map((role) => resourceOf(pipeline.template, pipeline.stack.tables.tables[role]));

      // Assess
      for (const table of tables) {
        expect(table.DeletionPolicy).toBe('Delete');
        expect(table.Properties.DeletionProtectionEnabled).toBe(false);
      }
    });

    it('retains and protects data when deployed with retainData=true', () => {
      // Prepare
      const retained = synthesizePipeline({ retainData: 'true' });
      const tables = TABLE_ROLES.map((role) => resourceOf(retained.template, retained.stack.tables.tables[role]));
      const deadLetterQueues = retained.stack.consumers.map(({ inbox }) =>
        resourceOf(retained.template, inbox.deadLetterQueue),
      );

      // Assess
      for (const table of tables) {
        expect(table.DeletionPolicy).toBe('Retain');
        expect(table.Properties.DeletionProtectionEnabled).toBe(true);
      }
      for (const queue of deadLetterQueues) {
        expect(queue.DeletionPolicy).toBe('Retain');
      }
    });
  });

  describe('topics', () => {
    it('encrypts the events topic with a rotated customer-managed key and traces it actively', () => {
      // Prepare
      const { topic, key } = pipeline.stack.events;

      // Act
      const topicResource = resourceOf(pipeline.template, topic);
      const keyResource = resourceOf(pipeline.template, key);

      // Assess
      expect(topicResource.Properties).toMatchObject({ KmsMasterKeyId: arnOf(key), TracingConfig: 'Active' });
      expect(keyResource.Properties).toMatchObject({ EnableKeyRotation: true });
    });

    it('lets SNS write trace segments for the events topic only', () => {
      // Prepare
      const policies = pipeline.template.findResources('AWS::XRay::ResourcePolicy');

      // Act
      const documents = Object.values(policies).map((policy) => renderJoin(policy.Properties.PolicyDocument));

      // Assess
      expect(documents).toEqual([
        {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'sns.amazonaws.com' },
              Action: ['xray:PutTraceSegments', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'],
              Resource: '*',
              Condition: {
                StringEquals: { 'aws:SourceAccount': '<AWS::AccountId>' },
                ArnLike: { 'aws:SourceArn': `<${logicalIdOf(pipeline.stack.events.topic)}>` },
              },
            },
          ],
        },
      ]);
    });

    it.each([
      ['events', () => pipeline.stack.events.topic],
      ['alarm', () => pipeline.stack.alarms.topic],
    ])('refuses plain HTTP on the %s topic', (_name, topicOf) => {
      // Prepare
      const topic = topicOf();

      // Assess
      assertHasResource(pipeline.template, 'AWS::SNS::TopicPolicy', {
        Topics: [ref(topic)],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sns:Publish',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              Resource: ref(topic),
            }),
          ]),
        },
      });
    });

    it('encrypts the alarm topic with a key CloudWatch may use, and lets this account’s alarms publish', () => {
      // Prepare
      const { topic, key } = pipeline.stack.alarms;

      // Act
      const topicResource = resourceOf(pipeline.template, topic);
      const keyResource = resourceOf(pipeline.template, key);

      // Assess
      expect(topicResource.Properties.KmsMasterKeyId).toEqual(arnOf(key));
      expect(keyResource.Properties).toMatchObject({
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: expect.arrayContaining([
            expect.objectContaining({
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            }),
          ]),
        },
      });
      assertHasResource(pipeline.template, 'AWS::SNS::TopicPolicy', {
        Topics: [ref(topic)],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: 'sns:Publish',
              Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } }),
            }),
          ]),
        },
      });
    });

    it('subscribes an email address to the alarm topic only when alarmEmail is given', () => {
      // Prepare
      const withEmail = synthesizePipeline({ alarmEmail: 'ops@example.com' });

      // Assess
      assertResourceCount(pipeline.template, 'AWS::SNS::Subscription', 0, { Protocol: 'email' });
      assertHasResource(withEmail.template, 'AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'ops@example.com',
        TopicArn: ref(withEmail.stack.alarms.topic),
      });
    });
  });

  describe('functions', () => {
    it.each(ALL_FUNCTIONS)('runs $id on Node.js 24 (arm64), traced, sized from its settings', (settings) => {
      // Act
      const fn = resourceOf(pipeline.template, functionOf(pipeline.stack, settings).function);

      // Assess
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        Timeout: settings.timeoutSeconds,
        MemorySize: settings.memorySizeMb,
      });
    });

    it.each(ALL_FUNCTIONS)('gives $id exactly the environment of its bindings', (settings) => {
      // Prepare: the pure environment, with each resource name standing for its CloudFormation Ref
      const expected = functionEnvironment(settings, {
        tableNames: mapTableRoles((role) => REF + logicalIdOf(pipeline.stack.tables.tables[role])),
        topicArn: REF + logicalIdOf(pipeline.stack.events.topic),
      });

      // Act
      const fn = resourceOf(pipeline.template, functionOf(pipeline.stack, settings).function);

      // Assess
      expect(fn.Properties.Environment).toEqual({
        Variables: Object.fromEntries(
          Object.entries(expected).map(([name, value]) => [
            name,
            value.startsWith(REF) ? { Ref: value.slice(REF.length) } : value,
          ]),
        ),
      });
    });

    it('binds the order API to its three tables and no topic', () => {
      // Act
      const api = resourceOf(pipeline.template, functionOf(pipeline.stack, ORDER_API_FUNCTION).function);
      const variables = (api.Properties.Environment as { Variables: Record<string, unknown> }).Variables;

      // Assess
      expect(variables).toMatchObject({
        [TABLES.orders.env]: ref(pipeline.stack.tables.tables.orders),
        [TABLES.outbox.env]: ref(pipeline.stack.tables.tables.outbox),
        [TABLES.idempotency.env]: ref(pipeline.stack.tables.tables.idempotency),
      });
      expect(variables).not.toHaveProperty(EVENTS_TOPIC.env);
      expect(variables).not.toHaveProperty(TABLES.payments.env);
    });

    it('binds the relay to the outbox table and the events topic', () => {
      // Act
      const relay = resourceOf(pipeline.template, functionOf(pipeline.stack, OUTBOX_RELAY).function);
      const variables = (relay.Properties.Environment as { Variables: Record<string, unknown> }).Variables;

      // Assess
      expect(variables).toMatchObject({
        [TABLES.outbox.env]: ref(pipeline.stack.tables.tables.outbox),
        [EVENTS_TOPIC.env]: ref(pipeline.stack.events.topic),
      });
      expect(variables).not.toHaveProperty(TABLES.orders.env);
    });

    it.each(ALL_FUNCTIONS)('logs $id to its own log group with a retention', (settings) => {
      // Prepare
      const { function: fn, logGroup } = functionOf(pipeline.stack, settings);

      // Act
      const fnResource = resourceOf(pipeline.template, fn);
      const logGroupResource = resourceOf(pipeline.template, logGroup);

      // Assess
      expect(fnResource.Properties.LoggingConfig).toEqual({ LogGroup: ref(logGroup) });
      expect(logGroupResource.Properties.RetentionInDays).toEqual(expect.any(Number));
    });
  });

  describe('order API', () => {
    it.each(ORDER_API_ROUTES)('proxies $method $resource to the order API function', ({ method, resource: path }) => {
      // Prepare
      const resource = path
        .split('/')
        .filter((part) => part !== '')
        .reduce<IResource | undefined>((parent, part) => parent?.getResource(part), pipeline.stack.orderApi.api.root);
      if (resource === undefined) throw new Error(`No resource ${path}`);

      // Assess
      assertHasResource(pipeline.template, 'AWS::ApiGateway::Method', {
        HttpMethod: method,
        ResourceId: ref(resource),
        Integration: {
          Type: 'AWS_PROXY',
          IntegrationHttpMethod: 'POST',
          Uri: {
            'Fn::Join': ['', Match.arrayWith([arnOf(pipeline.stack.orderApi.handler.function)])],
          },
        },
      });
    });

    it('exposes no other method', () => {
      // Assess
      assertResourceCount(pipeline.template, 'AWS::ApiGateway::Method', ORDER_API_ROUTES.length);
    });

    it('traces, throttles and logs the stage, with one JSON access log line per request', () => {
      // Act
      const stage = resourceOf(pipeline.template, pipeline.stack.orderApi.api.deploymentStage);
      const accessLog = stage.Properties.AccessLogSetting as { Format: string; DestinationArn: unknown };

      // Assess
      expect(stage.Properties).toMatchObject({
        TracingEnabled: true,
        MethodSettings: [
          expect.objectContaining({
            HttpMethod: '*',
            ResourcePath: '/*',
            LoggingLevel: 'ERROR',
            DataTraceEnabled: false,
            ThrottlingRateLimit: expect.any(Number),
            ThrottlingBurstLimit: expect.any(Number),
          }),
        ],
      });
      expect(accessLog.DestinationArn).toBeDefined();
      expect(JSON.parse(accessLog.Format)).toMatchObject({
        requestId: '$context.requestId',
        xrayTraceId: '$context.xrayTraceId',
        status: '$context.status',
      });
    });
  });

  describe('outputs', () => {
    it('publishes the API URL, the topic ARN and every table name', () => {
      // Assess
      assertHasOutput(pipeline.template, 'ApiUrl', { Value: Match.anyValue() });
      assertHasOutput(pipeline.template, 'EventsTopicArn', { Value: ref(pipeline.stack.events.topic) });
      for (const role of TABLE_ROLES) {
        const table = pipeline.stack.tables.tables[role];
        assertHasOutput(pipeline.template, `${TABLES[role].id}TableName`, { Value: ref(table) });
      }
    });

    it.each(QUEUE_CONSUMERS)('publishes the $id queue and DLQ URLs', (consumer) => {
      // Prepare
      const inbox = inboxOf(consumer);

      // Assess
      assertHasOutput(pipeline.template, `${consumer.id}QueueUrl`, { Value: ref(inbox.queue) });
      assertHasOutput(pipeline.template, `${consumer.id}DeadLetterQueueUrl`, { Value: ref(inbox.deadLetterQueue) });
    });

    it('publishes the relay failure queue URL', () => {
      // Assess
      const failureQueue = pipeline.stack.outboxRelay.failureQueue;
      assertHasOutput(pipeline.template, 'RelayFailureQueueUrl', { Value: ref(failureQueue) });
    });
  });
});
