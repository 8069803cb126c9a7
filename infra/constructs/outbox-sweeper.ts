import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import type { OutboxSweeperSettings } from '../../src/common/settings';
import type { OutboxSweepRequest } from '../../src/outbox-relay/outbox-sweep-request';
import type { AlarmTopic } from './alarm-topic';
import { PipelineFunction, type PipelineResources } from './pipeline-function';

export interface OutboxSweeperProps {
  readonly settings: OutboxSweeperSettings;
  readonly resources: PipelineResources;
  readonly alarms: AlarmTopic;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The sweeper on a schedule: every `scheduleMinutes` it publishes the outbox items still PENDING
 * past the threshold, found through the outbox's sparse pending index. It is what turns the relay's
 * on-failure metadata from "events lost" into "events late".
 */
export class OutboxSweeper extends Construct {
  readonly sweeper: PipelineFunction;
  readonly schedule: events.Rule;
  readonly errorAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: OutboxSweeperProps) {
    super(scope, id);
    const { settings, removalPolicy } = props;
    const interval = Duration.minutes(settings.scheduleMinutes);

    this.sweeper = new PipelineFunction(this, settings.id, {
      settings,
      resources: props.resources,
      removalPolicy,
    });
    // EventBridge invokes asynchronously. The next scheduled run is the retry, and a request older
    // than one interval is superseded by a newer one, so Lambda's own retries would only overlap.
    this.sweeper.function.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: interval });

    const request: OutboxSweepRequest = { pendingThresholdSeconds: settings.pendingThresholdSeconds };
    this.schedule = new events.Rule(this, 'Schedule', {
      description: `${settings.id}: publishes outbox items still PENDING after ${settings.pendingThresholdSeconds} s`,
      schedule: events.Schedule.rate(interval),
      targets: [
        new targets.LambdaFunction(this.sweeper.function, {
          event: events.RuleTargetInput.fromObject(request),
          maxEventAge: interval,
        }),
      ],
    });

    this.errorAlarm = new cloudwatch.Alarm(this, 'ErrorAlarm', {
      alarmDescription: `${settings.id}: a sweep failed; stuck outbox items wait until a run succeeds`,
      metric: this.sweeper.function.metricErrors({ period: interval, statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    props.alarms.notify(this.errorAlarm);
  }
}
