import { functionSegment, type TracedInvocation } from '../../../../infra/local/runtime/function-segment';

const ROOT = '1-6a0b7eb4-c96ed397efcb169f8f23af2c';
const STARTED_AT_MS = 1_782_986_400_000;

function anInvocation(overrides: Partial<TracedInvocation> = {}): TracedInvocation {
  return {
    functionName: 'Payment',
    functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:Payment',
    requestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    traceHeader: `Root=${ROOT};Parent=8c456dfa36d2d020;Sampled=1`,
    startedAtMs: STARTED_AT_MS,
    endedAtMs: STARTED_AT_MS + 250,
    result: { status: 'ok', payload: null, durationMs: 240 },
    ...overrides,
  };
}

describe('functionSegment', () => {
  it('records the invocation as the AWS::Lambda::Function segment whose id the function saw as Parent', () => {
    // Act
    const segment = functionSegment(anInvocation());

    // Assess
    expect(segment).toEqual({
      id: '8c456dfa36d2d020',
      trace_id: ROOT,
      name: 'Payment',
      origin: 'AWS::Lambda::Function',
      start_time: STARTED_AT_MS / 1000,
      end_time: (STARTED_AT_MS + 250) / 1000,
      aws: {
        function_arn: 'arn:aws:lambda:us-east-1:000000000000:function:Payment',
        request_id: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
        resource_names: ['Payment'],
      },
      annotations: { ColdStart: false },
    });
  });

  it("hangs under the caller's segment when the invocation continues the caller's trace (API Gateway)", () => {
    // Act
    const segment = functionSegment(anInvocation({ callerTraceHeader: `Root=${ROOT};Parent=0902952e84778f87;Sampled=1` }));

    // Assess
    expect(segment?.parent_id).toBe('0902952e84778f87');
  });

  it('links, and does not parent, the traces of the messages it consumed (SQS)', () => {
    // Prepare
    const producer = 'Root=1-6a0b7eb4-00000000000000000000000a;Parent=7069bd84e60649e6;Sampled=1';

    // Act
    const segment = functionSegment(anInvocation({ linkedTraceHeaders: [producer, producer, 'Root=1-6a0b7eb4-00000000000000000000000b'] }));

    // Assess
    expect(segment?.parent_id).toBeUndefined();
    expect(segment?.links).toEqual([{ trace_id: '1-6a0b7eb4-00000000000000000000000a', id: '7069bd84e60649e6' }]);
  });

  it('marks a cold start with the annotation and an Initialization subsegment as long as the init', () => {
    // Act
    const segment = functionSegment(anInvocation({ result: { status: 'ok', payload: null, durationMs: 240, initDurationMs: 400 } }));

    // Assess
    expect(segment?.annotations).toEqual({ ColdStart: true });
    expect(segment?.subsegments).toEqual([
      { id: expect.stringMatching(/^[0-9a-f]{16}$/), name: 'Initialization', trace_id: ROOT, start_time: STARTED_AT_MS / 1000, end_time: (STARTED_AT_MS + 400) / 1000 },
    ]);
  });

  it.each([
    { result: { status: 'error', errorType: 'InvalidEventError', errorMessage: 'bad body', durationMs: 5 }, type: 'InvalidEventError' },
    { result: { status: 'timeout', durationMs: 3000 }, type: 'Sandbox.Timedout' },
    { result: { status: 'crash', exitCode: null, signal: 'SIGKILL', durationMs: 5 }, type: 'Runtime.ExitError' },
  ] as const)('records a failed invocation ($result.status) as a fault with its cause', ({ result, type }) => {
    // Act
    const segment = functionSegment(anInvocation({ result }));

    // Assess
    expect(segment).toMatchObject({ fault: true, cause: { exceptions: [{ type }] } });
  });

  it('records nothing for an unsampled trace', () => {
    // Act
    const segment = functionSegment(anInvocation({ traceHeader: `Root=${ROOT};Parent=8c456dfa36d2d020;Sampled=0` }));

    // Assess
    expect(segment).toBeUndefined();
  });
});
