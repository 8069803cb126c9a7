/**
 * An in-memory SQS behind `aws-sdk-client-mock`, enough for the redrive and peek logic: queues by
 * URL, receives that hide messages until deleted or handed back, batch sends and deletes. Tests
 * then assert where every message is, which is what "loses nothing" means.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
  type MessageAttributeValue,
} from '@aws-sdk/client-sqs';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';

export interface FakeMessage {
  readonly messageId: string;
  readonly body: string;
  readonly attributes?: Record<string, MessageAttributeValue>;
  readonly traceHeader?: string;
  receiveCount: number;
  sentTimestamp: number;
  hidden: boolean;
  receiptHandle?: string;
}

export interface FakeQueue {
  readonly url: string;
  readonly arn: string;
  readonly messages: FakeMessage[];
  readonly redrivePolicy?: string;
}

export const DLQ_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/payment-dlq';
export const SOURCE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/payment';

export class FakeSqs {
  readonly stub: AwsClientStub<SQSClient> = mockClient(SQSClient);
  private readonly queues = new Map<string, FakeQueue>();
  private nextId = 0;

  constructor() {
    this.reset();
  }

  reset(): void {
    this.stub.reset();
    this.queues.clear();
    this.addQueue(DLQ_URL);
    this.addQueue(SOURCE_URL, JSON.stringify({ deadLetterTargetArn: arnOf(DLQ_URL), maxReceiveCount: 3 }));
    this.stub.on(GetQueueAttributesCommand).callsFake((input: { QueueUrl: string }) => {
      const queue = this.queue(input.QueueUrl);
      return {
        Attributes: {
          QueueArn: queue.arn,
          ApproximateNumberOfMessages: String(queue.messages.filter((message) => !message.hidden).length),
          ApproximateNumberOfMessagesNotVisible: String(queue.messages.filter((message) => message.hidden).length),
          ApproximateNumberOfMessagesDelayed: '0',
          ...(queue.redrivePolicy === undefined ? {} : { RedrivePolicy: queue.redrivePolicy }),
        },
      };
    });
    this.stub.on(ReceiveMessageCommand).callsFake((input: { QueueUrl: string; MaxNumberOfMessages?: number }) => {
      const visible = this.queue(input.QueueUrl).messages.filter((message) => !message.hidden);
      const batch = visible.slice(0, input.MaxNumberOfMessages ?? 1);
      return { Messages: batch.map((message) => this.receive(message)) };
    });
    this.stub.on(SendMessageBatchCommand).callsFake(
      (input: { QueueUrl: string; Entries: { Id: string; MessageBody: string; MessageAttributes?: Record<string, MessageAttributeValue> }[] }) => {
        for (const entry of input.Entries) this.send(input.QueueUrl, entry.MessageBody, entry.MessageAttributes);
        return { Successful: input.Entries.map((entry) => ({ Id: entry.Id, MessageId: `sent-${entry.Id}` })), Failed: [] };
      },
    );
    this.stub.on(SendMessageCommand).callsFake((input: { QueueUrl: string; MessageBody: string; MessageAttributes?: Record<string, MessageAttributeValue> }) => {
      this.send(input.QueueUrl, input.MessageBody, input.MessageAttributes);
      return { MessageId: 'sent' };
    });
    this.stub.on(DeleteMessageBatchCommand).callsFake((input: { QueueUrl: string; Entries: { Id: string; ReceiptHandle: string }[] }) => {
      const queue = this.queue(input.QueueUrl);
      for (const entry of input.Entries) {
        const index = queue.messages.findIndex((message) => message.receiptHandle === entry.ReceiptHandle);
        if (index >= 0) queue.messages.splice(index, 1);
      }
      return { Successful: input.Entries.map((entry) => ({ Id: entry.Id })), Failed: [] };
    });
    this.stub.on(ChangeMessageVisibilityBatchCommand).callsFake(
      (input: { QueueUrl: string; Entries: { Id: string; ReceiptHandle: string; VisibilityTimeout: number }[] }) => {
        for (const entry of input.Entries) {
          const message = this.queue(input.QueueUrl).messages.find((candidate) => candidate.receiptHandle === entry.ReceiptHandle);
          if (message !== undefined && entry.VisibilityTimeout === 0) message.hidden = false;
        }
        return { Successful: input.Entries.map((entry) => ({ Id: entry.Id })), Failed: [] };
      },
    );
  }

  addQueue(url: string, redrivePolicy?: string): FakeQueue {
    const queue: FakeQueue = { url, arn: arnOf(url), messages: [], ...(redrivePolicy === undefined ? {} : { redrivePolicy }) };
    this.queues.set(url, queue);
    return queue;
  }

  queue(url: string): FakeQueue {
    const queue = this.queues.get(url);
    if (queue === undefined) throw new Error(`no fake queue ${url}`);
    return queue;
  }

  /** Puts a dead letter in the DLQ, as the redrive policy would after three failed receives. */
  deadLetter(count: number, overrides: Partial<FakeMessage> = {}): FakeMessage[] {
    return Array.from({ length: count }, () => {
      this.nextId += 1;
      const message: FakeMessage = {
        messageId: `dead-${this.nextId}`,
        body: JSON.stringify({ eventType: 'OrderCreated', eventId: `event-${this.nextId}`, data: { orderId: `order-${this.nextId}` } }),
        attributes: {
          eventType: { DataType: 'String', StringValue: 'OrderCreated' },
          orderId: { DataType: 'String', StringValue: `order-${this.nextId}` },
        },
        receiveCount: 4,
        sentTimestamp: 1_700_000_000_000 + this.nextId,
        hidden: false,
        ...overrides,
      };
      this.queue(DLQ_URL).messages.push(message);
      return message;
    });
  }

  bodies(url: string): string[] {
    return this.queue(url).messages.map((message) => message.body);
  }

  private receive(message: FakeMessage): Message {
    message.receiveCount += 1;
    message.hidden = true;
    message.receiptHandle = `handle-${message.messageId}-${message.receiveCount}`;
    return {
      MessageId: message.messageId,
      ReceiptHandle: message.receiptHandle,
      Body: message.body,
      MessageAttributes: message.attributes,
      Attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentTimestamp),
        ...(message.traceHeader === undefined ? {} : { AWSTraceHeader: message.traceHeader }),
      },
    };
  }

  private send(url: string, body: string, attributes: Record<string, MessageAttributeValue> | undefined): void {
    this.nextId += 1;
    this.queue(url).messages.push({
      messageId: `copy-${this.nextId}`,
      body,
      ...(attributes === undefined ? {} : { attributes }),
      receiveCount: 0,
      sentTimestamp: Date.now(),
      hidden: false,
    });
  }
}

export function arnOf(url: string): string {
  const [, , , account, name] = url.split('/');
  return `arn:aws:sqs:eu-west-1:${account ?? '?'}:${name ?? '?'}`;
}
