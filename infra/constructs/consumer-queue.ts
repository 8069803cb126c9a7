import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  filterPolicyOf,
  QUEUE_DEFAULTS,
  visibilityTimeoutSeconds,
  type QueueConsumerSettings,
} from '../../src/common/settings';
import type { AlarmTopic } from './alarm-topic';

export interface ConsumerQueueProps {
  readonly consumer: QueueConsumerSettings;
  /** The consumer's function; the queue becomes its event source. */
  readonly handler: lambda.IFunction;
  readonly eventsTopic: sns.ITopic;
  readonly alarms: AlarmTopic;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Every queue of the pipeline is TLS-only and encrypted with SSE-SQS. Not SSE-KMS with the AWS
 * managed `alias/aws/sqs` key: SNS could not deliver to it, because that key's policy cannot be
 * changed to let SNS use it. SSE-SQS needs no key permissions at all.
 */
export const SECURE_QUEUE_PROPS = {
  encryption: sqs.QueueEncryption.SQS_MANAGED,
  enforceSSL: true,
} as const satisfies sqs.QueueProps;

/** Builds the policy SNS stores from the settings' `{ attribute: allowlist }` form. */
function snsFilterPolicy(consumer: QueueConsumerSettings): Record<string, sns.SubscriptionFilter> {
  return Object.fromEntries(
    Object.entries(filterPolicyOf(consumer)).map(([attribute, allowlist]) => [
      attribute,
      sns.SubscriptionFilter.stringFilter({ allowlist }),
    ]),
  );
}

/**
 * A consumer's inbox: its queue and DLQ, its own subscription to the events topic (filtered on
 * `eventType`, raw delivery so the SQS body is the event itself), the event source mapping that
 * feeds its function with partial batch responses, and an alarm on the first dead letter.
 *
 * Queue names are left to CloudFormation (the logical ids carry the consumer's id) so stacks can
 * coexist in an account and replacements never collide; `queueName` names them in the local stack.
 */
export class ConsumerQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly deadLetterAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ConsumerQueueProps) {
    super(scope, id);
    const { consumer, removalPolicy } = props;

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      ...SECURE_QUEUE_PROPS,
      // Longer than the source queue, so a message cannot expire before someone redrives it.
      retentionPeriod: Duration.seconds(QUEUE_DEFAULTS.dlqRetentionPeriodSeconds),
      removalPolicy,
    });

    this.queue = new sqs.Queue(this, 'Queue', {
      ...SECURE_QUEUE_PROPS,
      retentionPeriod: Duration.seconds(QUEUE_DEFAULTS.retentionPeriodSeconds),
      // Lambda refuses a mapping whose function timeout exceeds this; 6× leaves room for retries.
      visibilityTimeout: Duration.seconds(visibilityTimeoutSeconds(consumer)),
      receiveMessageWaitTime: Duration.seconds(QUEUE_DEFAULTS.receiveMessageWaitTimeSeconds),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: QUEUE_DEFAULTS.maxReceiveCount },
      removalPolicy,
    });

    // The subscriber owns its subscription (created in this scope, with the queue policy that
    // lets only this topic send to the queue).
    props.eventsTopic.addSubscription(
      new subscriptions.SqsSubscription(this.queue, {
        rawMessageDelivery: true,
        filterPolicy: snsFilterPolicy(consumer),
      }),
    );

    props.handler.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: consumer.batchSize,
        maxBatchingWindow: Duration.seconds(consumer.maxBatchingWindowSeconds),
        // Only the messages the handler reports go back to the queue; the rest are deleted.
        reportBatchItemFailures: true,
        maxConcurrency: consumer.maxConcurrency,
      }),
    );

    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLetterAlarm', {
      alarmDescription:
        `${consumer.id}: a message exhausted ${QUEUE_DEFAULTS.maxReceiveCount} receives and is in the DLQ`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    props.alarms.notify(this.deadLetterAlarm);
  }
}
