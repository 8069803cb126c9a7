import type { Message } from '@aws-sdk/client-sqs';
import type { InvokeResult } from '../../../../infra/local/runtime/lambda-invoker';
import { IncompleteSqsMessageError, settleBatch, toSqsRecord, traceHeadersOf } from '../../../../infra/local/runtime/sqs-event';

const SOURCE = { eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:payment', awsRegion: 'us-east-1' };
const BATCH = new Set(['m-1', 'm-2', 'm-3']);

function receivedMessage(overrides: Partial<Message> = {}): Message {
  return {
    MessageId: 'm-1',
    ReceiptHandle: 'receipt-1',
    MD5OfBody: '99914b932bd37a50b983c5e7c90ae93b',
    Body: '{}',
    Attributes: {
      ApproximateReceiveCount: '2',
      SentTimestamp: '1782986400000',
      SenderId: '000000000000',
      ApproximateFirstReceiveTimestamp: '1782986400100',
    },
    ...overrides,
  };
}

function ok(payload: unknown): InvokeResult {
  return { status: 'ok', payload, durationMs: 5 };
}

describe('toSqsRecord', () => {
  it('keeps the trace header and FIFO attributes when the message has them', () => {
    // Prepare
    const message = receivedMessage({
      Attributes: {
        ...receivedMessage().Attributes,
        AWSTraceHeader: 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1',
        MessageGroupId: 'order-1',
      },
    });

    // Act
    const record = toSqsRecord(message, SOURCE);

    // Assess
    expect(record.attributes).toEqual({
      ApproximateReceiveCount: '2',
      SentTimestamp: '1782986400000',
      SenderId: '000000000000',
      ApproximateFirstReceiveTimestamp: '1782986400100',
      AWSTraceHeader: 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1',
      MessageGroupId: 'order-1',
    });
  });

  it('delivers message attributes in Lambda’s camelCase shape with binary values in base64', () => {
    // Prepare
    const message = receivedMessage({
      MessageAttributes: {
        eventType: { DataType: 'String', StringValue: 'OrderCreated' },
        payload: { DataType: 'Binary.gzip', BinaryValue: Uint8Array.from([255, 0]) },
      },
      MD5OfMessageAttributes: 'e2ea3b6a5ef6fe5c59a07d6e12b77d4c',
    });

    // Act
    const record = toSqsRecord(message, SOURCE);

    // Assess
    expect(record.messageAttributes).toEqual({
      eventType: { stringValue: 'OrderCreated', stringListValues: [], binaryListValues: [], dataType: 'String' },
      payload: { binaryValue: '/wA=', stringListValues: [], binaryListValues: [], dataType: 'Binary.gzip' },
    });
    expect(record.md5OfMessageAttributes).toBe('e2ea3b6a5ef6fe5c59a07d6e12b77d4c');
  });

  it('has no md5OfMessageAttributes and empty messageAttributes for a message without attributes', () => {
    // Act
    const record = toSqsRecord(receivedMessage(), SOURCE);

    // Assess
    expect(record.messageAttributes).toEqual({});
    expect(record).not.toHaveProperty('md5OfMessageAttributes');
    expect(record).toMatchObject({ eventSource: 'aws:sqs', ...SOURCE });
  });

  it('rejects a message received without the system attributes Lambda always delivers', () => {
    // Prepare
    const message = receivedMessage({ Attributes: { SentTimestamp: '1782986400000' } });

    // Act
    const convert = () => toSqsRecord(message, SOURCE);

    // Assess
    expect(convert).toThrow(IncompleteSqsMessageError);
  });
});

describe('settleBatch', () => {
  it.each([
    ['no response', undefined],
    ['a null response', null],
    ['an empty response object', {}],
    ['a null batchItemFailures', { batchItemFailures: null }],
    ['an empty batchItemFailures', { batchItemFailures: [] }],
  ])('deletes the whole batch on %s', (_case, payload) => {
    // Act
    const settlement = settleBatch(ok(payload), BATCH, true);

    // Assess
    expect(settlement).toEqual({ kind: 'success' });
  });

  it('keeps only the reported messages of a partial batch response', () => {
    // Act
    const settlement = settleBatch(ok({ batchItemFailures: [{ itemIdentifier: 'm-2' }] }), BATCH, true);

    // Assess
    expect(settlement).toEqual({ kind: 'partial', failedMessageIds: new Set(['m-2']) });
  });

  it.each([
    ['an identifier that is not in the batch', { batchItemFailures: [{ itemIdentifier: 'm-9' }] }],
    ['an empty identifier', { batchItemFailures: [{ itemIdentifier: 'm-1' }, { itemIdentifier: '' }] }],
    ['a null identifier', { batchItemFailures: [{ itemIdentifier: null }] }],
    ['an identifier under the wrong key', { batchItemFailures: [{ messageId: 'm-1' }] }],
    ['batchItemFailures that is not a list', { batchItemFailures: 'm-1' }],
    ['a response that is not an object', 'done'],
  ])('fails the whole batch on %s', (_case, payload) => {
    // Act
    const settlement = settleBatch(ok(payload), BATCH, true);

    // Assess
    expect(settlement.kind).toBe('failure');
  });

  it.each<[string, InvokeResult]>([
    ['a function error', { status: 'error', errorType: 'Error', errorMessage: 'boom', durationMs: 3 }],
    ['a timeout', { status: 'timeout', durationMs: 3000 }],
    ['a crash', { status: 'crash', exitCode: 1, signal: null, durationMs: 3 }],
  ])('deletes nothing after %s', (_case, result) => {
    // Act
    const settlement = settleBatch(result, BATCH, true);

    // Assess
    expect(settlement.kind).toBe('failure');
  });

  it('ignores the response when the mapping does not report batch item failures', () => {
    // Act
    const settlement = settleBatch(ok({ batchItemFailures: [{ itemIdentifier: 'm-1' }] }), BATCH, false);

    // Assess
    expect(settlement).toEqual({ kind: 'success' });
  });
});

describe('traceHeadersOf', () => {
  const ATTRIBUTE_HEADER = 'Root=1-6a0b7eb4-00000000000000000000000a;Parent=7069bd84e60649e6;Sampled=1';
  const SYSTEM_HEADER = 'Root=1-6a0b7eb4-00000000000000000000000b;Parent=8f64c56c332675ed;Sampled=1';

  it('reads the traceHeader message attribute first, AWSTraceHeader where a message has no attribute, each header once', () => {
    // Prepare
    const withAttribute = toSqsRecord(
      receivedMessage({
        MessageAttributes: { traceHeader: { DataType: 'String', StringValue: ATTRIBUTE_HEADER } },
        Attributes: { ...receivedMessage().Attributes, AWSTraceHeader: SYSTEM_HEADER },
      }),
      SOURCE,
    );
    const withSystemAttribute = toSqsRecord(
      receivedMessage({ MessageId: 'm-2', Attributes: { ...receivedMessage().Attributes, AWSTraceHeader: SYSTEM_HEADER } }),
      SOURCE,
    );
    const untraced = toSqsRecord(receivedMessage({ MessageId: 'm-3' }), SOURCE);

    // Act
    const headers = traceHeadersOf([withAttribute, withSystemAttribute, untraced, withAttribute]);

    // Assess
    expect(headers).toEqual([ATTRIBUTE_HEADER, SYSTEM_HEADER]);
  });
});
