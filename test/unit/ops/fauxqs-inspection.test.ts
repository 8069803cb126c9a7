import { inspectFauxqsQueue } from '../../../ops/fauxqs-inspection';

const NOW = new Date('2026-11-29T01:20:00.000Z');

function aMessage(id: string, sentTimestamp: number) {
  return {
    messageId: id,
    body: `{"n":"${id}"}`,
    messageAttributes: { orderId: { DataType: 'String', StringValue: `order-${id}` } },
    sentTimestamp,
    approximateReceiveCount: 4,
  };
}

let fetchSpy: jest.SpiedFunction<typeof fetch>;
beforeEach(() => {
  fetchSpy = jest.spyOn(global, 'fetch');
});
afterEach(() => {
  fetchSpy.mockRestore();
});

describe('inspectFauxqsQueue', () => {
  it('counts an in-flight message whose visibility has ended as visible, and lists all oldest first', async () => {
    // Prepare
    fetchSpy.mockResolvedValue(
      Response.json({
        attributes: { RedrivePolicy: '{"maxReceiveCount":3}' },
        messages: {
          ready: [aMessage('b', 2_000)],
          delayed: [],
          inflight: [
            { message: aMessage('a', 1_000), receiptHandle: 'h1', visibilityDeadline: NOW.getTime() - 1 },
            { message: aMessage('c', 3_000), receiptHandle: 'h2', visibilityDeadline: NOW.getTime() + 5_000 },
          ],
        },
      }),
    );

    // Act
    const inspection = await inspectFauxqsQueue('http://127.0.0.1:4566', 'payment', NOW);

    // Assess
    expect(fetchSpy.mock.calls[0]?.[0]?.toString()).toBe('http://127.0.0.1:4566/_fauxqs/queues/payment');
    expect(inspection.depth).toEqual({ visible: 2, inFlight: 1, delayed: 0, hasRedrivePolicy: true });
    expect(inspection.messages.map((message) => message.MessageId)).toEqual(['a', 'b', 'c']);
    expect(inspection.messages[0]).toEqual({
      MessageId: 'a',
      Body: '{"n":"a"}',
      MessageAttributes: { orderId: { DataType: 'String', StringValue: 'order-a', BinaryValue: undefined } },
      Attributes: { SentTimestamp: '1000', ApproximateReceiveCount: '4' },
    });
  });

  it('fails on a queue fauxqs does not know', async () => {
    // Prepare
    fetchSpy.mockResolvedValue(new Response('{"error":"not found"}', { status: 404 }));

    // Act
    const inspect = inspectFauxqsQueue('http://127.0.0.1:4566', 'nope', NOW);

    // Assess
    await expect(inspect).rejects.toThrow('fauxqs inspection of nope answered HTTP 404');
  });
});
