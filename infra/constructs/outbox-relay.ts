import { Duration, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { QUEUE_DEFAULTS, type StreamRelaySettings } from '../../src/common/settings';
import type { AlarmTopic } from './alarm-topic';
import { SECURE_QUEUE_PROPS } from './consumer-queue';
import { PipelineFunction, type PipelineResources } from './pipeline-function';

/**
 * How far behind the stream the relay may fall before someone is told: events reach consumers
 * within seconds when healthy, so a minute of lag sustained for five is an incident.
 */
const ITERATOR_AGE_ALARM = { thresholdMs: 60_000, periods: 5, period: Duration.minutes(1) } as const;

export interface OutboxRelayProps {
  readonly settings: StreamRelaySettings;
  readonly outboxTable: dynamodb.ITable;
  readonly resources: PipelineResources;
  readonly alarms: AlarmTopic;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The relay on the outbox table's stream: only INSERTs reach it, a failing batch is bisected and
 * retried a bounded number of times, and what is finally given up on lands in the failure queue as
 * metadata (shard and sequence range; the records themselves must be re-read from the table).
 */
export class OutboxRelay extends Construct {
  readonly relay: PipelineFunction;
  readonly failureQueue: sqs.Queue;
  readonly failureAlarm: cloudwatch.Alarm;
  readonly iteratorAgeAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: OutboxRelayProps) {
    super(scope, id);
    const { settings, removalPolicy } = props;
    const stream = settings.stream;

    this.relay = new PipelineFunction(this, settings.id, {
      settings,
      resources: props.resources,
      removalPolicy,
    });

    this.failureQueue = new sqs.Queue(this, 'FailureQueue', {
      ...SECURE_QUEUE_PROPS,
      retentionPeriod: Duration.seconds(QUEUE_DEFAULTS.dlqRetentionPeriodSeconds),
      removalPolicy,
    });
    Validations.of(this.failureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is the stream event source on-failure destination, itself a dead-letter store: ' +
        'operators read it, no function consumes it, so a DLQ behind it could never receive anything.',
    });

    this.relay.function.addEventSource(
      new DynamoEventSource(props.outboxTable, {
        // The stream keeps 24 h; a new or restarted mapping must not skip unrelayed items.
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: stream.batchSize,
        maxBatchingWindow: Duration.seconds(stream.maxBatchingWindowSeconds),
        retryAttempts: stream.retryAttempts,
        maxRecordAge: Duration.seconds(stream.maxRecordAgeSeconds),
        bisectBatchOnError: stream.bisectBatchOnError,
        parallelizationFactor: stream.parallelizationFactor,
        // Lambda checkpoints at the lowest reported sequence number and retries from there.
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.failureQueue),
        filters: [lambda.FilterCriteria.filter({ eventName: lambda.FilterRule.or(...stream.eventNames) })],
      }),
    );
    Validations.of(this.relay.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'The stream event source needs dynamodb:ListStreams, which supports no resource-level permissions; ' +
        'DescribeStream, GetRecords and GetShardIterator are limited to the outbox stream ARN.',
    });

    this.failureAlarm = new cloudwatch.Alarm(this, 'FailureAlarm', {
      alarmDescription: `${settings.id}: the relay gave up on a stream batch; re-read its range from the outbox table`,
      metric: this.failureQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    props.alarms.notify(this.failureAlarm);

    this.iteratorAgeAlarm = new cloudwatch.Alarm(this, 'IteratorAgeAlarm', {
      alarmDescription: `${settings.id}: the relay is falling behind the outbox stream`,
      metric: this.relay.function.metric('IteratorAge', {
        period: ITERATOR_AGE_ALARM.period,
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: ITERATOR_AGE_ALARM.thresholdMs,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: ITERATOR_AGE_ALARM.periods,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    props.alarms.notify(this.iteratorAgeAlarm);
  }
}
