import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { createDocumentClient } from '../../common/aws-clients';
import { logger, maskEmail } from '../../common/observability';
import { systemClock } from '../../common/ports';
import { ORDER_API_ROUTES, requireEnv, TABLES } from '../../common/settings';
import { DynamoDbOrderRepository } from '../adapters/dynamodb-order-repository';
import { getOrder } from '../domain/get-order';
import { placeOrder } from '../domain/place-order';
import { errorResponse } from './http-errors';
import { correlationIdOf, idempotencyKeyOf, jsonBodyOf, MethodNotAllowedError, RouteNotFoundError } from './http-request';
import { jsonResponse } from './http-response';

/**
 * Short timeouts, so that a database that does not answer costs the caller a 503 rather than the
 * function's whole timeout and a 502 from API Gateway. The SDK retries throttling, timeouts and
 * other transient errors itself, 3 attempts in all, resending the same serialized request (and
 * so the same ClientRequestToken). Worst case per call: 3 × 2 s + backoff ≈ 6.5 s, inside the
 * function's 10 s (ORDER_API_FUNCTION.timeoutSeconds); DynamoDB itself answers in milliseconds.
 */
const documentClient = createDocumentClient(
  new DynamoDBClient({ maxAttempts: 3, requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 } }),
);

const orders = new DynamoDbOrderRepository(
  {
    orders: requireEnv(TABLES.orders.env),
    outbox: requireEnv(TABLES.outbox.env),
    idempotency: requireEnv(TABLES.idempotency.env),
  },
  documentClient,
);

type RouteHandler = (event: APIGatewayProxyEvent, correlationId: string) => Promise<APIGatewayProxyResult>;

type OrderApiRoute = (typeof ORDER_API_ROUTES)[number];

/** The use case behind each route the stack defines; a route added to the settings without one does not compile. */
function routeHandlerOf(route: OrderApiRoute): RouteHandler {
  switch (route.resource) {
    case '/orders':
      return postOrder;
    case '/orders/{orderId}':
      return getOrderById;
  }
}

/** Resource template (as API Gateway passes it in `event.resource`) → method → handler. */
const ROUTES = new Map<string, Map<string, RouteHandler>>();
for (const route of ORDER_API_ROUTES) {
  const methods = ROUTES.get(route.resource) ?? new Map<string, RouteHandler>();
  ROUTES.set(route.resource, methods.set(route.method, routeHandlerOf(route)));
}

/** API Gateway REST API (v1) Lambda proxy integration: routes on the resource template and method. */
export async function handler(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
  // Keys appended by the previous invocation of this execution environment must not leak into this one.
  logger.resetKeys();
  logger.addContext(context);
  const correlationId = correlationIdOf(event) ?? randomUUID();
  logger.appendKeys({ correlationId });
  try {
    return await routeOf(event)(event, correlationId);
  } catch (error) {
    return errorResponse(error, correlationId);
  }
}

function routeOf(event: APIGatewayProxyEvent): RouteHandler {
  const methods = ROUTES.get(event.resource);
  if (methods === undefined) throw new RouteNotFoundError(event.httpMethod, event.resource);
  const route = methods.get(event.httpMethod);
  if (route === undefined) throw new MethodNotAllowedError(event.httpMethod, [...methods.keys()]);
  return route;
}

async function postOrder(event: APIGatewayProxyEvent, correlationId: string): Promise<APIGatewayProxyResult> {
  const body = jsonBodyOf(event);
  const idempotencyKey = idempotencyKeyOf(event);
  const accepted = await placeOrder(
    {
      body,
      correlationId,
      ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
      // Lambda sets this per invocation; the outbox item carries it across the stream.
      ...(process.env._X_AMZN_TRACE_ID === undefined ? {} : { traceHeader: process.env._X_AMZN_TRACE_ID }),
    },
    { orders, clock: systemClock, ids: randomUUID },
  );
  logger.info(accepted.replayed ? 'Order request replayed' : 'Order placed', {
    orderId: accepted.orderId,
    eventId: accepted.eventId,
    customerEmail: maskEmail(accepted.customerEmail),
    totalAmount: accepted.totalAmount,
    currency: accepted.currency,
  });
  const { orderId, eventId, status } = accepted;
  return jsonResponse(202, { orderId, eventId, status }, correlationId, {
    Location: `/orders/${orderId}`,
    ...(accepted.replayed ? { 'Idempotent-Replayed': 'true' } : {}),
  });
}

async function getOrderById(event: APIGatewayProxyEvent, correlationId: string): Promise<APIGatewayProxyResult> {
  const order = await getOrder(event.pathParameters?.orderId, { orders });
  logger.info('Order read', { orderId: order.orderId, status: order.status });
  return jsonResponse(200, order, correlationId);
}

