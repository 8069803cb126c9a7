/**
 * The parts of a trace the local runtime records itself, as AWS does: the X-Ray daemon stand-in
 * (UDP in, store out), the function segment of each invocation (the Lambda service's), and the
 * stage segment of each request (API Gateway's). Every socket here is on a port the OS picks.
 */
import { createSocket } from 'node:dgram';
import { LocalApiGateway } from '../../../infra/local/runtime/api-gateway';
import { LambdaService } from '../../../infra/local/runtime/lambda-service';
import type { TraceSegmentDocument, TraceSegmentSink } from '../../../infra/local/runtime/trace-store';
import { XRayDaemon } from '../../../infra/local/runtime/xray-daemon';
import { ORDER_API_ROUTES } from '../../../src/common/settings';
import { eventually } from '../support/eventually';
import { fixtureFunction, TEST_SERVICE_OPTIONS } from '../support/local-function';

/** A sink that keeps what it is given. */
function memorySink(): TraceSegmentSink & { readonly segments: TraceSegmentDocument[] } {
  const segments: TraceSegmentDocument[] = [];
  return { segments, record: (segment) => segments.push(segment) };
}

const PRODUCER = 'Root=1-6a0b7eb4-00000000000000000000000a;Parent=7069bd84e60649e6;Sampled=1';

describe('XRayDaemon', () => {
  it('records each segment document sent to it over UDP, and drops what is not one', async () => {
    // Prepare
    const sink = memorySink();
    const dropped: string[] = [];
    const daemon = await XRayDaemon.start({ port: 0, segments: sink, log: (line) => dropped.push(line) });
    const [host, port] = daemon.address.split(':');
    const client = createSocket('udp4');
    const document = { id: '70de5b6f19ff9a0a', trace_id: '1-581cf771-a006649127e371903a2de979', name: 'Scorekeep', start_time: 1478293361.271 };
    const send = (text: string): Promise<void> =>
      new Promise((resolve, reject) => client.send(text, Number(port), host, (error) => (error ? reject(error) : resolve())));

    try {
      // Act
      await send(`{"format":"json","version":1}\n${JSON.stringify(document)}`);
      await send('not a segment');

      // Assess
      await eventually(() => (sink.segments.length === 1 && dropped.length === 1 ? true : undefined), { what: 'both datagrams' });
      expect(sink.segments).toEqual([document]);
      expect(dropped[0]).toMatch(/dropped a datagram/);
    } finally {
      client.close();
      await daemon.stop();
    }
  });
});

describe('XRayDaemon on a port that is taken', () => {
  it('fails when the port was asked for, and listens elsewhere when it may', async () => {
    // Prepare
    const holder = await XRayDaemon.start({ port: 0, segments: memorySink() });
    const takenPort = Number(holder.address.split(':')[1]);
    const notes: string[] = [];

    try {
      // Act
      const strict = await XRayDaemon.start({ port: takenPort, segments: memorySink() }).catch((error: unknown) => error);
      const lenient = await XRayDaemon.start({ port: takenPort, segments: memorySink(), anyPortIfTaken: true, log: (line) => notes.push(line) });

      // Assess
      expect(strict).toMatchObject({ code: 'EADDRINUSE' });
      expect(lenient.address).not.toBe(holder.address);
      expect(notes).toEqual([expect.stringContaining(`port ${takenPort} is taken`)]);
      await lenient.stop();
    } finally {
      await holder.stop();
    }
  });
});

describe('LambdaService and LocalApiGateway with tracing', () => {
  const sink = memorySink();
  let service: LambdaService;
  let gateway: LocalApiGateway;

  beforeAll(async () => {
    service = await LambdaService.start({
      ...TEST_SERVICE_OPTIONS,
      functions: [fixtureFunction('echo'), fixtureFunction('throws'), fixtureFunction('api-proxy')],
      log: () => undefined,
      // No daemon listens here: the fixtures send nothing, and this sampled the traces.
      xrayDaemonAddress: '127.0.0.1:9',
      traceSegments: sink,
    });
    gateway = await LocalApiGateway.start({
      port: 0,
      functionName: 'api-proxy',
      routes: ORDER_API_ROUTES,
      invoker: service,
      accountId: '000000000000',
      log: () => undefined,
      traceSegments: sink,
    });
  });

  afterAll(async () => {
    await gateway.stop();
    await service.stop();
  });

  beforeEach(() => {
    sink.segments.length = 0;
  });

  it('records a function segment whose id is the Parent the function saw, in a new sampled trace', async () => {
    // Act
    const result = await service.invoke('echo', { hello: 'world' });

    // Assess
    const seen = (result.status === 'ok' ? (result.payload as { env: Record<string, string> }).env._X_AMZN_TRACE_ID : '') ?? '';
    const [segment] = sink.segments;
    expect(sink.segments).toHaveLength(1);
    expect(seen).toBe(`Root=${segment?.trace_id};Parent=${segment?.id};Sampled=1`);
    expect(segment).toMatchObject({ name: 'echo', origin: 'AWS::Lambda::Function', annotations: { ColdStart: expect.any(Boolean) } });
    expect(segment?.parent_id).toBeUndefined();
  });

  it('links the segment of an invocation to the traces of the messages it consumed', async () => {
    // Act
    await service.invoke('echo', { Records: [] }, { linkedTraceHeaders: [PRODUCER] });

    // Assess
    expect(sink.segments[0]?.links).toEqual([{ trace_id: '1-6a0b7eb4-00000000000000000000000a', id: '7069bd84e60649e6' }]);
    expect(sink.segments[0]?.trace_id).not.toBe('1-6a0b7eb4-00000000000000000000000a');
  });

  it('marks the segment of a failed invocation as a fault, with the error as its cause', async () => {
    // Act
    const result = await service.invoke('throws', {});

    // Assess
    expect(result.status).toBe('error');
    expect(sink.segments[0]).toMatchObject({
      name: 'throws',
      fault: true,
      cause: { exceptions: [{ type: 'PaymentGatewayUnavailableError', message: 'gateway down' }] },
    });
  });

  it("records API Gateway's stage segment, with the function segment under it, in the trace it answers with", async () => {
    // Act
    const response = await fetch(`${gateway.url}/orders`, { method: 'POST', body: '{}' });

    // Assess
    const traceId = /Root=([^;]+)/.exec(response.headers.get('X-Amzn-Trace-Id') ?? '')?.[1];
    await eventually(() => (sink.segments.length === 2 ? true : undefined), { what: 'the stage and function segments' });
    const stage = sink.segments.find((segment) => segment.origin === 'AWS::ApiGateway::Stage');
    const fn = sink.segments.find((segment) => segment.origin === 'AWS::Lambda::Function');
    expect(response.status).toBe(200);
    expect(stage).toMatchObject({ trace_id: traceId, http: { request: { method: 'POST' }, response: { status: 200 } } });
    expect(stage?.parent_id).toBeUndefined();
    expect(fn).toMatchObject({ name: 'api-proxy', trace_id: traceId, parent_id: stage?.id });
  });

  it("marks a 5xx answer as a fault of the stage segment and continues the caller's trace", async () => {
    // Prepare
    const caller = 'Root=1-6a0b7eb4-0000000000000000000000cc;Parent=53995c3f42cd8ad8;Sampled=1';

    // Act
    const response = await fetch(`${gateway.url}/orders`, {
      method: 'POST',
      body: '{}',
      headers: { 'X-Fixture-Mode': 'throw', 'X-Amzn-Trace-Id': caller },
    });

    // Assess
    await eventually(() => (sink.segments.length === 2 ? true : undefined), { what: 'the stage and function segments' });
    const stage = sink.segments.find((segment) => segment.origin === 'AWS::ApiGateway::Stage');
    expect(response.status).toBe(502);
    expect(stage).toMatchObject({ trace_id: '1-6a0b7eb4-0000000000000000000000cc', parent_id: '53995c3f42cd8ad8', fault: true });
  });
});
