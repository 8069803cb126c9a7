import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { createDocumentClient } from '../../common/aws-clients';
import { countMetric } from '../../common/business-metrics';
import { EVENT_TYPES } from '../../common/events';
import { logger, maskEmail } from '../../common/observability';
import { systemClock } from '../../common/ports';
import { BUSINESS_METRICS, ORDER_API_ROUTES, requireEnv, TABLES } from '../../common/settings';
import { annotateEvent, currentTraceHeader, instrumentHandler } from '../../common/tracing';
import { DynamoDbOrderRepository } from '../adapters/dynamodb-order-repository';
import { ValidationError } from '../domain/errors';
import { getOrder } from '../domain/get-order';
import { placeOrder, type OrderAccepted } from '../domain/place-order';
import { answerBeforeTimeout } from './answer-before-timeout';
import { errorResponse } from './http-errors';
import {
  correlationIdOf,
  idempotencyKeyOf,
  jsonBodyOf,
  MalformedRequestError,
  MethodNotAllowedError,
  RouteNotFoundError,
} from './http-request';
import { jsonResponse } from './http-response';

/**
 * Short timeouts, so that a database that does not answer costs the caller a 503 rather than the
 * function's whole timeout and a 502 from API Gateway. The SDK retries throttling, timeouts and
 * other transient errors itself, 3 attempts in all, resending the same serialized request (and
 * so the same ClientRequestToken). Worst case per call: 3 × 2 s + backoff ≈ 6.5 s; DynamoDB itself
 * answers in milliseconds. `throwOnRequestTimeout`: without it @smithy/node-http-handler only logs
 * a warning when `requestTimeout` passes and goes on waiting, so a hung database held every request
 * until the function timed out. `answerBeforeTimeout` bounds the request as a whole.
 */
const documentClient = createDocumentClient(
  new DynamoDBClient({
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000, throwOnRequestTimeout: true },
  }),
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
export const handler: (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult> = instrumentHandler(
  async (event: APIGatewayProxyEvent, context: Context) => {
    // The one correlation id of everything this request causes: every log line, event and trace.
    const correlationId = correlationIdOf(event) ?? randomUUID();
    logger.appendKeys({ correlationId });
    annotateEvent({ correlationId });
    try {
      return await answerBeforeTimeout(routeOf(event)(event, correlationId), context.getRemainingTimeInMillis());
    } catch (error) {
      return errorResponse(error, correlationId);
    }
  },
);

function routeOf(event: APIGatewayProxyEvent): RouteHandler {
  const methods = ROUTES.get(event.resource);
  if (methods === undefined) throw new RouteNotFoundError(event.httpMethod, event.resource);
  const route = methods.get(event.httpMethod);
  if (route === undefined) throw new MethodNotAllowedError(event.httpMethod, [...methods.keys()]);
  return route;
}

async function postOrder(event: APIGatewayProxyEvent, correlationId: string): Promise<APIGatewayProxyResult> {
  const accepted = await acceptOrder(event, correlationId);
  annotateEvent({ orderId: accepted.orderId, eventId: accepted.eventId, eventType: EVENT_TYPES.orderCreated });
  countMetric(accepted.replayed ? BUSINESS_METRICS.duplicatesAbsorbed : BUSINESS_METRICS.ordersAccepted);
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
  annotateEvent({ orderId: order.orderId });
  logger.info('Order read', { orderId: order.orderId, status: order.status });
  return jsonResponse(200, order, correlationId);
}

/** Reads and places the order; a request refused for its content is counted as rejected. */
async function acceptOrder(event: APIGatewayProxyEvent, correlationId: string): Promise<OrderAccepted> {
  try {
    const body = jsonBodyOf(event);
    const idempotencyKey = idempotencyKeyOf(event);
    // The trace header of this request's current subsegment: the outbox item carries it across the
    // stream, which carries none, so the relay can publish the event in this request's trace.
    const traceHeader = currentTraceHeader();
    return await placeOrder(
      {
        body,
        correlationId,
        ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
        ...(traceHeader === undefined ? {} : { traceHeader }),
      },
      { orders, clock: systemClock, ids: randomUUID },
    );
  } catch (error) {
    if (error instanceof ValidationError || error instanceof MalformedRequestError) {
      countMetric(BUSINESS_METRICS.ordersRejected);
    }
    throw error;
  }
}
