import { TABLE_NAMES } from './order-env';
import { InternalServerError, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import * as z from 'zod';
import 'aws-sdk-client-mock-jest';
import { OrderCreatedV1 } from '../../../src/common/events';
import { logger } from '../../../src/common/observability';
import { outboxItemSchema, pendingBucketOf } from '../../../src/common/outbox-item';
import { ORDER_API_LIMITS, ORDER_API_ROUTES } from '../../../src/common/settings';
import { handler } from '../../../src/order/handlers/api';
import { CUSTOMER_EMAIL, ORDER_ID } from '../../support/event-fixtures';
import { lambdaContext } from '../../support/sqs-fixtures';
import { apiGatewayProxyEvent, getOrderEvent, postOrderEvent, seedOrderRequest, storedOrder } from './fixtures';
import { FakeOrderTables } from './fake-order-tables';

const documentClient = mockClient(DynamoDBDocumentClient);
const NOW = new Date('2026-07-02T10:00:00.000Z');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TRACE_HEADER = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
let tables: FakeOrderTables;

beforeEach(() => {
  jest.useFakeTimers({ now: NOW });
  documentClient.reset();
  tables = new FakeOrderTables(documentClient, {
    [TABLE_NAMES.orders]: 'orderId',
    [TABLE_NAMES.outbox]: 'eventId',
    [TABLE_NAMES.idempotency]: 'idempotencyKey',
  });
  delete process.env._X_AMZN_TRACE_ID;
});

afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

function bodyOf(response: APIGatewayProxyResult): Record<string, unknown> {
  return JSON.parse(response.body) as Record<string, unknown>;
}

function transactItemsOf(call = 0) {
  return documentClient.commandCalls(TransactWriteCommand)[call]?.args[0].input.TransactItems ?? [];
}

/** Every argument passed to the logger, serialized: what could reach CloudWatch. */
function loggedText(spies: jest.SpyInstance[]): string {
  return JSON.stringify(spies.flatMap((spy) => spy.mock.calls), (_key, value: unknown) =>
    value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value,
  );
}

describe('order API handler', () => {
  describe('POST /orders', () => {
    it('accepts the seed order: 202, Location, and the order with its outbox item in one transaction', async () => {
      // Prepare
      process.env._X_AMZN_TRACE_ID = TRACE_HEADER;

      // Act
      const response = await handler(postOrderEvent(), lambdaContext());

      // Assess
      expect(response.statusCode).toBe(202);
      const body = bodyOf(response);
      expect(body).toEqual({ orderId: expect.stringMatching(UUID), eventId: expect.stringMatching(UUID), status: 'PENDING' });
      const orderId = body.orderId as string;
      const eventId = body.eventId as string;
      expect(response.headers).toMatchObject({
        'Content-Type': 'application/json',
        Location: `/orders/${orderId}`,
        'X-Correlation-Id': expect.stringMatching(UUID),
      });
      const correlationId = response.headers?.['X-Correlation-Id'];
      expect(documentClient).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
      const [orderPut, outboxPut, ...rest] = transactItemsOf();
      expect(rest).toEqual([]);
      expect(orderPut?.Put).toEqual({
        TableName: TABLE_NAMES.orders,
        ConditionExpression: 'attribute_not_exists(#key)',
        ExpressionAttributeNames: { '#key': 'orderId' },
        Item: {
          orderId,
          status: 'PENDING',
          paymentStatus: 'PENDING',
          inventoryStatus: 'PENDING',
          customerEmail: CUSTOMER_EMAIL,
          currency: 'USD',
          items: seedOrderRequest().items,
          totalAmount: 900,
          totalMinorUnits: 90_000,
          paymentOutcome: 'approved',
          inventoryOutcome: 'reserved',
          correlationId,
          eventId,
          createdAt: NOW.toISOString(),
          updatedAt: NOW.toISOString(),
        },
      });
      expect(outboxPut?.Put).toMatchObject({
        TableName: TABLE_NAMES.outbox,
        ConditionExpression: 'attribute_not_exists(#key)',
        ExpressionAttributeNames: { '#key': 'eventId' },
      });
      const outboxItem = z.strictObject(outboxItemSchema.shape).parse(outboxPut?.Put?.Item);
      expect(outboxItem).toEqual({
        eventId,
        eventType: 'OrderCreated',
        eventVersion: '1.0',
        orderId,
        correlationId,
        status: 'PENDING',
        payload: expect.any(String),
        traceHeader: TRACE_HEADER,
        createdAt: NOW.toISOString(),
        pendingBucket: pendingBucketOf(eventId),
      });
      const event = OrderCreatedV1.schema.parse(JSON.parse(outboxItem.payload));
      expect(event).toMatchObject({ eventId, correlationId, occurredAt: NOW.toISOString(), data: { orderId, totalAmount: 900 } });
      expect(tables.items(TABLE_NAMES.orders)).toHaveLength(1);
    });

    it('omits traceHeader when Lambda set none', async () => {
      // Act
      const response = await handler(postOrderEvent(), lambdaContext());

      // Assess
      expect(response.statusCode).toBe(202);
      expect(transactItemsOf()[1]?.Put?.Item).not.toHaveProperty('traceHeader');
    });

    it('stores and answers exact totals (3 × 19.99 = 59.97)', async () => {
      // Prepare
      const body = { ...seedOrderRequest(), items: [{ sku: 'BOOK-1', quantity: 3, price: 19.99 }] };

      // Act
      const response = await handler(postOrderEvent(body), lambdaContext());

      // Assess
      expect(response.statusCode).toBe(202);
      expect(transactItemsOf()[0]?.Put?.Item).toMatchObject({ totalAmount: 59.97, totalMinorUnits: 5997 });
      expect(JSON.parse(String(transactItemsOf()[1]?.Put?.Item?.payload))).toMatchObject({ data: { totalAmount: 59.97 } });
    });

    it('uses a well-formed X-Correlation-Id and echoes it', async () => {
      // Act
      const response = await handler(postOrderEvent(seedOrderRequest(), { 'x-correlation-id': 'checkout:42.a_b-c' }), lambdaContext());

      // Assess
      expect(response.headers?.['X-Correlation-Id']).toBe('checkout:42.a_b-c');
      expect(transactItemsOf()[1]?.Put?.Item).toMatchObject({ correlationId: 'checkout:42.a_b-c' });
    });

    it.each([
      ['too long', 'a'.repeat(129)],
      ['with a space', 'two words'],
      ['with a slash', 'a/b'],
      ['empty', ''],
    ])('replaces an X-Correlation-Id that is %s with a new UUID', async (_name, correlationId) => {
      // Act
      const response = await handler(postOrderEvent(seedOrderRequest(), { 'X-Correlation-Id': correlationId }), lambdaContext());

      // Assess
      expect(response.statusCode).toBe(202);
      expect(response.headers?.['X-Correlation-Id']).toMatch(UUID);
    });

    it.each([
      ['application/json; charset=utf-8', 'Content-Type'],
      ['Application/JSON', 'content-type'],
      ['APPLICATION/JSON ;charset=UTF-8', 'CONTENT-TYPE'],
    ])('accepts the content type %s under the header name %s', async (contentType, headerName) => {
      // Prepare
      const event = apiGatewayProxyEvent({ headers: { [headerName]: contentType }, body: JSON.stringify(seedOrderRequest()) });

      // Act
      const response = await handler(event, lambdaContext());

      // Assess
      expect(response.statusCode).toBe(202);
    });

    it.each([
      ['missing', {}],
      ['text/plain', { 'Content-Type': 'text/plain' }],
      ['form-encoded', { 'Content-Type': 'application/x-www-form-urlencoded' }],
      ['application/jsonp', { 'Content-Type': 'application/jsonp' }],
    ])('answers 415 when the content type is %s', async (_name, headers) => {
      // Prepare
      const event = apiGatewayProxyEvent({ headers, body: JSON.stringify(seedOrderRequest()) });

      // Act
      const response = await handler(event, lambdaContext());

      // Assess
      expect(response.statusCode).toBe(415);
      expect(bodyOf(response)).toEqual({ error: 'UnsupportedMediaTypeError', message: 'Content-Type must be application/json' });
      expect(documentClient.calls()).toHaveLength(0);
    });

    it('answers 415 when the request has no headers at all', async () => {
      // Prepare: API Gateway sends null headers for a request without any.
      const event = { ...postOrderEvent(), headers: null } as unknown as ReturnType<typeof postOrderEvent>;

      // Act
      const response = await handler(event, lambdaContext());

      // Assess
      expect(response.statusCode).toBe(415);
    });

    it('answers 413 for a body larger than the limit, counted in bytes', async () => {
      // Prepare: under the limit in characters, over it in UTF-8 bytes.
      const customerEmail = `${'é'.repeat(ORDER_API_LIMITS.maxBodyBytes / 2)}@example.com`;
      const body = JSON.stringify({ ...seedOrderRequest(), customerEmail });
      expect(body.length).toBeLessThan(ORDER_API_LIMITS.maxBodyBytes + 100);

      // Act
      const response = await handler(postOrderEvent(body), lambdaContext());

      // Assess
      expect(response.statusCode).toBe(413);
      expect(bodyOf(response)).toMatchObject({ error: 'PayloadTooLargeError' });
      expect(documentClient.calls()).toHaveLength(0);
    });

    it('accepts a body of exactly the limit', async () => {
      // Prepare: pad the seed order with insignificant whitespace up to the limit.
      const json = JSON.stringify(seedOrderRequest());
      const body = json + ' '.repeat(ORDER_API_LIMITS.maxBodyBytes - Buffer.byteLength(json));

      // Act
      const response = await handler(postOrderEvent(body), lambdaContext());

      // Assess
      expect(response.statusCode).toBe(202);
    });

    it('decodes a base64-encoded body', async () => {
      // Prepare
      const event = { ...postOrderEvent(), body: Buffer.from(JSON.stringify(seedOrderRequest())).toString('base64'), isBase64Encoded: true };

      // Act
      const response = await handler(event, lambdaContext());

      // Assess
      expect(response.statusCode).toBe(202);
      expect(transactItemsOf()[0]?.Put?.Item).toMatchObject({ totalAmount: 900 });
    });

    it('measures a base64-encoded body after decoding it', async () => {
      // Prepare: the decoded body is one byte over the limit.
      const decoded = JSON.stringify(seedOrderRequest()).padEnd(ORDER_API_LIMITS.maxBodyBytes + 1, ' ');
      const event = { ...postOrderEvent(), body: Buffer.from(decoded).toString('base64'), isBase64Encoded: true };

      // Act
      const response = await handler(event, lambdaContext());

      // Assess
      expect(response.statusCode).toBe(413);
    });

    it.each([
      ['not JSON', '{"customerEmail": '],
      ['JSON with a trailing comma', '{"currency":"USD",}'],
      ['empty', ''],
      ['only whitespace', '   \n'],
    ])('answers 400 when the body is %s', async (_name, body) => {
      // Act
      const response = await handler(postOrderEvent(body), lambdaContext());

      // Assess
      expect(response.statusCode).toBe(400);
      expect(bodyOf(response)).toMatchObject({ error: 'MalformedRequestError', issues: [{ path: '', message: expect.any(String) }] });
      expect(documentClient.calls()).toHaveLength(0);
    });

    it('answers 400 when there is no body', async () => {
      // Prepare
      const event = { ...postOrderEvent(), body: null };

      // Act
      const response = await handler(event, lambdaContext());

      // Assess
      expect(response.statusCode).toBe(400);
      expect(bodyOf(response)).toEqual({
        error: 'MalformedRequestError',
        message: 'The request body is required',
        issues: [{ path: '', message: 'The request body is required' }],
      });
    });

    it('answers 400 naming every offending field, and writes nothing', async () => {
      // Prepare
      const body = {
        customerEmail: 'not-an-email',
        currency: 'usd',
        items: [
          { sku: 'OK-1', quantity: 1, price: 1 },
          { sku: 'BAD SKU', quantity: 2.5, price: -1 },
        ],
        coupon: 'FREE',
      };

      // Act
      const response = await handler(postOrderEvent(body, { 'Idempotency-Key': 'key-1' }), lambdaContext());

      // Assess
      expect(response.statusCode).toBe(400);
      const answer = bodyOf(response);
      expect(answer).toMatchObject({ error: 'ValidationError', message: expect.stringContaining('customerEmail') });
      expect((answer.issues as { path: string }[]).map((issue) => issue.path).sort()).toEqual(
        ['coupon', 'currency', 'customerEmail', 'items.1.price', 'items.1.quantity', 'items.1.sku'].sort(),
      );
      expect(documentClient.calls()).toHaveLength(0);
    });

    it('answers 400 for a price with more decimals than the currency has', async () => {
      // Prepare
      const body = { ...seedOrderRequest(), items: [{ sku: 'A', quantity: 1, price: 19.999 }] };

      // Act
      const response = await handler(postOrderEvent(body), lambdaContext());

      // Assess
      expect(response.statusCode).toBe(400);
      expect(bodyOf(response).issues).toEqual([{ path: 'items.0.price', message: 'USD prices must have at most 2 decimal places' }]);
    });

    it('answers 400 for a __proto__ key in the body', async () => {
      // Prepare
      const body = JSON.stringify(seedOrderRequest()).replace(/}$/, ',"__proto__":{"polluted":true}}');

      // Act
      const response = await handler(postOrderEvent(body), lambdaContext());

      // Assess
      expect(response.statusCode).toBe(400);
      expect(bodyOf(response).issues).toEqual([{ path: '__proto__', message: 'is not a known field' }]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('answers 400 for too many items, reported on items before any item is judged', async () => {
      // Prepare
      const items = Array.from({ length: ORDER_API_LIMITS.maxItems + 1 }, (_, index) => ({ sku: `S${String(index)}`, quantity: 1.5, price: 1 }));

      // Act
      const response = await handler(postOrderEvent({ ...seedOrderRequest(), items }), lambdaContext());

      // Assess
      expect(response.statusCode).toBe(400);
      expect(bodyOf(response).issues).toEqual([{ path: 'items', message: expect.stringContaining(String(ORDER_API_LIMITS.maxItems)) }]);
    });

    it('answers 400 for a non-integer quantity', async () => {
      // Prepare
      const body = { ...seedOrderRequest(), items: [{ sku: 'A', quantity: 1.5, price: 1 }] };

      // Act
      const response = await handler(postOrderEvent(body), lambdaContext());

      // Assess
      expect(response.statusCode).toBe(400);
      expect(bodyOf(response).issues).toEqual([expect.objectContaining({ path: 'items.0.quantity' })]);
    });

    it('answers 400 for a huge price', async () => {
      // Prepare
      const body = { ...seedOrderRequest(), items: [{ sku: 'A', quantity: 1, price: 1e20 }] };

      // Act
      const response = await handler(postOrderEvent(body), lambdaContext());

      // Assess
      expect(response.statusCode).toBe(400);
      expect(bodyOf(response).issues).toEqual([expect.objectContaining({ path: 'items.0.price' })]);
    });

    it('logs the order with a masked email, never the address or the raw body', async () => {
      // Prepare
      const spies = [jest.spyOn(logger, 'info'), jest.spyOn(logger, 'warn'), jest.spyOn(logger, 'error'), jest.spyOn(logger, 'debug')];
      const appendKeys = jest.spyOn(logger, 'appendKeys');

      // Act
      const response = await handler(postOrderEvent(seedOrderRequest(), { 'X-Correlation-Id': 'corr-1' }), lambdaContext());

      // Assess
      const { orderId, eventId } = bodyOf(response);
      expect(logger.info).toHaveBeenCalledWith('Order placed', expect.objectContaining({ orderId, eventId, customerEmail: 's******@example.com' }));
      expect(appendKeys).toHaveBeenCalledWith({ correlationId: 'corr-1' });
      expect(loggedText(spies)).not.toContain(CUSTOMER_EMAIL);
      expect(loggedText(spies)).not.toContain('LAPTOP-001');
    });

    describe('with an Idempotency-Key', () => {
      it('claims the key in the same transaction as the order', async () => {
        // Act
        const response = await handler(postOrderEvent(seedOrderRequest(), { 'Idempotency-Key': 'order-attempt-1' }), lambdaContext());

        // Assess
        expect(response.statusCode).toBe(202);
        const { orderId, eventId } = bodyOf(response);
        const items = transactItemsOf();
        expect(items).toHaveLength(3);
        expect(items[0]?.Put?.Item).toMatchObject({ idempotencyKey: 'order-attempt-1' });
        expect(items[2]?.Put).toEqual({
          TableName: TABLE_NAMES.idempotency,
          Item: {
            idempotencyKey: 'order-attempt-1',
            orderId,
            eventId,
            requestHash: expect.stringMatching(/^[0-9a-f]{64}$/),
            createdAt: NOW.toISOString(),
          },
          ConditionExpression: 'attribute_not_exists(#key)',
          ExpressionAttributeNames: { '#key': 'idempotencyKey' },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        });
        expect(items[2]?.Put?.Item).not.toHaveProperty('expiresAt');
      });

      it('replays the first answer for the same body written differently: the second transaction writes nothing', async () => {
        // Prepare
        const first = await handler(postOrderEvent(seedOrderRequest(), { 'Idempotency-Key': 'key-1' }), lambdaContext());
        const sameBodyOtherSpelling = `{
          "items": [ {"price": 850.00, "quantity": 1, "sku": "LAPTOP-001"}, {"sku": "MOUSE-002", "quantity": 2, "price": 25} ],
          "currency": "USD", "paymentOutcome": "approved", "customerEmail": "${CUSTOMER_EMAIL}"
        }`;

        // Act
        const second = await handler(postOrderEvent(sameBodyOtherSpelling, { 'idempotency-key': 'key-1' }), lambdaContext());

        // Assess
        expect(second.statusCode).toBe(202);
        expect(bodyOf(second)).toEqual(bodyOf(first));
        expect(second.headers).toMatchObject({ Location: first.headers?.Location, 'Idempotent-Replayed': 'true' });
        expect(documentClient).not.toHaveReceivedCommand(GetCommand);
        expect(tables.items(TABLE_NAMES.orders)).toHaveLength(1);
        expect(tables.items(TABLE_NAMES.outbox)).toHaveLength(1);
      });

      it('answers 422 when the key is reused with another body, and writes nothing', async () => {
        // Prepare
        await handler(postOrderEvent(seedOrderRequest(), { 'Idempotency-Key': 'key-1' }), lambdaContext());
        const otherBody = { ...seedOrderRequest(), items: [{ sku: 'LAPTOP-001', quantity: 2, price: 850 }] };

        // Act
        const response = await handler(postOrderEvent(otherBody, { 'Idempotency-Key': 'key-1' }), lambdaContext());

        // Assess
        expect(response.statusCode).toBe(422);
        expect(bodyOf(response)).toEqual({
          error: 'IdempotencyKeyReusedError',
          message: 'This Idempotency-Key was already used with a different request',
        });
        expect(tables.items(TABLE_NAMES.orders)).toHaveLength(1);
        expect(tables.items(TABLE_NAMES.outbox)).toHaveLength(1);
      });

      it('answers concurrent duplicates with the same order: the loser is cancelled on the key and replays', async () => {
        // Act
        const responses = await Promise.all([
          handler(postOrderEvent(seedOrderRequest(), { 'Idempotency-Key': 'key-1' }), lambdaContext()),
          handler(postOrderEvent(seedOrderRequest(), { 'Idempotency-Key': 'key-1' }), lambdaContext()),
        ]);

        // Assess
        expect(responses.map((response) => response.statusCode)).toEqual([202, 202]);
        expect(bodyOf(responses[1]!)).toEqual(bodyOf(responses[0]!));
        expect(documentClient).toHaveReceivedCommandTimes(TransactWriteCommand, 2);
        expect(tables.items(TABLE_NAMES.orders)).toHaveLength(1);
        expect(tables.items(TABLE_NAMES.outbox)).toHaveLength(1);
      });

      it('answers 422 to a concurrent request with the same key and another body', async () => {
        // Prepare: the other request claims the key just before this one's transaction.
        tables.beforeNext('TransactWrite', () =>
          tables.seed(TABLE_NAMES.idempotency, {
            idempotencyKey: 'key-1',
            orderId: 'winner-order',
            eventId: 'winner-event',
            requestHash: '0'.repeat(64),
            createdAt: NOW.toISOString(),
          }),
        );

        // Act
        const response = await handler(postOrderEvent(seedOrderRequest(), { 'Idempotency-Key': 'key-1' }), lambdaContext());

        // Assess
        expect(response.statusCode).toBe(422);
        expect(tables.items(TABLE_NAMES.orders)).toHaveLength(0);
      });

      it.each([
        ['empty', ''],
        ['too long', 'k'.repeat(ORDER_API_LIMITS.maxIdempotencyKeyLength + 1)],
        ['not ASCII', 'clé-1'],
        ['with a control character', 'key\u0007'],
      ])('answers 400 for a key that is %s', async (_name, key) => {
        // Act
        const response = await handler(postOrderEvent(seedOrderRequest(), { 'Idempotency-Key': key }), lambdaContext());

        // Assess
        expect(response.statusCode).toBe(400);
        expect(bodyOf(response)).toMatchObject({ error: 'ValidationError', issues: [{ path: 'headers.Idempotency-Key' }] });
        expect(documentClient.calls()).toHaveLength(0);
      });

      it(`accepts a key of ${String(ORDER_API_LIMITS.maxIdempotencyKeyLength)} printable characters`, async () => {
        // Prepare
        const key = '~ !'.repeat(ORDER_API_LIMITS.maxIdempotencyKeyLength).slice(0, ORDER_API_LIMITS.maxIdempotencyKeyLength);

        // Act
        const response = await handler(postOrderEvent(seedOrderRequest(), { 'Idempotency-Key': key }), lambdaContext());

        // Assess
        expect(response.statusCode).toBe(202);
        expect(tables.item(TABLE_NAMES.idempotency, key)).toBeDefined();
      });
    });

    describe('when DynamoDB fails', () => {
      it.each([
        ['throttled', new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } })],
        ['failing internally', new InternalServerError({ message: 'Internal error', $metadata: { httpStatusCode: 500 } })],
        ['unreachable', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' })],
        ['timing out', Object.assign(new Error('Connection timed out after 3000 ms'), { name: 'TimeoutError' })],
      ])('answers 503 with Retry-After when it is %s', async (_name, error) => {
        // Prepare
        documentClient.on(TransactWriteCommand).rejects(error);

        // Act
        const response = await handler(postOrderEvent(), lambdaContext());

        // Assess
        expect(response.statusCode).toBe(503);
        expect(response.headers).toMatchObject({ 'Retry-After': '1', 'X-Correlation-Id': expect.any(String) });
        expect(bodyOf(response)).toEqual({ error: 'ServiceUnavailable', message: expect.any(String) });
      });

      it('answers 503 before the function times out when DynamoDB does not answer at all', async () => {
        // Prepare: a request the SDK never settles, and 3 s left in the invocation.
        documentClient.on(TransactWriteCommand).callsFake(() => new Promise(() => undefined));
        const responding = handler(postOrderEvent(), lambdaContext({ getRemainingTimeInMillis: () => 3_000 }));

        // Act
        await jest.advanceTimersByTimeAsync(3_000);
        const response = await responding;

        // Assess
        expect(response.statusCode).toBe(503);
        expect(response.headers).toMatchObject({ 'Retry-After': '1' });
      });

      it('answers 503 with Retry-After when the transaction fails transiently', async () => {
        // Prepare
        documentClient.on(TransactWriteCommand).rejects(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));

        // Act
        const response = await handler(postOrderEvent(seedOrderRequest(), { 'Idempotency-Key': 'key-1' }), lambdaContext());

        // Assess
        expect(response.statusCode).toBe(503);
        expect(response.headers).toMatchObject({ 'Retry-After': '1' });
        expect(tables.items(TABLE_NAMES.orders)).toHaveLength(0);
      });

      it('answers 500 with a generic message for an unknown error, logging it without the email', async () => {
        // Prepare
        const spies = [jest.spyOn(logger, 'info'), jest.spyOn(logger, 'warn'), jest.spyOn(logger, 'error')];
        documentClient.on(TransactWriteCommand).rejects(new TypeError('Cannot read properties of undefined'));

        // Act
        const response = await handler(postOrderEvent(), lambdaContext());

        // Assess
        expect(response.statusCode).toBe(500);
        expect(bodyOf(response)).toEqual({ error: 'InternalServerError', message: 'The request could not be processed' });
        expect(logger.error).toHaveBeenCalledWith('Unexpected error', { error: expect.any(TypeError) });
        expect(loggedText(spies)).not.toContain(CUSTOMER_EMAIL);
      });
    });
  });

  describe('GET /orders/{orderId}', () => {
    it('answers 200 with the order, read strongly consistently', async () => {
      // Prepare
      tables.seed(TABLE_NAMES.orders, storedOrder({ status: 'CONFIRMED', paymentStatus: 'COMPLETED', inventoryStatus: 'RESERVED', idempotencyKey: 'key-1' }));

      // Act
      const response = await handler(getOrderEvent(ORDER_ID, { 'X-Correlation-Id': 'corr-get' }), lambdaContext());

      // Assess
      expect(response.statusCode).toBe(200);
      expect(response.headers).toMatchObject({ 'X-Correlation-Id': 'corr-get' });
      expect(bodyOf(response)).toEqual({
        orderId: ORDER_ID,
        status: 'CONFIRMED',
        paymentStatus: 'COMPLETED',
        inventoryStatus: 'RESERVED',
        customerEmail: CUSTOMER_EMAIL,
        currency: 'USD',
        items: seedOrderRequest().items,
        totalAmount: 900,
        createdAt: '2026-07-02T10:00:00.000Z',
        updatedAt: '2026-07-02T10:00:00.000Z',
      });
      expect(documentClient).toHaveReceivedCommandWith(GetCommand, {
        TableName: TABLE_NAMES.orders,
        Key: { orderId: ORDER_ID },
        ConsistentRead: true,
      });
    });

    it('answers 404 for an unknown order', async () => {
      // Act
      const response = await handler(getOrderEvent(ORDER_ID), lambdaContext());

      // Assess
      expect(response.statusCode).toBe(404);
      expect(bodyOf(response)).toEqual({ error: 'OrderNotFoundError', message: `Order ${ORDER_ID} does not exist` });
    });

    it('answers 400 naming orderId for an id that is not a UUID', async () => {
      // Act
      const response = await handler(getOrderEvent('12345'), lambdaContext());

      // Assess
      expect(response.statusCode).toBe(400);
      expect(bodyOf(response)).toMatchObject({ error: 'ValidationError', issues: [{ path: 'orderId', message: 'must be a UUID' }] });
      expect(documentClient.calls()).toHaveLength(0);
    });

    it('answers 503 when the read fails transiently', async () => {
      // Prepare
      documentClient.on(GetCommand).rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));

      // Act
      const response = await handler(getOrderEvent(ORDER_ID), lambdaContext());

      // Assess
      expect(response.statusCode).toBe(503);
    });
  });

  describe('routing', () => {
    it.each(ORDER_API_ROUTES.map((route) => [route.method, route.resource]))('serves %s %s, as the stack defines it', async (httpMethod, resource) => {
      // Prepare
      tables.seed(TABLE_NAMES.orders, storedOrder());
      const event = apiGatewayProxyEvent({ resource, httpMethod, pathParameters: { orderId: ORDER_ID }, body: JSON.stringify(seedOrderRequest()) });

      // Act
      const response = await handler(event, lambdaContext());

      // Assess
      expect([200, 202]).toContain(response.statusCode);
    });

    it('answers 404 for an unknown resource', async () => {
      // Act
      const response = await handler(apiGatewayProxyEvent({ resource: '/customers', httpMethod: 'GET' }), lambdaContext());

      // Assess
      expect(response.statusCode).toBe(404);
      expect(bodyOf(response)).toMatchObject({ error: 'RouteNotFoundError' });
    });

    it.each([
      ['/orders', 'GET', 'POST'],
      ['/orders', 'DELETE', 'POST'],
      ['/orders/{orderId}', 'POST', 'GET'],
    ])('answers 405 for %s %s, naming the allowed method', async (resource, httpMethod, allowed) => {
      // Act
      const response = await handler(apiGatewayProxyEvent({ resource, httpMethod, pathParameters: { orderId: ORDER_ID } }), lambdaContext());

      // Assess
      expect(response.statusCode).toBe(405);
      expect(response.headers).toMatchObject({ Allow: allowed });
      expect(bodyOf(response)).toMatchObject({ error: 'MethodNotAllowedError' });
    });
  });
});
