import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TargetUnavailableError, UsageError } from '../../../ops/ops-errors';
import { findDeadLetterTarget } from '../../../ops/ops-target';
import { regionOfQueueUrl, resolveStackTarget, targetFromStackOutputs } from '../../../ops/stack-outputs-target';

const QUEUE_BASE = 'https://sqs.eu-west-1.amazonaws.com/123456789012';

/** What `cdk deploy --outputs-file` writes for OrderPipelineStack (see OrderPipelineStack.addOutputs). */
function deployedOutputs(): Record<string, string> {
  const outputs: Record<string, string> = {
    ApiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod/',
    EventsTopicArn: 'arn:aws:sns:eu-west-1:123456789012:OrderPipelineStack-Events',
    RelayFailureQueueUrl: `${QUEUE_BASE}/OrderPipelineStack-RelayFailureQueue-1`,
  };
  for (const id of ['Payment', 'Inventory', 'Notification', 'OrderStatus']) {
    outputs[`${id}QueueUrl`] = `${QUEUE_BASE}/OrderPipelineStack-${id}InboxQueue-1`;
    outputs[`${id}DeadLetterQueueUrl`] = `${QUEUE_BASE}/OrderPipelineStack-${id}InboxDeadLetterQueue-1`;
  }
  for (const id of ['Orders', 'Outbox', 'IdempotencyKeys', 'Payments', 'InventoryReservations', 'Notifications']) {
    outputs[`${id}TableName`] = `OrderPipelineStack-${id}-1`;
  }
  return outputs;
}

describe('targetFromStackOutputs', () => {
  it('reads every queue and table of the stack from its outputs, and the region from a queue URL', () => {
    // Act
    const target = targetFromStackOutputs('OrderPipelineStack', deployedOutputs(), { region: undefined, env: {} });

    // Assess
    expect(target).toMatchObject({
      kind: 'aws',
      region: 'eu-west-1',
      description: 'stack OrderPipelineStack in eu-west-1',
      apiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod/',
      relayFailureQueue: { name: 'OrderPipelineStack-RelayFailureQueue-1' },
    });
    expect(target.tableNames).toEqual({
      orders: 'OrderPipelineStack-Orders-1',
      outbox: 'OrderPipelineStack-Outbox-1',
      idempotency: 'OrderPipelineStack-IdempotencyKeys-1',
      payments: 'OrderPipelineStack-Payments-1',
      inventory: 'OrderPipelineStack-InventoryReservations-1',
      notifications: 'OrderPipelineStack-Notifications-1',
    });
    expect(target.consumers.find((consumer) => consumer.consumerId === 'Payment')).toEqual({
      consumerId: 'Payment',
      queue: { name: 'OrderPipelineStack-PaymentInboxQueue-1', url: `${QUEUE_BASE}/OrderPipelineStack-PaymentInboxQueue-1` },
      deadLetterQueue: {
        name: 'OrderPipelineStack-PaymentInboxDeadLetterQueue-1',
        url: `${QUEUE_BASE}/OrderPipelineStack-PaymentInboxDeadLetterQueue-1`,
      },
    });
  });

  it('takes --region over the region in the URLs', () => {
    // Act
    const target = targetFromStackOutputs('OrderPipelineStack', deployedOutputs(), { region: 'us-west-2', env: {} });

    // Assess
    expect(target.region).toBe('us-west-2');
  });

  it('names every output it needs and lacks', () => {
    // Prepare
    const { PaymentDeadLetterQueueUrl: _dlq, OutboxTableName: _outbox, ...outputs } = deployedOutputs();

    // Act
    const build = () => targetFromStackOutputs('OrderPipelineStack', outputs, { region: undefined, env: {} });

    // Assess
    expect(build).toThrow(TargetUnavailableError);
    expect(build).toThrow("Stack OrderPipelineStack's outputs lack PaymentDeadLetterQueueUrl, OutboxTableName: deploy the current stack");
  });
});

describe('findDeadLetterTarget', () => {
  const target = targetFromStackOutputs('OrderPipelineStack', deployedOutputs(), { region: undefined, env: {} });

  it.each([
    ['payment', 'Payment'],
    ['Payment', 'Payment'],
    ['OrderPipelineStack-PaymentInboxQueue-1', 'Payment'],
    ['OrderPipelineStack-PaymentInboxDeadLetterQueue-1', 'Payment'],
    ['order-status', 'OrderStatus'],
  ])('finds the DLQ of "%s"', (name, consumerId) => {
    // Act
    const found = findDeadLetterTarget(target, name);

    // Assess
    expect(found).toMatchObject({ kind: 'consumer', consumer: { consumerId } });
  });

  it('finds the relay on-failure queue by its alias', () => {
    // Act
    const found = findDeadLetterTarget(target, 'relay-failures');

    // Assess
    expect(found).toEqual({ kind: 'relay-failures', queue: target.relayFailureQueue });
  });

  it('lists the known names for an unknown one', () => {
    // Act
    const find = () => findDeadLetterTarget(target, 'shipping');

    // Assess
    expect(find).toThrow('No queue called "shipping"; known: payment, inventory, notification, order-status, relay-failures');
  });
});

describe('resolveStackTarget', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ops-outputs-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the stack from a cdk deploy --outputs-file file', async () => {
    // Prepare
    const file = path.join(dir, 'outputs.json');
    writeFileSync(file, JSON.stringify({ OrderPipelineStack: deployedOutputs() }));

    // Act
    const target = await resolveStackTarget({ stackName: 'OrderPipelineStack', outputsFile: file, region: undefined, env: {} });

    // Assess
    expect(target.tableNames.orders).toBe('OrderPipelineStack-Orders-1');
  });

  it('explains how to get the outputs when none are given', async () => {
    // Act
    const resolve = resolveStackTarget({ stackName: 'OrderPipelineStack', outputsFile: undefined, region: undefined, env: {} });

    // Assess
    await expect(resolve).rejects.toThrow(UsageError);
    await expect(resolve).rejects.toThrow('cdk deploy --outputs-file outputs.json');
  });

  it('names the stacks a file has when the one asked for is missing', async () => {
    // Prepare
    const file = path.join(dir, 'outputs.json');
    writeFileSync(file, JSON.stringify({ OtherStack: { ApiUrl: 'x' } }));

    // Act
    const resolve = resolveStackTarget({ stackName: 'OrderPipelineStack', outputsFile: file, region: undefined, env: {} });

    // Assess
    await expect(resolve).rejects.toThrow('has no outputs for stack OrderPipelineStack (it has: OtherStack)');
  });
});

describe('regionOfQueueUrl', () => {
  it.each([
    ['https://sqs.eu-west-1.amazonaws.com/123456789012/q', 'eu-west-1'],
    ['https://ap-southeast-2.queue.amazonaws.com/123456789012/q', 'ap-southeast-2'],
    ['http://127.0.0.1:4566/000000000000/q', undefined],
  ])('reads the region of %s', (url, region) => {
    // Act
    const found = regionOfQueueUrl(url);

    // Assess
    expect(found).toBe(region);
  });
});
