import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient, type Message } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { collectStatus } from '../../../ops/collect-status';
import type { OpsClients } from '../../../ops/ops-clients';
import type { OpsTarget, QueueRef } from '../../../ops/ops-target';
import type { QueueDepth } from '../../../ops/queue-depth';
import type { QueuePeek, QueueReader } from '../../../ops/queue-reader';

const NOW = new Date('2026-11-29T01:20:00.000Z');
const dynamodbMock = mockClient(DynamoDBClient);
const documentsMock = mockClient(DynamoDBDocumentClient);

const queue = (name: string): QueueRef => ({ name, url: `https://sqs.eu-west-1.amazonaws.com/123456789012/${name}` });
const target: OpsTarget = {
  kind: 'aws',
  description: 'stack S in eu-west-1',
  region: 'eu-west-1',
  apiUrl: undefined,
  tableNames: { orders: 'o', outbox: 'outbox', idempotency: 'i', payments: 'p', inventory: 'inv', notifications: 'n' },
  consumers: [{ consumerId: 'Payment', queue: queue('payment'), deadLetterQueue: queue('payment-dlq') }],
  relayFailureQueue: queue('relay-failures'),
};

function sentAt(isoTime: string): Message {
  return { MessageId: isoTime, Attributes: { SentTimestamp: String(Date.parse(isoTime)) } };
}

/** A reader as on AWS: the source queue has a redrive policy, so it is never peeked. */
function aReader(depths: Record<string, QueueDepth>, peeks: Record<string, QueuePeek | undefined>): QueueReader {
  return {
    method: 'sqs-receive',
    depth: async (ref) => depths[ref.name] ?? { visible: 0, inFlight: 0, delayed: 0, hasRedrivePolicy: false },
    peek: async (ref) => peeks[ref.name],
  };
}

function clientsWith(queues: QueueReader): OpsClients {
  const dynamodb = new DynamoDBClient({ region: 'eu-west-1' });
  return { sqs: new SQSClient({ region: 'eu-west-1' }), dynamodb, documents: DynamoDBDocumentClient.from(dynamodb), streams: undefined, queues, destroy: () => undefined };
}

beforeEach(() => {
  dynamodbMock.reset();
  documentsMock.reset();
  dynamodbMock.on(DescribeTableCommand).resolves({ Table: {} });
  documentsMock.on(ScanCommand).resolves({ Items: [], ScannedCount: 4 });
});

describe('collectStatus', () => {
  it('measures the oldest message only where the queue could be peeked, and says how sure it is', async () => {
    // Prepare
    const queues = aReader(
      {
        payment: { visible: 5, inFlight: 2, delayed: 0, hasRedrivePolicy: true },
        'payment-dlq': { visible: 3, inFlight: 0, delayed: 0, hasRedrivePolicy: false },
        'relay-failures': { visible: 1, inFlight: 0, delayed: 0, hasRedrivePolicy: false },
      },
      {
        payment: undefined,
        'payment-dlq': { messages: [sentAt('2026-11-29T01:18:00.000Z'), sentAt('2026-11-29T01:15:00.000Z')], notReleased: 0, complete: false },
        'relay-failures': { messages: [sentAt('2026-11-29T01:19:30.000Z')], notReleased: 0, complete: true },
      },
    );

    // Act
    const report = await collectStatus(target, clientsWith(queues), () => NOW);

    // Assess
    expect(report.queues).toEqual([
      { name: 'payment', kind: 'queue', consumerId: 'Payment', visible: 5, inFlight: 2, delayed: 0, oldestAgeMs: undefined, ageSource: 'not-measured' },
      { name: 'payment-dlq', kind: 'dlq', consumerId: 'Payment', visible: 3, inFlight: 0, delayed: 0, oldestAgeMs: 300_000, ageSource: 'peek-partial' },
      { name: 'relay-failures', kind: 'relay-failures', consumerId: undefined, visible: 1, inFlight: 0, delayed: 0, oldestAgeMs: 30_000, ageSource: 'peek' },
    ]);
    expect(report.outbox).toEqual({
      ok: true,
      value: { pending: 0, oldestPendingCreatedAt: undefined, oldestPendingEventId: undefined, method: 'bounded-scan', itemsRead: 4, truncated: false },
    });
    expect(report.relay).toEqual({ ok: true, value: { available: false, reason: "on AWS, see the relay mapping's IteratorAge metric (CloudWatch)" } });
  });

  it('reports a section it could not read and still reports the queues', async () => {
    // Prepare
    dynamodbMock.on(DescribeTableCommand).rejects(new Error('AccessDenied'));

    // Act
    const report = await collectStatus(target, clientsWith(aReader({}, {})), () => NOW);

    // Assess
    expect(report.outbox).toEqual({ ok: false, error: 'Error: AccessDenied' });
    expect(report.queues).toHaveLength(3);
  });
});
