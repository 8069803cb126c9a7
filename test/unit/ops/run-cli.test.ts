import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PurgeQueueCommand, SQSClient, SQSServiceException, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import 'aws-sdk-client-mock-jest';
import type { CliIo } from '../../../ops/cli-io';
import type { OpsTarget } from '../../../ops/ops-target';
import { sqsQueueReader } from '../../../ops/queue-reader';
import { runCli, type CliDependencies } from '../../../ops/run-cli';
import { DLQ_URL, FakeSqs, SOURCE_URL } from './fake-sqs';

const RELAY_FAILURES_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/outbox-relay-failures';
const fake = new FakeSqs();

const target: OpsTarget = {
  kind: 'aws',
  description: 'stack OrderPipelineStack in eu-west-1',
  region: 'eu-west-1',
  apiUrl: undefined,
  tableNames: { orders: 'o', outbox: 'ob', idempotency: 'i', payments: 'p', inventory: 'inv', notifications: 'n' },
  consumers: [{ consumerId: 'Payment', queue: { name: 'payment', url: SOURCE_URL }, deadLetterQueue: { name: 'payment-dlq', url: DLQ_URL } }],
  relayFailureQueue: { name: 'outbox-relay-failures', url: RELAY_FAILURES_URL },
};

interface FakeIo extends CliIo {
  readonly out: string[];
  readonly err: string[];
  readonly questions: string[];
}

function anIo(options: { interactive?: boolean; answer?: string; isTTY?: boolean } = {}): FakeIo {
  const out: string[] = [];
  const err: string[] = [];
  const questions: string[] = [];
  return {
    out,
    err,
    questions,
    stdout: { write: (text: string) => out.push(text), isTTY: options.isTTY ?? false },
    stderr: { write: (text: string) => err.push(text) },
    env: {},
    interactive: options.interactive ?? false,
    ask: async (question) => {
      questions.push(question);
      return options.answer ?? '';
    },
    now: () => new Date('2026-11-29T01:20:00.000Z'),
  };
}

const resolveTarget = jest.fn<Promise<OpsTarget>, Parameters<CliDependencies['resolveTarget']>>();
const dependencies: CliDependencies = {
  resolveTarget,
  createClients: () => {
    const sqs = new SQSClient({ region: 'eu-west-1' });
    const dynamodb = new DynamoDBClient({ region: 'eu-west-1' });
    return { sqs, dynamodb, documents: DynamoDBDocumentClient.from(dynamodb), streams: undefined, queues: sqsQueueReader(sqs), destroy: () => undefined };
  },
};

beforeEach(() => {
  fake.reset();
  fake.addQueue(RELAY_FAILURES_URL);
  resolveTarget.mockReset();
  resolveTarget.mockResolvedValue(target);
});

describe('runCli', () => {
  it('refuses to purge without --yes when nobody can confirm, before reading anything', async () => {
    // Prepare
    const io = anIo({ interactive: false });

    // Act
    const exitCode = await runCli(['dlq', 'purge', 'payment'], io, dependencies);

    // Assess
    expect(exitCode).toBe(1);
    expect(io.err.join('')).toContain('Refusing to purge payment without --yes: there is no terminal to confirm on');
    expect(resolveTarget).not.toHaveBeenCalled();
    expect(fake.stub).not.toHaveReceivedCommand(PurgeQueueCommand);
  });

  it('purges after the operator types the queue name', async () => {
    // Prepare
    fake.deadLetter(2);
    const io = anIo({ interactive: true, answer: 'payment-dlq' });

    // Act
    const exitCode = await runCli(['dlq', 'purge', 'payment'], io, dependencies);

    // Assess
    expect(exitCode).toBe(0);
    expect(io.questions[0]).toContain('Purge payment-dlq (2 message(s), stack OrderPipelineStack in eu-west-1)?');
    expect(fake.stub).toHaveReceivedCommandWith(PurgeQueueCommand, { QueueUrl: DLQ_URL });
  });

  it('does not purge on any other answer', async () => {
    // Prepare
    const io = anIo({ interactive: true, answer: 'y' });

    // Act
    const exitCode = await runCli(['dlq', 'purge', 'payment'], io, dependencies);

    // Assess
    expect(exitCode).toBe(1);
    expect(fake.stub).not.toHaveReceivedCommand(PurgeQueueCommand);
  });

  it('purges without asking with --yes', async () => {
    // Prepare
    const io = anIo({ interactive: false });

    // Act
    const exitCode = await runCli(['dlq', 'purge', 'payment', '--yes'], io, dependencies);

    // Assess
    expect(exitCode).toBe(0);
    expect(fake.stub).toHaveReceivedCommandWith(PurgeQueueCommand, { QueueUrl: DLQ_URL });
  });

  it('lists each DLQ with its depth as JSON', async () => {
    // Prepare
    fake.deadLetter(3);
    const io = anIo();

    // Act
    const exitCode = await runCli(['dlq', 'list', '--json'], io, dependencies);

    // Assess
    expect(exitCode).toBe(0);
    expect(JSON.parse(io.out.join(''))).toEqual([
      { name: 'payment-dlq', kind: 'dlq', consumerId: 'Payment', visible: 3, inFlight: 0, delayed: 0, hasRedrivePolicy: false },
      { name: 'outbox-relay-failures', kind: 'relay-failures', visible: 0, inFlight: 0, delayed: 0, hasRedrivePolicy: false },
    ]);
  });

  it('redrives a DLQ and says how', async () => {
    // Prepare
    fake.deadLetter(2);
    fake.stub.on(StartMessageMoveTaskCommand).rejects(new SQSServiceException({ name: 'InvalidAction', $fault: 'client', $metadata: {} }));
    const io = anIo();

    // Act
    const exitCode = await runCli(['dlq', 'redrive', 'payment'], io, dependencies);

    // Assess
    expect(exitCode).toBe(0);
    expect(io.out.join('')).toBe(
      'payment-dlq → payment: 2 message(s) moved by receive → send → delete (StartMessageMoveTask is not supported here (InvalidAction))\n',
    );
    expect(fake.bodies(DLQ_URL)).toEqual([]);
  });

  it('refuses to redrive the relay on-failure queue, which holds metadata and has no source queue', async () => {
    // Prepare
    const io = anIo();

    // Act
    const exitCode = await runCli(['dlq', 'redrive', 'relay-failures'], io, dependencies);

    // Assess
    expect(exitCode).toBe(2);
    expect(io.err.join('')).toContain('holds metadata of outbox stream batches the relay gave up on');
  });

  it.each([
    [['launch'], 'unknown command "launch"'],
    [['dlq', 'redrive'], 'usage: dlq redrive <queue>'],
    [['dlq', 'redrive', 'payment', '--max', '0'], '--max must be a positive integer, got "0"'],
    [['status', '--verbose'], "Unknown option '--verbose'"],
    [['status', '--local', '--stack', 'S'], '--local and --stack exclude each other'],
  ])('exits 2 with the usage for %j', async (argv, message) => {
    // Prepare
    const io = anIo();

    // Act
    const exitCode = await runCli(argv, io, dependencies);

    // Assess
    expect(exitCode).toBe(2);
    expect(io.err.join('')).toContain(message);
    expect(io.err.join('')).toContain('Usage: npm run ops --');
  });

  it('passes the target options on', async () => {
    // Prepare
    const io = anIo();

    // Act
    await runCli(['dlq', 'list', '--stack', 'Prod', '--outputs', 'out.json', '--region', 'eu-west-1'], io, dependencies);

    // Assess
    expect(resolveTarget).toHaveBeenCalledWith({ local: false, stack: 'Prod', outputs: 'out.json', region: 'eu-west-1' }, io.env);
  });
});
