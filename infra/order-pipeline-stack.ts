import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import {
  ORDER_API_FUNCTION,
  OUTBOX_RELAY,
  OUTBOX_SWEEPER,
  QUEUE_CONSUMERS,
  TABLES,
  type QueueConsumerSettings,
} from '../src/common/settings';
import { AlarmTopic } from './constructs/alarm-topic';
import { ConsumerQueue } from './constructs/consumer-queue';
import { EventsTopic } from './constructs/events-topic';
import { OrderApi } from './constructs/order-api';
import { OutboxRelay } from './constructs/outbox-relay';
import { OutboxSweeper } from './constructs/outbox-sweeper';
import { PipelineDashboard } from './constructs/pipeline-dashboard';
import { PipelineFunction, type PipelineResources } from './constructs/pipeline-function';
import { PipelineTables } from './constructs/pipeline-tables';
import { TABLE_ROLES } from './function-environment';
import type { PipelineContext } from './pipeline-context';

export interface OrderPipelineStackProps extends StackProps, PipelineContext {}

export interface QueueConsumer {
  readonly settings: QueueConsumerSettings;
  readonly function: PipelineFunction;
  readonly inbox: ConsumerQueue;
}

/**
 * The whole pipeline: API → order function → orders + outbox tables → stream → relay → events
 * topic → one filtered queue per consumer → consumer functions. Every name, size and timeout comes
 * from `src/common/settings.ts`, which the local stack reads too.
 */
export class OrderPipelineStack extends Stack {
  readonly tables: PipelineTables;
  readonly events: EventsTopic;
  readonly alarms: AlarmTopic;
  readonly orderApi: OrderApi;
  readonly outboxRelay: OutboxRelay;
  readonly outboxSweeper: OutboxSweeper;
  readonly consumers: readonly QueueConsumer[];
  readonly dashboard: PipelineDashboard;
  /** Every function, by its settings id. */
  readonly functions: ReadonlyMap<string, PipelineFunction>;

  constructor(scope: Construct, id: string, props: OrderPipelineStackProps) {
    super(scope, id, props);
    // A demo is torn down whole; a kept deployment keeps its data and refuses table deletion.
    const removalPolicy = props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.tables = new PipelineTables(this, 'Tables', {
      removalPolicy,
      deletionProtection: props.retainData,
    });
    this.events = new EventsTopic(this, 'Events', { removalPolicy });
    this.alarms = new AlarmTopic(this, 'Alarms', { removalPolicy, alarmEmail: props.alarmEmail });
    const resources: PipelineResources = { tables: this.tables.tables, eventsTopic: this.events.topic };

    this.orderApi = new OrderApi(this, 'Api', { settings: ORDER_API_FUNCTION, resources, removalPolicy });

    this.outboxRelay = new OutboxRelay(this, 'Relay', {
      settings: OUTBOX_RELAY,
      outboxTable: this.tables.tables.outbox,
      resources,
      alarms: this.alarms,
      removalPolicy,
    });

    this.outboxSweeper = new OutboxSweeper(this, 'Sweeper', {
      settings: OUTBOX_SWEEPER,
      resources,
      alarms: this.alarms,
      removalPolicy,
    });

    this.consumers = QUEUE_CONSUMERS.map((settings) => {
      const fn = new PipelineFunction(this, settings.id, { settings, resources, removalPolicy });
      const inbox = new ConsumerQueue(this, `${settings.id}Inbox`, {
        consumer: settings,
        handler: fn.function,
        eventsTopic: this.events.topic,
        alarms: this.alarms,
        removalPolicy,
      });
      return { settings, function: fn, inbox };
    });

    this.functions = new Map([
      [ORDER_API_FUNCTION.id, this.orderApi.handler],
      [OUTBOX_RELAY.id, this.outboxRelay.relay],
      [OUTBOX_SWEEPER.id, this.outboxSweeper.sweeper],
      ...this.consumers.map((consumer): [string, PipelineFunction] => [consumer.settings.id, consumer.function]),
    ]);

    this.dashboard = new PipelineDashboard(this, 'Dashboard', {
      api: this.orderApi.api,
      relay: this.outboxRelay.relay.function,
      relayFailureQueue: this.outboxRelay.failureQueue,
      queues: this.consumers.map(({ settings, inbox }) => ({
        label: settings.id,
        queue: inbox.queue,
        deadLetterQueue: inbox.deadLetterQueue,
      })),
    });

    this.addOutputs();
  }

  private addOutputs(): void {
    new CfnOutput(this, 'ApiUrl', { value: this.orderApi.api.url, description: 'Base URL of the order API stage' });
    new CfnOutput(this, 'EventsTopicArn', { value: this.events.topic.topicArn });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });
    for (const { settings, inbox } of this.consumers) {
      new CfnOutput(this, `${settings.id}QueueUrl`, { value: inbox.queue.queueUrl });
      new CfnOutput(this, `${settings.id}DeadLetterQueueUrl`, { value: inbox.deadLetterQueue.queueUrl });
    }
    new CfnOutput(this, 'RelayFailureQueueUrl', {
      value: this.outboxRelay.failureQueue.queueUrl,
      description: 'Metadata of outbox stream batches the relay gave up on',
    });
    for (const role of TABLE_ROLES) {
      new CfnOutput(this, `${TABLES[role].id}TableName`, { value: this.tables.tables[role].tableName });
    }
  }
}
