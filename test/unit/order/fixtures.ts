import type { APIGatewayProxyEvent } from 'aws-lambda';
import { CUSTOMER_EMAIL } from '../../support/event-fixtures';

/** The seed article's request: a laptop and two mice, 900.00 USD. */
export function seedOrderRequest(): Record<string, unknown> {
  return {
    customerEmail: CUSTOMER_EMAIL,
    currency: 'USD',
    items: [
      { sku: 'LAPTOP-001', quantity: 1, price: 850 },
      { sku: 'MOUSE-002', quantity: 2, price: 25 },
    ],
  };
}

type ProxyEventOverrides = Partial<Omit<APIGatewayProxyEvent, 'headers'>> & {
  /** Replace the default headers (Content-Type: application/json) entirely. */
  headers?: Record<string, string | undefined>;
};

/**
 * An API Gateway REST API (v1) Lambda proxy event. `resource` is the route template, `path` the
 * concrete path, as API Gateway sends them.
 */
export function apiGatewayProxyEvent(overrides: ProxyEventOverrides = {}): APIGatewayProxyEvent {
  const resource = overrides.resource ?? '/orders';
  const httpMethod = overrides.httpMethod ?? 'POST';
  const path = overrides.path ?? resource.replace('{orderId}', overrides.pathParameters?.orderId ?? '');
  return {
    resource,
    path,
    httpMethod,
    headers: { 'Content-Type': 'application/json' },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abcdef1234',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '203.0.113.10',
        user: null,
        userAgent: 'jest',
        userArn: null,
      },
      path: `/prod${path}`,
      stage: 'prod',
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      requestTimeEpoch: 1782986400000,
      resourceId: 'abc123',
      resourcePath: resource,
    },
    ...overrides,
  };
}

/** POST /orders with a JSON body (an object is serialized, a string sent as is). */
export function postOrderEvent(body: unknown = seedOrderRequest(), headers: Record<string, string> = {}): APIGatewayProxyEvent {
  return apiGatewayProxyEvent({
    resource: '/orders',
    httpMethod: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export function getOrderEvent(orderId: string, headers: Record<string, string> = {}): APIGatewayProxyEvent {
  return apiGatewayProxyEvent({
    resource: '/orders/{orderId}',
    httpMethod: 'GET',
    headers,
    pathParameters: { orderId },
  });
}

/** A stored order as placeOrder writes it for the seed request, with the statuses given. */
export { storedOrder } from '../../support/order-fixtures';

/** Ids in a fixed order (orderId first, then eventId, per order placed), as UUIDs. */
export function sequentialIds(): () => string {
  let next = 0;
  return () => {
    next += 1;
    return `00000000-0000-4000-8000-${next.toString().padStart(12, '0')}`;
  };
}
