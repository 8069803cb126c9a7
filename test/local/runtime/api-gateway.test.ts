import { request as httpRequest } from 'node:http';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { LocalApiGateway } from '../../../infra/local/runtime/api-gateway';
import { LambdaService } from '../../../infra/local/runtime/lambda-service';
import { ORDER_API_ROUTES } from '../../../src/common/settings';
import { fixtureFunction, TEST_SERVICE_OPTIONS } from '../support/local-function';

const API_PORT = 13200;
const FUNCTION = 'api-proxy';

interface RawResponse {
  readonly status: number;
  /** Node's `rawHeaders`, so repeated headers stay separate. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
}

/** A raw HTTP request: fetch would merge repeated headers and hide the exact wire format. */
function send(
  port: number,
  options: {
    method?: string;
    path: string;
    headers?: readonly [string, string][];
    body?: Buffer | string;
    omitContentLength?: boolean;
  },
): Promise<RawResponse> {
  const body = typeof options.body === 'string' ? Buffer.from(options.body) : options.body;
  const headers: [string, string][] = [
    ['Host', `127.0.0.1:${port}`],
    ...(body === undefined || options.omitContentLength === true
      ? []
      : [['Content-Length', String(body.length)] as [string, string]]),
    ...(options.headers ?? []),
  ];
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      method: options.method ?? 'GET',
      path: options.path,
      // A flat array keeps the names' casing and repeated names.
      headers: headers.flat(),
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }));
    });
    // The gateway may answer (413) and close before a large body is sent in full.
    req.on('error', reject);
    req.end(body);
  });
}

function headerValues(response: RawResponse, name: string): string[] {
  const values: string[] = [];
  for (let index = 0; index + 1 < response.rawHeaders.length; index += 2) {
    if (response.rawHeaders[index]?.toLowerCase() === name.toLowerCase()) values.push(response.rawHeaders[index + 1] ?? '');
  }
  return values;
}

function jsonOf<T>(response: RawResponse): T {
  return JSON.parse(response.body.toString('utf8')) as T;
}

describe('LocalApiGateway', () => {
  let service: LambdaService;
  let gateway: LocalApiGateway;
  let impatientGateway: LocalApiGateway;
  const gatewayLog: string[] = [];

  beforeAll(async () => {
    service = await LambdaService.start({
      ...TEST_SERVICE_OPTIONS,
      functions: [fixtureFunction(FUNCTION, { timeoutSeconds: 1, maxConcurrency: 4 })],
      log: () => undefined,
    });
    const common = {
      functionName: FUNCTION,
      routes: ORDER_API_ROUTES,
      invoker: service,
      accountId: '000000000000',
      log: (line: string) => gatewayLog.push(line),
    };
    [gateway, impatientGateway] = await Promise.all([
      LocalApiGateway.start({ ...common, port: API_PORT }),
      // Port 0: any free port; an integration timeout shorter than the function's own.
      LocalApiGateway.start({ ...common, port: 0, integrationTimeoutMs: 300 }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([gateway.stop(), impatientGateway.stop()]);
    await service.stop();
  });

  it('sends the REST API proxy event for a request', async () => {
    // Prepare
    const body = JSON.stringify({ items: [{ sku: 'A-1', quantity: 2 }] });
    const before = Date.now();

    // Act
    const response = await send(API_PORT, {
      method: 'POST',
      path: '/orders?source=web&tag=a&tag=b%20c',
      headers: [
        ['Content-Type', 'application/json'],
        ['Idempotency-Key', 'key-1'],
        ['X-Repeated', 'first'],
        ['X-Repeated', 'second'],
        ['User-Agent', 'runtime-test'],
      ],
      body,
    });

    // Assess
    expect(response.status).toBe(200);
    const event = jsonOf<APIGatewayProxyEvent>(response);
    expect(event).toMatchObject({
      resource: '/orders',
      path: '/orders',
      httpMethod: 'POST',
      queryStringParameters: { source: 'web', tag: 'b c' },
      multiValueQueryStringParameters: { source: ['web'], tag: ['a', 'b c'] },
      pathParameters: null,
      stageVariables: null,
      body,
      isBase64Encoded: false,
    });
    expect(event.headers).toMatchObject({
      'Content-Type': 'application/json',
      'Idempotency-Key': 'key-1',
      'X-Repeated': 'second',
      'X-Forwarded-For': '127.0.0.1',
      'X-Forwarded-Port': String(API_PORT),
      'X-Forwarded-Proto': 'http',
      'X-Amzn-Trace-Id': headerValues(response, 'X-Amzn-Trace-Id')[0],
    });
    expect(event.multiValueHeaders['X-Repeated']).toEqual(['first', 'second']);
    expect(event.requestContext).toMatchObject({
      resourcePath: '/orders',
      httpMethod: 'POST',
      path: '/orders',
      stage: 'prod',
      protocol: 'HTTP/1.1',
      accountId: '000000000000',
      requestId: headerValues(response, 'x-amzn-RequestId')[0],
      extendedRequestId: headerValues(response, 'x-amz-apigw-id')[0],
      domainName: '127.0.0.1',
      identity: { sourceIp: '127.0.0.1', userAgent: 'runtime-test', user: null, caller: null },
    });
    expect(event.requestContext.requestTimeEpoch).toBeGreaterThanOrEqual(before);
    expect(event.requestContext.requestTime).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
  });

  it('matches path parameters and sends them as REST APIs do, still encoded', async () => {
    // Act
    const response = await send(API_PORT, { path: '/orders/order%2042' });

    // Assess
    const event = jsonOf<APIGatewayProxyEvent>(response);
    expect(event).toMatchObject({
      resource: '/orders/{orderId}',
      path: '/orders/order%2042',
      httpMethod: 'GET',
      pathParameters: { orderId: 'order%2042' },
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      body: null,
    });
  });

  it("returns the function's status, headers, repeated headers and body", async () => {
    // Act
    const response = await send(API_PORT, { path: '/orders/1' });

    // Assess
    expect(response.status).toBe(200);
    expect(headerValues(response, 'X-Single')).toEqual(['one']);
    expect(headerValues(response, 'Set-Cookie')).toEqual(['a=1', 'b=2']);
    expect(headerValues(response, 'Content-Type')).toEqual(['application/json']);
    expect(headerValues(response, 'x-amzn-RequestId')[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(jsonOf<APIGatewayProxyEvent>(response).path).toBe('/orders/1');
  });

  it('decodes a base64 body when the function says isBase64Encoded', async () => {
    // Act
    const response = await send(API_PORT, { path: '/orders/1', headers: [['X-Fixture-Mode', 'binary']] });

    // Assess
    expect([...response.body]).toEqual([0, 1, 2, 255]);
  });

  it('answers application/json when the function sets no content type', async () => {
    // Act
    const response = await send(API_PORT, { path: '/orders/1', headers: [['X-Fixture-Mode', 'no-content-type']] });

    // Assess
    expect(response.status).toBe(201);
    expect(headerValues(response, 'Content-Type')).toEqual(['application/json']);
  });

  it.each([
    ['an unknown path', 'GET', '/customers'],
    ['an undeclared method on a known path', 'DELETE', '/orders/1'],
    ['the stage prefix, which the local API does not serve', 'GET', '/prod/orders/1'],
  ])('answers 403 Missing Authentication Token for %s', async (_case, method, path) => {
    // Act
    const response = await send(API_PORT, { method, path });

    // Assess
    expect(response.status).toBe(403);
    expect(jsonOf(response)).toEqual({ message: 'Missing Authentication Token' });
    expect(headerValues(response, 'x-amzn-ErrorType')).toEqual(['MissingAuthenticationTokenException']);
  });

  it.each([
    ['throws', 'throw'],
    ['returns a malformed proxy response', 'malformed'],
    ['times out', 'hang'],
    ['crashes', 'crash'],
  ])('answers 502 Internal server error when the function %s', async (_case, mode) => {
    // Act
    const response = await send(API_PORT, { path: '/orders/1', headers: [['X-Fixture-Mode', mode]] });

    // Assess
    expect(response.status).toBe(502);
    expect(jsonOf(response)).toEqual({ message: 'Internal server error' });
  });

  it('answers 504 when the integration takes longer than its timeout', async () => {
    // Act
    const response = await send(impatientGateway.port, { path: '/orders/1', headers: [['X-Fixture-Mode', 'hang']] });

    // Assess
    expect(response.status).toBe(504);
    expect(jsonOf(response)).toEqual({ message: 'Endpoint request timed out' });
  });

  it.each([
    ['announced by Content-Length', false],
    ['sent in chunks', true],
  ])('answers 413 for a body over 10 MB %s, without invoking the function', async (_case, chunked) => {
    // Prepare
    const logged = gatewayLog.length;
    const body = Buffer.alloc(10 * 1024 * 1024 + 1, 'x');

    // Act
    const response = await send(API_PORT, {
      method: 'POST',
      path: '/orders',
      body,
      ...(chunked ? { headers: [['Transfer-Encoding', 'chunked']], omitContentLength: true } : {}),
    });

    // Assess
    expect(response.status).toBe(413);
    expect(jsonOf(response)).toEqual({ message: 'Request Too Long' });
    expect(gatewayLog.slice(logged)).toEqual([expect.stringContaining('→ 413')]);
  });

  it('answers 500 when Lambda rejects an event over its 6 MB payload limit', async () => {
    // Act
    const response = await send(API_PORT, { method: 'POST', path: '/orders', body: Buffer.alloc(7 * 1024 * 1024, 'x') });

    // Assess
    expect(response.status).toBe(500);
    expect(jsonOf(response)).toEqual({ message: 'Internal server error' });
  });
});
