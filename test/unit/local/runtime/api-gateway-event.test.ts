import {
  formatRequestTime,
  fromProxyResult,
  matchRoute,
  toProxyEvent,
  type ApiRoute,
  type ProxyEventContext,
  type ProxyRequest,
} from '../../../../infra/local/runtime/api-gateway-event';

const ROUTES: readonly ApiRoute[] = [
  { method: 'POST', resource: '/orders' },
  { method: 'GET', resource: '/orders/{orderId}' },
  { method: 'ANY', resource: '/files/{path+}' },
];

const CONTEXT: ProxyEventContext = {
  accountId: '000000000000',
  apiId: 'a1b2c3d4e5',
  stage: 'prod',
  requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
  extendedRequestId: 'LgRmRHBXIAMEYQw=',
  traceHeader: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0',
  requestTimeEpoch: Date.UTC(2025, 10, 28, 9, 5, 4),
  binaryMediaTypes: [],
};

function proxyRequest(overrides: Partial<ProxyRequest> = {}): ProxyRequest {
  return {
    method: 'GET',
    url: '/orders/o-1',
    rawHeaders: ['Host', '127.0.0.1:13200', 'Accept', 'application/json'],
    body: Buffer.alloc(0),
    sourceIp: '10.0.0.7',
    localPort: 13200,
    ...overrides,
  };
}

describe('matchRoute', () => {
  it('matches a path parameter to exactly one segment', () => {
    // Act
    const match = matchRoute(ROUTES, 'GET', '/orders/o-1');
    const tooDeep = matchRoute(ROUTES, 'GET', '/orders/o-1/items');

    // Assess
    expect(match).toEqual({ route: ROUTES[1], pathParameters: { orderId: 'o-1' } });
    expect(tooDeep).toBeUndefined();
  });

  it('matches a greedy parameter to the rest of the path, for any method of an ANY route', () => {
    // Act
    const match = matchRoute(ROUTES, 'DELETE', '/files/a/b.txt');

    // Assess
    expect(match?.pathParameters).toEqual({ path: 'a/b.txt' });
  });

  it('does not match a known path with an undeclared method', () => {
    // Act
    const match = matchRoute(ROUTES, 'PUT', '/orders');

    // Assess
    expect(match).toBeUndefined();
  });
});

describe('toProxyEvent', () => {
  it('adds the headers API Gateway puts in front of the integration', () => {
    // Prepare
    const request = proxyRequest({ rawHeaders: ['Host', '127.0.0.1:13200', 'x-forwarded-for', '192.0.2.1'] });

    // Act
    const event = toProxyEvent(request, matchRoute(ROUTES, 'GET', '/orders/o-1')!, CONTEXT);

    // Assess
    expect(event.headers).toEqual({
      Host: '127.0.0.1:13200',
      'x-forwarded-for': '192.0.2.1, 10.0.0.7',
      'X-Forwarded-Port': '13200',
      'X-Forwarded-Proto': 'http',
      'X-Amzn-Trace-Id': CONTEXT.traceHeader,
    });
    expect(event.requestContext.requestTime).toBe('28/Nov/2025:09:05:04 +0000');
  });

  it('passes headers and query parameters named __proto__ or constructor through as own properties', () => {
    // Prepare
    const request = proxyRequest({
      url: '/orders/o-1?__proto__=a&constructor=b&constructor=c',
      rawHeaders: ['Host', 'localhost', '__proto__', 'x', 'constructor', 'y'],
    });

    // Act
    const event = toProxyEvent(request, matchRoute(ROUTES, 'GET', '/orders/o-1')!, CONTEXT);

    // Assess
    expect(Object.entries(event.headers)).toEqual(expect.arrayContaining([['__proto__', 'x'], ['constructor', 'y']]));
    expect(Object.entries(event.multiValueHeaders)).toEqual(expect.arrayContaining([['__proto__', ['x']], ['constructor', ['y']]]));
    expect(Object.entries(event.queryStringParameters ?? {})).toEqual([['__proto__', 'a'], ['constructor', 'c']]);
    expect(Object.entries(event.multiValueQueryStringParameters ?? {})).toEqual([['__proto__', ['a']], ['constructor', ['b', 'c']]]);
  });

  it('sends a body of a binary media type base64-encoded', () => {
    // Prepare
    const request = proxyRequest({
      method: 'POST',
      url: '/orders',
      rawHeaders: ['Host', 'localhost', 'Content-Type', 'image/png'],
      body: Buffer.from([137, 80, 78, 71]),
    });

    // Act
    const event = toProxyEvent(request, matchRoute(ROUTES, 'POST', '/orders')!, {
      ...CONTEXT,
      binaryMediaTypes: ['image/*'],
    });

    // Assess
    expect(event).toMatchObject({ body: 'iVBORw==', isBase64Encoded: true });
  });
});

describe('formatRequestTime', () => {
  it('pads day, hours, minutes and seconds', () => {
    // Act
    const formatted = formatRequestTime(Date.UTC(2026, 0, 2, 3, 4, 5));

    // Assess
    expect(formatted).toBe('02/Jan/2026:03:04:05 +0000');
  });
});

describe('fromProxyResult', () => {
  it('merges headers into multiValueHeaders, keeping a value present in both once', () => {
    // Act
    const response = fromProxyResult({
      statusCode: 200,
      headers: { 'Set-Cookie': 'b=2', 'Content-Type': 'text/plain' },
      multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] },
      body: 'hi',
    });

    // Assess
    expect(response?.headers).toEqual({ 'Set-Cookie': ['a=1', 'b=2'], 'Content-Type': ['text/plain'] });
  });

  it('accepts a numeric string status code and an absent body', () => {
    // Act
    const response = fromProxyResult({ statusCode: '204' });

    // Assess
    expect(response).toEqual({ statusCode: 204, headers: { 'Content-Type': ['application/json'] }, body: Buffer.alloc(0) });
  });

  it.each([
    ['a string', 'ok'],
    ['null', null],
    ['no status code', { body: 'x' }],
    ['a status code out of range', { statusCode: 42 }],
    ['a body that is not a string', { statusCode: 200, body: { id: 1 } }],
    ['a header value that is an object', { statusCode: 200, headers: { 'X-A': { nested: true } } }],
    ['multi-value headers that are not lists', { statusCode: 200, multiValueHeaders: { 'X-A': 'one' } }],
    ['isBase64Encoded that is not a boolean', { statusCode: 200, isBase64Encoded: 'yes' }],
  ])('refuses %s as a malformed proxy response', (_case, payload) => {
    // Act
    const response = fromProxyResult(payload);

    // Assess
    expect(response).toBeUndefined();
  });
});
