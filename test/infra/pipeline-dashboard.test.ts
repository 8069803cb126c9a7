import {
  BUSINESS_METRICS,
  INVENTORY_CONSUMER,
  METRICS_NAMESPACE,
  NOTIFICATION_CONSUMER,
  ORDER_API_FUNCTION,
  OUTBOX_RELAY,
  PAYMENT_CONSUMER,
  QUEUE_CONSUMERS,
} from '../../src/common/settings';
import { assertResourceCount, logicalIdOf, resourceOf, synthesizePipeline, type SynthesizedPipeline } from './synthesize-pipeline';

let pipeline: SynthesizedPipeline;

/** A metric line of a widget: namespace, name, dimension name/value pairs, then its options. */
type MetricLine = (string | Record<string, unknown>)[];

interface Widget {
  readonly type: string;
  readonly properties: { readonly title?: string; readonly metrics?: MetricLine[] };
}

/**
 * The dashboard body as CloudWatch receives it, with each CloudFormation reference rendered as
 * `<logicalId>` (Ref) or `<logicalId.Attribute>` (GetAtt), so widgets can be read as JSON.
 */
function dashboardWidgets(): Widget[] {
  const dashboard = resourceOf(pipeline.template, pipeline.stack.dashboard.dashboard);
  const join = dashboard.Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] };
  const text = join['Fn::Join'][1]
    .map((part) => {
      if (typeof part === 'string') return part;
      const token = part as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
      if (token.Ref !== undefined) return `<${token.Ref}>`;
      if (token['Fn::GetAtt'] !== undefined) return `<${token['Fn::GetAtt'].join('.')}>`;
      throw new Error(`Unexpected token in the dashboard body: ${JSON.stringify(part)}`);
    })
    .join('');
  return (JSON.parse(text) as { widgets: Widget[] }).widgets;
}

/** Every metric line of every graph, with the title of its graph. */
function metricLines(): { title: string; line: MetricLine }[] {
  return dashboardWidgets().flatMap((widget) => (widget.properties.metrics ?? []).map((line) => ({ title: widget.properties.title ?? '', line })));
}

/** The lines of a metric, whatever their options; `dimensions` must appear as consecutive name/value pairs. */
function linesOf(namespace: string, metricName: string, dimensions: Record<string, string> = {}): MetricLine[] {
  return metricLines()
    .map(({ line }) => line)
    .filter((line) => {
      if (line[0] !== namespace || line[1] !== metricName) return false;
      const pairs = line.filter((part): part is string => typeof part === 'string').slice(2);
      return Object.entries(dimensions).every(([name, value]) => pairs.some((part, index) => index % 2 === 0 && part === name && pairs[index + 1] === value));
    });
}

const statOf = (line: MetricLine): unknown => (line.find((part) => typeof part === 'object') as Record<string, unknown> | undefined)?.stat;

beforeAll(() => {
  pipeline = synthesizePipeline();
});

function inboxOf(consumerId: string) {
  const consumer = pipeline.stack.consumers.find(({ settings }) => settings.id === consumerId);
  if (consumer === undefined) throw new Error(`No consumer ${consumerId}`);
  return consumer.inbox;
}

describe('PipelineDashboard', () => {
  it('is one dashboard', () => {
    // Assess
    assertResourceCount(pipeline.template, 'AWS::CloudWatch::Dashboard', 1);
  });

  it('graphs the API latency at p50 and p99, and its 4xx and 5xx responses, for the deployed stage', () => {
    // Prepare
    const apiName = pipeline.stack.orderApi.api.restApiName;

    // Act
    const latency = linesOf('AWS/ApiGateway', 'Latency', { ApiName: apiName, Stage: `<${logicalIdOf(pipeline.stack.orderApi.api.deploymentStage)}>` });
    const clientErrors = linesOf('AWS/ApiGateway', '4XXError');
    const serverErrors = linesOf('AWS/ApiGateway', '5XXError');

    // Assess
    expect(latency.map(statOf).sort()).toEqual(['p50', 'p99']);
    expect(clientErrors.map(statOf)).toEqual(['Sum']);
    expect(serverErrors.map(statOf)).toEqual(['Sum']);
  });

  it("graphs the relay's iterator age and errors, and its on-failure queue", () => {
    // Prepare
    const relay = `<${logicalIdOf(pipeline.stack.outboxRelay.relay.function)}>`;
    const failureQueue = `<${logicalIdOf(pipeline.stack.outboxRelay.failureQueue)}.QueueName>`;

    // Act
    const iteratorAge = linesOf('AWS/Lambda', 'IteratorAge', { FunctionName: relay });
    const errors = linesOf('AWS/Lambda', 'Errors', { FunctionName: relay });
    const given = linesOf('AWS/SQS', 'ApproximateNumberOfMessagesVisible', { QueueName: failureQueue });

    // Assess
    expect(iteratorAge.map(statOf)).toEqual(['Maximum']);
    expect(errors.map(statOf)).toEqual(['Sum']);
    expect(given).toHaveLength(1);
  });

  it.each([BUSINESS_METRICS.relayPublished, BUSINESS_METRICS.relayFailed])("graphs the relay's %s count, as the relay emits it", (metricName) => {
    // Act
    const lines = linesOf(METRICS_NAMESPACE, metricName, { service: OUTBOX_RELAY.serviceName });

    // Assess
    expect(lines.map(statOf)).toEqual(['Sum']);
  });

  it.each(QUEUE_CONSUMERS)("graphs $id's queue backlog, its oldest message and its DLQ depth", (consumer) => {
    // Prepare
    const inbox = inboxOf(consumer.id);
    const queue = `<${logicalIdOf(inbox.queue)}.QueueName>`;
    const deadLetterQueue = `<${logicalIdOf(inbox.deadLetterQueue)}.QueueName>`;

    // Act
    const visible = linesOf('AWS/SQS', 'ApproximateNumberOfMessagesVisible', { QueueName: queue });
    const oldest = linesOf('AWS/SQS', 'ApproximateAgeOfOldestMessage', { QueueName: queue });
    const deadLetters = linesOf('AWS/SQS', 'ApproximateNumberOfMessagesVisible', { QueueName: deadLetterQueue });

    // Assess
    expect(visible.map(statOf)).toEqual(['Maximum']);
    expect(oldest.map(statOf)).toEqual(['Maximum']);
    expect(deadLetters.map(statOf)).toEqual(['Maximum']);
  });

  it.each([
    [BUSINESS_METRICS.ordersAccepted, ORDER_API_FUNCTION.serviceName],
    [BUSINESS_METRICS.ordersRejected, ORDER_API_FUNCTION.serviceName],
    [BUSINESS_METRICS.paymentsCompleted, PAYMENT_CONSUMER.serviceName],
    [BUSINESS_METRICS.paymentsDeclined, PAYMENT_CONSUMER.serviceName],
    [BUSINESS_METRICS.inventoryReserved, INVENTORY_CONSUMER.serviceName],
    [BUSINESS_METRICS.inventoryOutOfStock, INVENTORY_CONSUMER.serviceName],
    [BUSINESS_METRICS.notificationsRecorded, NOTIFICATION_CONSUMER.serviceName],
    [BUSINESS_METRICS.duplicatesAbsorbed, ORDER_API_FUNCTION.serviceName],
    [BUSINESS_METRICS.duplicatesAbsorbed, PAYMENT_CONSUMER.serviceName],
    [BUSINESS_METRICS.duplicatesAbsorbed, INVENTORY_CONSUMER.serviceName],
    [BUSINESS_METRICS.duplicatesAbsorbed, NOTIFICATION_CONSUMER.serviceName],
  ])('graphs the business count %s of %s, summed', (metricName, service) => {
    // Act
    const lines = linesOf(METRICS_NAMESPACE, metricName, { service });

    // Assess
    expect(lines.map(statOf)).toEqual(['Sum']);
  });

  it('graphs every business metric the handlers emit', () => {
    // Act
    const graphed = new Set(metricLines().filter(({ line }) => line[0] === METRICS_NAMESPACE).map(({ line }) => line[1]));

    // Assess
    expect([...graphed].sort()).toEqual(Object.values(BUSINESS_METRICS).sort());
  });
});
