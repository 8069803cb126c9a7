import { Duration } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  BUSINESS_METRICS,
  INVENTORY_CONSUMER,
  METRICS_NAMESPACE,
  NOTIFICATION_CONSUMER,
  ORDER_API_FUNCTION,
  ORDER_STATUS_CONSUMER,
  OUTBOX_RELAY,
  PAYMENT_CONSUMER,
  type BusinessMetric,
  type FunctionSettings,
} from '../../src/common/settings';

/** One point per minute: the alarms' period, so a graph shows what an alarm saw. */
const PERIOD = Duration.minutes(1);
const WIDTH = { full: 24, half: 12, third: 8 } as const;
const HEIGHT = 6;

export interface DashboardQueue {
  /** The consumer's settings id (`Payment`, …), the queue's label. */
  readonly label: string;
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
}

export interface PipelineDashboardProps {
  readonly api: apigateway.RestApi;
  readonly relay: lambda.IFunction;
  /** Where the relay's event source puts the batches it gave up on. */
  readonly relayFailureQueue: sqs.IQueue;
  readonly queues: readonly DashboardQueue[];
}

/**
 * A business counter as the handlers write it (EMF, `src/common/business-metrics.ts`): the shared
 * namespace and name, and the emitting service's `service` dimension.
 */
export function businessMetric(name: BusinessMetric, service: Pick<FunctionSettings, 'serviceName'>, label?: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: service.serviceName },
    statistic: cloudwatch.Stats.SUM,
    period: PERIOD,
    label: label ?? name,
  });
}

/**
 * The pipeline on one page, top to bottom in the order an event travels: the API (latency and
 * errors), the relay (lag, errors, events published), every queue (backlog, oldest message, dead
 * letters), then the business outcomes. The names the handlers emit come from the settings.
 */
export class PipelineDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: PipelineDashboardProps) {
    super(scope, id);
    const stage = props.api.deploymentStage;

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
      widgets: [
        [new cloudwatch.TextWidget({ markdown: '## Order API', width: WIDTH.full, height: 1 })],
        [
          graph('Latency', WIDTH.half, [
            stage.metricLatency({ statistic: cloudwatch.Stats.percentile(50), period: PERIOD, label: 'p50' }),
            stage.metricLatency({ statistic: cloudwatch.Stats.percentile(99), period: PERIOD, label: 'p99' }),
          ]),
          graph('4xx and 5xx responses', WIDTH.half, [
            stage.metricClientError({ statistic: cloudwatch.Stats.SUM, period: PERIOD, label: '4xx' }),
            stage.metricServerError({ statistic: cloudwatch.Stats.SUM, period: PERIOD, label: '5xx' }),
          ]),
        ],
        [new cloudwatch.TextWidget({ markdown: '## Outbox relay', width: WIDTH.full, height: 1 })],
        [
          graph('Iterator age (lag behind the outbox stream)', WIDTH.third, [
            props.relay.metric('IteratorAge', { statistic: cloudwatch.Stats.MAXIMUM, period: PERIOD, label: 'max' }),
          ]),
          graph('Relay errors and given-up batches', WIDTH.third, [
            props.relay.metricErrors({ statistic: cloudwatch.Stats.SUM, period: PERIOD, label: 'invocation errors' }),
            props.relayFailureQueue.metricApproximateNumberOfMessagesVisible({
              statistic: cloudwatch.Stats.MAXIMUM,
              period: PERIOD,
              label: 'on-failure queue depth',
            }),
          ]),
          graph('Events relayed', WIDTH.third, [
            businessMetric(BUSINESS_METRICS.relayPublished, OUTBOX_RELAY, 'published'),
            businessMetric(BUSINESS_METRICS.relayFailed, OUTBOX_RELAY, 'failed'),
          ]),
        ],
        [new cloudwatch.TextWidget({ markdown: '## Queues', width: WIDTH.full, height: 1 })],
        [
          graph(
            'Messages visible',
            WIDTH.third,
            props.queues.map(({ label, queue }) =>
              queue.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM, period: PERIOD, label }),
            ),
          ),
          graph(
            'Age of oldest message',
            WIDTH.third,
            props.queues.map(({ label, queue }) =>
              queue.metricApproximateAgeOfOldestMessage({ statistic: cloudwatch.Stats.MAXIMUM, period: PERIOD, label }),
            ),
          ),
          graph(
            'Dead-letter queue depth',
            WIDTH.third,
            props.queues.map(({ label, deadLetterQueue }) =>
              deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM, period: PERIOD, label }),
            ),
          ),
        ],
        [new cloudwatch.TextWidget({ markdown: '## Business outcomes', width: WIDTH.full, height: 1 })],
        [
          graph('Orders', WIDTH.third, [
            businessMetric(BUSINESS_METRICS.ordersAccepted, ORDER_API_FUNCTION, 'accepted'),
            businessMetric(BUSINESS_METRICS.ordersRejected, ORDER_API_FUNCTION, 'rejected by validation'),
          ]),
          graph('Payments and inventory', WIDTH.third, [
            businessMetric(BUSINESS_METRICS.paymentsCompleted, PAYMENT_CONSUMER, 'payments completed'),
            businessMetric(BUSINESS_METRICS.paymentsDeclined, PAYMENT_CONSUMER, 'payments declined'),
            businessMetric(BUSINESS_METRICS.inventoryReserved, INVENTORY_CONSUMER, 'inventory reserved'),
            businessMetric(BUSINESS_METRICS.inventoryOutOfStock, INVENTORY_CONSUMER, 'out of stock'),
          ]),
          graph('Notifications and absorbed duplicates', WIDTH.third, [
            businessMetric(BUSINESS_METRICS.notificationsRecorded, NOTIFICATION_CONSUMER, 'notifications recorded'),
            // Every service that can absorb a duplicate; the order API and order status share a service name.
            ...uniqueServices([ORDER_API_FUNCTION, ORDER_STATUS_CONSUMER, PAYMENT_CONSUMER, INVENTORY_CONSUMER, NOTIFICATION_CONSUMER]).map(
              (service) => businessMetric(BUSINESS_METRICS.duplicatesAbsorbed, service, `duplicates absorbed: ${service.serviceName}`),
            ),
          ]),
        ],
      ],
    });
  }
}

function graph(title: string, width: number, metrics: cloudwatch.IMetric[]): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({ title, width, height: HEIGHT, left: metrics });
}

function uniqueServices(functions: readonly FunctionSettings[]): FunctionSettings[] {
  const byService = new Map(functions.map((fn) => [fn.serviceName, fn]));
  return [...byService.values()];
}
