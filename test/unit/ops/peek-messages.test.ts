import { ChangeMessageVisibilityBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import 'aws-sdk-client-mock-jest';
import { PeekRefusedError } from '../../../ops/ops-errors';
import { peekMessages } from '../../../ops/peek-messages';
import { sqsQueueReader } from '../../../ops/queue-reader';
import { DLQ_URL, FakeSqs, SOURCE_URL } from './fake-sqs';

const fake = new FakeSqs();
const sqs = new SQSClient({ region: 'eu-west-1' });

beforeEach(() => {
  fake.reset();
});

describe('peekMessages', () => {
  it('hands every message back at once, so the DLQ keeps them all', async () => {
    // Prepare
    const dead = fake.deadLetter(13);

    // Act
    const peek = await peekMessages(sqs, DLQ_URL, { limit: 50, releaseVisibilityTimeoutSeconds: 0 });

    // Assess
    expect(peek.messages.map((message) => message.MessageId)).toEqual(dead.map((message) => message.messageId));
    expect(peek.notReleased).toBe(0);
    expect(fake.queue(DLQ_URL).messages.every((message) => !message.hidden)).toBe(true);
    expect(fake.stub).toHaveReceivedCommandWith(ChangeMessageVisibilityBatchCommand, { QueueUrl: DLQ_URL, Entries: expect.arrayContaining([expect.objectContaining({ VisibilityTimeout: 0 })]) });
  });

  it('stops at the limit', async () => {
    // Prepare
    fake.deadLetter(25);

    // Act
    const peek = await peekMessages(sqs, DLQ_URL, { limit: 12, releaseVisibilityTimeoutSeconds: 0 });

    // Assess
    expect(peek.messages).toHaveLength(12);
    expect(fake.stub).toHaveReceivedCommandWith(ReceiveMessageCommand, { MaxNumberOfMessages: 2 });
  });

  it('refuses a queue with a redrive policy, where a receive would count toward the DLQ', async () => {
    // Act
    const peek = peekMessages(sqs, SOURCE_URL, { limit: 10, releaseVisibilityTimeoutSeconds: 0 });

    // Assess
    await expect(peek).rejects.toThrow(PeekRefusedError);
    expect(fake.stub).not.toHaveReceivedCommand(ReceiveMessageCommand);
  });

  it('hands back what it received even when a later receive fails', async () => {
    // Prepare
    fake.deadLetter(10);
    fake.stub.on(ReceiveMessageCommand).callsFakeOnce(() => {
      const messages = fake.queue(DLQ_URL).messages;
      for (const message of messages) message.hidden = true;
      return { Messages: messages.map((message) => ({ MessageId: message.messageId, ReceiptHandle: `h-${message.messageId}`, Body: message.body })) };
    });
    fake.stub.on(ReceiveMessageCommand).rejects(new Error('throttled'));
    for (const message of fake.queue(DLQ_URL).messages) message.receiptHandle = `h-${message.messageId}`;

    // Act
    const peek = peekMessages(sqs, DLQ_URL, { limit: 20, releaseVisibilityTimeoutSeconds: 0 });

    // Assess
    await expect(peek).rejects.toThrow('throttled');
    expect(fake.queue(DLQ_URL).messages.every((message) => !message.hidden)).toBe(true);
  });
});

describe('sqsQueueReader', () => {
  it('does not peek a queue with a redrive policy', async () => {
    // Act
    const peek = await sqsQueueReader(sqs).peek({ name: 'payment', url: SOURCE_URL }, 10);

    // Assess
    expect(peek).toBeUndefined();
    expect(fake.stub).not.toHaveReceivedCommand(ReceiveMessageCommand);
  });

  it('knows the oldest message was seen only when every message was', async () => {
    // Prepare
    fake.deadLetter(3);

    // Act
    const [some, all] = [
      await sqsQueueReader(sqs).peek({ name: 'payment-dlq', url: DLQ_URL }, 2),
      await sqsQueueReader(sqs).peek({ name: 'payment-dlq', url: DLQ_URL }, 10),
    ];

    // Assess
    expect(some).toMatchObject({ complete: false });
    expect(all).toMatchObject({ complete: true });
  });
});
