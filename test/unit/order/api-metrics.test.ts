import { TABLE_NAMES } from './order-env';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { metrics } from '../../../src/common/observability';
import { BUSINESS_METRICS } from '../../../src/common/settings';
import { handler } from '../../../src/order/handlers/api';
import { lambdaContext } from '../../support/sqs-fixtures';
import { getOrderEvent, postOrderEvent, seedOrderRequest } from './fixtures';
import { FakeOrderTables } from './fake-order-tables';

const documentClient = mockClient(DynamoDBDocumentClient);
let addMetric: jest.SpyInstance;
let publish: jest.SpyInstance;

beforeEach(() => {
  documentClient.reset();
  new FakeOrderTables(documentClient, {
    [TABLE_NAMES.orders]: 'orderId',
    [TABLE_NAMES.outbox]: 'eventId',
    [TABLE_NAMES.idempotency]: 'idempotencyKey',
  });
  addMetric = jest.spyOn(metrics, 'addMetric');
  publish = jest.spyOn(metrics, 'publishStoredMetrics');
});

afterEach(() => {
  jest.restoreAllMocks();
});

function counted(): unknown[][] {
  return addMetric.mock.calls;
}

describe('order API handler metrics', () => {
  it('counts an accepted order and flushes the count with the invocation', async () => {
    // Act
    const response = await handler(postOrderEvent(), lambdaContext());

    // Assess
    expect(response.statusCode).toBe(202);
    expect(counted()).toEqual([[BUSINESS_METRICS.ordersAccepted, MetricUnit.Count, 1]]);
    expect(publish).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['breaks the order rules', postOrderEvent({ ...seedOrderRequest(), items: [] })],
    ['is not JSON', { ...postOrderEvent(), body: '{"customerEmail":' }],
  ])('counts a request that %s as rejected by validation', async (_case, event) => {
    // Act
    const response = await handler(event, lambdaContext());

    // Assess
    expect(response.statusCode).toBe(400);
    expect(counted()).toEqual([[BUSINESS_METRICS.ordersRejected, MetricUnit.Count, 1]]);
  });

  it('counts a replayed request as an absorbed duplicate, not as a second order', async () => {
    // Prepare
    await handler(postOrderEvent(seedOrderRequest(), { 'Idempotency-Key': 'key-1' }), lambdaContext());
    addMetric.mockClear();

    // Act
    const response = await handler(postOrderEvent(seedOrderRequest(), { 'Idempotency-Key': 'key-1' }), lambdaContext());

    // Assess
    expect(response.headers).toMatchObject({ 'Idempotent-Replayed': 'true' });
    expect(counted()).toEqual([[BUSINESS_METRICS.duplicatesAbsorbed, MetricUnit.Count, 1]]);
  });

  it('counts nothing for a read, and writes no metrics line', async () => {
    // Act
    await handler(getOrderEvent('no-such-order'), lambdaContext());

    // Assess
    expect(counted()).toEqual([]);
    expect(publish).not.toHaveBeenCalled();
  });
});
