import { createHash, randomUUID } from 'node:crypto';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import {
  LambdaService,
  type InvokeOptions,
  type InvokeResult,
  type LambdaInvoker,
} from '../../../infra/local/runtime/lambda-service';
import {
  SqsEventSourceMapping,
  VisibilityTimeoutTooShortError,
  type SqsMappingOptions,
} from '../../../infra/local/runtime/sqs-mapping';
import { readQueueDepth, totalMessages } from '../../../ops/queue-depth';
import { eventually } from '../support/eventually';
import { startFauxqs, testSqsClient, type RunningFauxqs } from '../support/fauxqs';
import { fixtureFunction, TEST_SERVICE_OPTIONS } from '../support/local-function';

const FAUXQS_PORT = 14700;
const FUNCTION = 'sqs-batch';
const VISIBILITY_TIMEOUT_SECONDS = 1;
const MAX_RECEIVE_COUNT = 3;

interface Invocation {
  readonly event: SQSEvent;
  readonly startedAt: number;
  endedAt?: number;
  result?: InvokeResult;
}

/** Records every event the mapping delivers and how many invocations overlap. */
class RecordingInvoker implements LambdaInvoker {
  readonly invocations: Invocation[] = [];
  private inFlight = 0;
  maxInFlight = 0;

  constructor(private readonly target: LambdaInvoker) {}

  async invoke(functionName: string, event: unknown, options?: InvokeOptions): Promise<InvokeResult> {
    // The mapping under test builds the event; the assertions check its shape.
    const invocation: Invocation = { event: event as SQSEvent, startedAt: Date.now() };
    this.invocations.push(invocation);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      invocation.result = await this.target.invoke(functionName, event, options);
      return invocation.result;
    } finally {
      this.inFlight -= 1;
      invocation.endedAt = Date.now();
    }
  }

  records(): SQSRecord[] {
    return this.invocations.flatMap((invocation) => invocation.event.Records);
  }

  /** Every delivery of one message, in order. */
  deliveriesOf(messageId: string): SQSRecord[] {
    return this.records().filter((record) => record.messageId === messageId);
  }
}

interface TestQueue {
  readonly url: string;
  readonly arn: string;
  readonly dlqUrl: string;
}

describe('SqsEventSourceMapping', () => {
  let fauxqs: RunningFauxqs;
  let sqs: SQSClient;
  let service: LambdaService;
  let recorder: RecordingInvoker;
  const mappings: SqsEventSourceMapping[] = [];

  beforeAll(async () => {
    [fauxqs, service] = await Promise.all([
      startFauxqs(FAUXQS_PORT),
      LambdaService.start({
        ...TEST_SERVICE_OPTIONS,
        functions: [fixtureFunction(FUNCTION, { timeoutSeconds: 1, maxConcurrency: 10 })],
        log: () => undefined,
      }),
    ]);
    sqs = testSqsClient(fauxqs.endpoint);
  });

  beforeEach(() => {
    recorder = new RecordingInvoker(service);
  });

  afterEach(async () => {
    await Promise.all(mappings.splice(0).map((mapping) => mapping.stop()));
  });

  afterAll(async () => {
    sqs.destroy();
    await service.stop();
    await fauxqs.stop();
  });

  /** A fresh queue with a DLQ after three receives, as every consumer queue has. */
  async function createQueue(visibilityTimeoutSeconds = VISIBILITY_TIMEOUT_SECONDS): Promise<TestQueue> {
    const name = `mapping-test-${randomUUID().slice(0, 8)}`;
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
    const dlqUrl = dlq.QueueUrl!;
    const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] })))
      .Attributes!.QueueArn!;
    const queue = await sqs.send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: {
          VisibilityTimeout: String(visibilityTimeoutSeconds),
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: MAX_RECEIVE_COUNT }),
        },
      }),
    );
    const url = queue.QueueUrl!;
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })))
      .Attributes!.QueueArn!;
    return { url, arn, dlqUrl };
  }

  async function startMapping(queue: TestQueue, overrides: Partial<SqsMappingOptions> = {}): Promise<SqsEventSourceMapping> {
    const mapping = await SqsEventSourceMapping.start({
      functionName: FUNCTION,
      queueUrl: queue.url,
      queueArn: queue.arn,
      batchSize: 10,
      maxBatchingWindowMs: 300,
      maxConcurrency: 2,
      reportBatchItemFailures: true,
      functionTimeoutSeconds: 1,
      region: 'us-east-1',
      sqs,
      invoker: recorder,
      log: () => undefined,
      ...overrides,
    });
    mappings.push(mapping);
    return mapping;
  }

  /** Sends messages in one call; returns their message ids in order. */
  async function send(queue: TestQueue, bodies: readonly object[]): Promise<string[]> {
    const { Successful = [], Failed = [] } = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: bodies.map((body, index) => ({ Id: String(index), MessageBody: JSON.stringify(body) })),
      }),
    );
    expect(Failed).toEqual([]);
    return bodies.map((_, index) => Successful.find((entry) => entry.Id === String(index))!.MessageId!);
  }

  /** Messages still in the queue: visible, in flight or delayed. */
  async function depthOf(queueUrl: string): Promise<number> {
    return totalMessages(await readQueueDepth(sqs, queueUrl));
  }

  function whenDepthIs(queueUrl: string, depth: number, what: string): Promise<true> {
    return eventually(async () => ((await depthOf(queueUrl)) === depth ? true : undefined), { what });
  }

  it('delivers each message as the record Lambda builds, then deletes it', async () => {
    // Prepare
    const queue = await createQueue();
    await startMapping(queue);
    const body = JSON.stringify({ hello: 'world' });

    // Act
    const { MessageId } = await sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: body,
        MessageAttributes: {
          eventType: { DataType: 'String', StringValue: 'OrderCreated' },
          attempt: { DataType: 'Number', StringValue: '1' },
          blob: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]) },
        },
      }),
    );
    const record = await eventually(() => recorder.deliveriesOf(MessageId!)[0], { what: 'the delivery' });

    // Assess
    expect(record).toEqual({
      messageId: MessageId,
      receiptHandle: expect.any(String),
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: expect.stringMatching(/^\d{13}$/),
        SenderId: expect.any(String),
        ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
      },
      messageAttributes: {
        eventType: { stringValue: 'OrderCreated', stringListValues: [], binaryListValues: [], dataType: 'String' },
        attempt: { stringValue: '1', stringListValues: [], binaryListValues: [], dataType: 'Number' },
        blob: { binaryValue: 'AQID', stringListValues: [], binaryListValues: [], dataType: 'Binary' },
      },
      md5OfBody: createHash('md5').update(body).digest('hex'),
      md5OfMessageAttributes: expect.stringMatching(/^[0-9a-f]{32}$/),
      eventSource: 'aws:sqs',
      eventSourceARN: queue.arn,
      awsRegion: 'us-east-1',
    });
    await whenDepthIs(queue.url, 0, 'the message to be deleted');
  });

  it('invokes with at most batchSize records', async () => {
    // Prepare
    const queue = await createQueue();
    await send(queue, [{}, {}, {}, {}, {}, {}, {}]);

    // Act
    await startMapping(queue, { batchSize: 3, maxConcurrency: 1 });
    await whenDepthIs(queue.url, 0, 'all seven messages to be processed');

    // Assess
    const sizes = recorder.invocations.map((invocation) => invocation.event.Records.length);
    expect(Math.max(...sizes)).toBe(3);
    expect(sizes.reduce((total, size) => total + size, 0)).toBe(7);
  });

  it('waits up to the batching window to fill a batch', async () => {
    // Prepare: the second message becomes visible one second after the first; the visibility
    // timeout outlasts the window, or the first would be received a second time while it is open.
    const queue = await createQueue(5);
    await startMapping(queue, { maxBatchingWindowMs: 2500 });

    // Act
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: '{}' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: '{}', DelaySeconds: 1 }));
    await whenDepthIs(queue.url, 0, 'both messages to be processed');

    // Assess
    expect(recorder.invocations.map((invocation) => invocation.event.Records.length)).toEqual([2]);
  });

  it('invokes without waiting when there is no batching window', async () => {
    // Prepare
    const queue = await createQueue();
    await startMapping(queue, { maxBatchingWindowMs: 0, maxConcurrency: 1 });

    // Act
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: '{}' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: '{}', DelaySeconds: 1 }));
    await whenDepthIs(queue.url, 0, 'both messages to be processed');

    // Assess
    expect(recorder.invocations.map((invocation) => invocation.event.Records.length)).toEqual([1, 1]);
  });

  it('invokes as soon as the batch is full, before the window ends', async () => {
    // Prepare
    const queue = await createQueue();
    await startMapping(queue, { batchSize: 2, maxBatchingWindowMs: 10_000 });
    const sentAt = Date.now();

    // Act
    await send(queue, [{}, {}]);
    const invocation = await eventually(() => recorder.invocations[0], { what: 'the invocation' });

    // Assess
    expect(invocation.event.Records).toHaveLength(2);
    expect(invocation.startedAt - sentAt).toBeLessThan(5_000);
  });

  it('deletes only the successes of a partial batch response; the failure comes back until the DLQ takes it', async () => {
    // Prepare
    const queue = await createQueue();
    const [failing, ok1, ok2] = await send(queue, [{ fail: true }, {}, {}]);

    // Act
    await startMapping(queue);
    await whenDepthIs(queue.dlqUrl, 1, 'the failing message in the DLQ');

    // Assess
    expect(recorder.invocations[0]?.event.Records.map((record) => record.messageId).sort()).toEqual(
      [failing, ok1, ok2].sort(),
    );
    expect(recorder.deliveriesOf(ok1!)).toHaveLength(1);
    expect(recorder.deliveriesOf(ok2!)).toHaveLength(1);
    // The same message, delivered again: what an idempotent consumer has to recognise.
    expect(recorder.deliveriesOf(failing!).map((record) => record.attributes.ApproximateReceiveCount)).toEqual([
      '1',
      '2',
      '3',
    ]);
    expect(await depthOf(queue.url)).toBe(0);
  });

  it.each([
    ['an identifier that is not a messageId of the batch', { bogusId: true }],
    ['an empty identifier', { emptyId: true }],
  ])('fails the whole batch when the response names %s', async (_case, instruction) => {
    // Prepare
    const queue = await createQueue();
    const [reported, unreported] = await send(queue, [instruction, {}]);

    // Act
    await startMapping(queue);
    await eventually(() => recorder.deliveriesOf(unreported!)[1], { what: 'the unreported message to come back' });

    // Assess
    expect(recorder.invocations[0]?.result?.status).toBe('ok');
    expect(recorder.invocations[0]?.event.Records).toHaveLength(2);
    expect(recorder.deliveriesOf(unreported!)[1]?.attributes.ApproximateReceiveCount).toBe('2');
    expect(recorder.deliveriesOf(reported!)[1]?.attributes.ApproximateReceiveCount).toBe('2');
  });

  it('returns the whole batch after a thrown error, until the queue moves it to the DLQ after three receives', async () => {
    // Prepare
    const queue = await createQueue();
    const [throwing, innocent] = await send(queue, [{ throw: true }, {}]);

    // Act
    await startMapping(queue);
    await whenDepthIs(queue.dlqUrl, 2, 'both messages in the DLQ');

    // Assess
    const first = recorder.invocations[0]!;
    expect(first.result).toMatchObject({ status: 'error', errorMessage: 'batch failed' });
    for (const messageId of [throwing!, innocent!]) {
      const deliveries = recorder.deliveriesOf(messageId);
      expect(deliveries.map((record) => record.attributes.ApproximateReceiveCount)).toEqual(['1', '2', '3']);
    }
    // Back only after the visibility timeout, counted from the receive.
    const second = recorder.invocations.find((invocation) =>
      invocation.event.Records.some((record) => record.attributes.ApproximateReceiveCount === '2'),
    )!;
    expect(second.startedAt - first.startedAt).toBeGreaterThanOrEqual(VISIBILITY_TIMEOUT_SECONDS * 1000 - 50);
    expect(await depthOf(queue.url)).toBe(0);
  });

  it.each([
    ['times out', { sleepMs: 5_000 }, 'timeout'],
    ['crashes', { exit: true }, 'crash'],
  ])('returns the whole batch when the function %s', async (_case, instruction, status) => {
    // Prepare
    const queue = await createQueue();
    const [failing, innocent] = await send(queue, [instruction, {}]);

    // Act
    await startMapping(queue);
    await eventually(() => recorder.deliveriesOf(innocent!)[1], { what: 'the batch to come back' });

    // Assess
    expect(recorder.invocations[0]?.result?.status).toBe(status);
    expect(recorder.deliveriesOf(failing!)[1]?.attributes.ApproximateReceiveCount).toBe('2');
  });

  it('runs up to maxConcurrency batches at once and no more', async () => {
    // Prepare
    const queue = await createQueue();
    await send(queue, Array.from({ length: 9 }, () => ({ sleepMs: 300 })));

    // Act
    const mapping = await startMapping(queue, { batchSize: 1, maxBatchingWindowMs: 0, maxConcurrency: 3 });
    await whenDepthIs(queue.url, 0, 'all nine messages to be processed');

    // Assess
    expect(recorder.maxInFlight).toBe(3);
    expect(mapping.pollerCount).toBeLessThanOrEqual(3);
    expect(recorder.invocations).toHaveLength(9);
  });

  it('lets the batch in flight finish and settle when stopped', async () => {
    // Prepare
    const queue = await createQueue();
    const mapping = await startMapping(queue);
    await send(queue, [{ sleepMs: 500 }]);
    await eventually(() => recorder.invocations[0], { what: 'the invocation to start' });

    // Act
    await mapping.stop();

    // Assess
    expect(recorder.invocations[0]?.result?.status).toBe('ok');
    expect(mapping.pollerCount).toBe(0);
    expect(await depthOf(queue.url)).toBe(0);
  });

  it('refuses a queue whose visibility timeout is shorter than the function timeout, as Lambda does', async () => {
    // Prepare
    const queue = await createQueue(1);

    // Act
    const starting = startMapping(queue, { functionTimeoutSeconds: 2 });

    // Assess
    await expect(starting).rejects.toThrow(VisibilityTimeoutTooShortError);
  });
});
