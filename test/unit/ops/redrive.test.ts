import {
  DeleteMessageBatchCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  SQSServiceException,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import 'aws-sdk-client-mock-jest';
import { RedriveInterruptedError } from '../../../ops/ops-errors';
import { redriveDeadLetters, type RedriveOptions } from '../../../ops/redrive';
import { arnOf, DLQ_URL, FakeSqs, SOURCE_URL } from './fake-sqs';

const fake = new FakeSqs();

function sqsError(name: string): SQSServiceException {
  return new SQSServiceException({ name, $fault: 'client', $metadata: {}, message: `${name} (test)` });
}

function options(overrides: Partial<RedriveOptions> = {}): RedriveOptions {
  return {
    sqs: new SQSClient({ region: 'eu-west-1' }),
    deadLetterQueueUrl: DLQ_URL,
    sourceQueueUrl: SOURCE_URL,
    sleep: () => Promise.resolve(),
    ...overrides,
  };
}

/** SQS's answer where the message move task API is missing (fauxqs). */
function withoutMoveTasks(): void {
  fake.stub.on(StartMessageMoveTaskCommand).rejects(sqsError('InvalidAction'));
}

beforeEach(() => {
  fake.reset();
});

describe('redriveDeadLetters', () => {
  it('asks SQS to move the messages from the DLQ to its source queue where StartMessageMoveTask exists', async () => {
    // Prepare
    fake.deadLetter(3);
    fake.stub.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });
    fake.stub
      .on(ListMessageMoveTasksCommand)
      .resolvesOnce({ Results: [{ Status: 'RUNNING', ApproximateNumberOfMessagesMoved: 1, ApproximateNumberOfMessagesToMove: 3 }] })
      .resolves({ Results: [{ Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 3, ApproximateNumberOfMessagesToMove: 3 }] });
    const progress: number[] = [];

    // Act
    const result = await redriveDeadLetters(options({ onProgress: ({ moved }) => progress.push(moved) }));

    // Assess
    expect(result).toEqual({
      method: 'message-move-task',
      taskHandle: 'task-1',
      status: 'COMPLETED',
      moved: 3,
      total: 3,
      failureReason: undefined,
    });
    expect(fake.stub).toHaveReceivedCommandWith(StartMessageMoveTaskCommand, { SourceArn: arnOf(DLQ_URL), DestinationArn: arnOf(SOURCE_URL) });
    expect(progress).toEqual([1, 3]);
    expect(fake.stub).not.toHaveReceivedCommand(ReceiveMessageCommand);
  });

  it('reports a message move task that failed', async () => {
    // Prepare
    fake.stub.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-2' });
    fake.stub.on(ListMessageMoveTasksCommand).resolves({ Results: [{ Status: 'FAILED', FailureReason: 'AccessDenied' }] });

    // Act
    const result = await redriveDeadLetters(options());

    // Assess
    expect(result).toMatchObject({ method: 'message-move-task', status: 'FAILED', failureReason: 'AccessDenied' });
  });

  it.each(['InvalidAction', 'UnsupportedOperation'])('moves the messages by receive → send → delete when SQS answers %s', async (code) => {
    // Prepare
    const dead = fake.deadLetter(12);
    fake.stub.on(StartMessageMoveTaskCommand).rejects(sqsError(code));

    // Act
    const result = await redriveDeadLetters(options());

    // Assess
    expect(result).toMatchObject({ method: 'receive-send-delete', moved: 12, total: 12, notSent: [], sentNotDeleted: 0 });
    expect(fake.bodies(SOURCE_URL)).toEqual(dead.map((message) => message.body));
    expect(fake.bodies(DLQ_URL)).toEqual([]);
  });

  it('sends each message with its body, message attributes and trace header unchanged', async () => {
    // Prepare
    withoutMoveTasks();
    const [dead] = fake.deadLetter(1, { traceHeader: 'Root=1-67891233-abcdef012345678912345678;Sampled=1' });

    // Act
    await redriveDeadLetters(options());

    // Assess
    expect(fake.stub).toHaveReceivedCommandWith(SendMessageBatchCommand, {
      QueueUrl: SOURCE_URL,
      Entries: [
        {
          Id: '0',
          MessageBody: dead?.body,
          MessageAttributes: dead?.attributes,
          MessageSystemAttributes: {
            AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1-67891233-abcdef012345678912345678;Sampled=1' },
          },
        },
      ],
    });
  });

  it('sends each batch to the source queue before deleting it from the DLQ', async () => {
    // Prepare
    withoutMoveTasks();
    fake.deadLetter(15);

    // Act
    await redriveDeadLetters(options());

    // Assess
    const order = fake.stub
      .calls()
      .map((call) => call.args[0].constructor.name)
      .filter((name) => ['ReceiveMessageCommand', 'SendMessageBatchCommand', 'DeleteMessageBatchCommand'].includes(name));
    expect(order).toEqual([
      'ReceiveMessageCommand',
      'SendMessageBatchCommand',
      'DeleteMessageBatchCommand',
      'ReceiveMessageCommand',
      'SendMessageBatchCommand',
      'DeleteMessageBatchCommand',
    ]);
  });

  it('loses nothing when it is stopped between the send and the delete: the message is in both queues', async () => {
    // Prepare
    withoutMoveTasks();
    const dead = fake.deadLetter(3);
    fake.stub.on(DeleteMessageBatchCommand).rejects(new Error('connection reset'));

    // Act
    const redrive = redriveDeadLetters(options());

    // Assess
    await expect(redrive).rejects.toThrow(RedriveInterruptedError);
    await expect(redrive).rejects.toMatchObject({ moved: 0, sentNotDeleted: 3 });
    const bodies = dead.map((message) => message.body);
    expect(fake.bodies(SOURCE_URL)).toEqual(bodies);
    // Still in the DLQ, hidden until its visibility timeout ends: the next redrive duplicates it.
    expect(fake.bodies(DLQ_URL)).toEqual(bodies);
  });

  it('leaves a message SQS refused to send in the DLQ and reports it', async () => {
    // Prepare
    withoutMoveTasks();
    const [refused, accepted] = fake.deadLetter(2);
    fake.stub.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string; MessageBody: string }[] }) => {
      fake.queue(SOURCE_URL).messages.push({ messageId: 'copy', body: input.Entries[1]?.MessageBody ?? '', receiveCount: 0, sentTimestamp: 0, hidden: false });
      return {
        Successful: [{ Id: '1', MessageId: 'copy' }],
        Failed: [{ Id: '0', Code: 'InvalidParameterValue', Message: 'too many attributes', SenderFault: true }],
      };
    });

    // Act
    const result = await redriveDeadLetters(options({ maxMessages: 2 }));

    // Assess
    expect(result).toMatchObject({
      method: 'receive-send-delete',
      moved: 1,
      notSent: [{ messageId: refused?.messageId, code: 'InvalidParameterValue', message: 'too many attributes' }],
    });
    expect(fake.bodies(DLQ_URL)).toEqual([refused?.body]);
    expect(fake.bodies(SOURCE_URL)).toEqual([accepted?.body]);
  });

  it('counts deletes SQS refused as sent but not deleted', async () => {
    // Prepare
    withoutMoveTasks();
    fake.deadLetter(2);
    fake.stub.on(DeleteMessageBatchCommand).resolves({
      Successful: [{ Id: '1' }],
      Failed: [{ Id: '0', Code: 'ReceiptHandleIsInvalid', SenderFault: true }],
    });

    // Act
    const result = await redriveDeadLetters(options());

    // Assess
    expect(result).toMatchObject({ method: 'receive-send-delete', moved: 2, sentNotDeleted: 1 });
  });

  it('moves at most --max messages, by hand, since a message move task cannot stop early', async () => {
    // Prepare
    fake.deadLetter(5);

    // Act
    const result = await redriveDeadLetters(options({ maxMessages: 2 }));

    // Assess
    expect(result).toMatchObject({ method: 'receive-send-delete', moved: 2, total: 2 });
    expect(fake.stub).not.toHaveReceivedCommand(StartMessageMoveTaskCommand);
    expect(fake.bodies(DLQ_URL)).toHaveLength(3);
    expect(fake.bodies(SOURCE_URL)).toHaveLength(2);
  });

  it('stops at the depth the DLQ had when it started, so messages that fail again are not chased', async () => {
    // Prepare
    withoutMoveTasks();
    fake.deadLetter(3);
    // Every message sent back fails at once and is dead-lettered again.
    fake.stub.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => {
      fake.deadLetter(input.Entries.length);
      return { Successful: input.Entries.map((entry) => ({ Id: entry.Id })), Failed: [] };
    });

    // Act
    const result = await redriveDeadLetters(options());

    // Assess
    expect(result).toMatchObject({ moved: 3, total: 3 });
    expect(fake.bodies(DLQ_URL)).toHaveLength(3);
  });

  it('sends one message at a time when the batch is over the request size limit', async () => {
    // Prepare
    withoutMoveTasks();
    const dead = fake.deadLetter(2);
    fake.stub.on(SendMessageBatchCommand).rejects(sqsError('BatchRequestTooLong'));

    // Act
    const result = await redriveDeadLetters(options());

    // Assess
    expect(result).toMatchObject({ moved: 2 });
    expect(fake.stub).toHaveReceivedCommandTimes(SendMessageCommand, 2);
    expect(fake.bodies(SOURCE_URL)).toEqual(dead.map((message) => message.body));
    expect(fake.bodies(DLQ_URL)).toEqual([]);
  });

  it('never asks for a message move task when told to work by hand', async () => {
    // Prepare
    fake.deadLetter(1);

    // Act
    const result = await redriveDeadLetters(options({ method: 'receive-send-delete' }));

    // Assess
    expect(result).toMatchObject({ method: 'receive-send-delete', moved: 1 });
    expect(fake.stub).not.toHaveReceivedCommand(StartMessageMoveTaskCommand);
  });

  it('does nothing to an empty DLQ', async () => {
    // Prepare
    withoutMoveTasks();

    // Act
    const result = await redriveDeadLetters(options());

    // Assess
    expect(result).toMatchObject({ method: 'receive-send-delete', moved: 0, total: 0 });
    expect(fake.stub).not.toHaveReceivedCommand(SendMessageBatchCommand);
  });

  it('propagates an error of StartMessageMoveTask that is not about support', async () => {
    // Prepare
    fake.deadLetter(1);
    fake.stub.on(StartMessageMoveTaskCommand).rejects(sqsError('AccessDenied'));

    // Act
    const redrive = redriveDeadLetters(options());

    // Assess
    await expect(redrive).rejects.toThrow('AccessDenied');
    expect(fake.bodies(DLQ_URL)).toHaveLength(1);
  });
});
