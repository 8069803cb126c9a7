import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { countMetric, countOutcome } from '../../../src/common/business-metrics';
import { EVENT_TYPES } from '../../../src/common/events';
import { metrics } from '../../../src/common/observability';
import { BUSINESS_METRICS } from '../../../src/common/settings';

let addMetric: jest.SpyInstance;

beforeEach(() => {
  addMetric = jest.spyOn(metrics, 'addMetric').mockReturnValue(metrics);
});

describe('countOutcome', () => {
  it.each([
    [EVENT_TYPES.paymentCompleted, BUSINESS_METRICS.paymentsCompleted],
    [EVENT_TYPES.paymentFailed, BUSINESS_METRICS.paymentsDeclined],
    [EVENT_TYPES.inventoryReserved, BUSINESS_METRICS.inventoryReserved],
    [EVENT_TYPES.inventoryFailed, BUSINESS_METRICS.inventoryOutOfStock],
  ])('counts a decided %s as %s', (eventType, metric) => {
    // Act
    countOutcome(eventType, 'decided');

    // Assess
    expect(addMetric.mock.calls).toEqual([[metric, MetricUnit.Count, 1]]);
  });

  it('counts a republished stored outcome as an absorbed duplicate, not as a second outcome', () => {
    // Act
    countOutcome(EVENT_TYPES.paymentCompleted, 'stored');

    // Assess
    expect(addMetric.mock.calls).toEqual([[BUSINESS_METRICS.duplicatesAbsorbed, MetricUnit.Count, 1]]);
  });

  it('counts nothing for an event type that is no outcome', () => {
    // Act
    countOutcome(EVENT_TYPES.orderCreated, 'decided');

    // Assess
    expect(addMetric).not.toHaveBeenCalled();
  });
});

describe('countMetric', () => {
  it('adds a count, and nothing for zero', () => {
    // Act
    countMetric(BUSINESS_METRICS.relayPublished, 7);
    countMetric(BUSINESS_METRICS.relayFailed, 0);

    // Assess
    expect(addMetric.mock.calls).toEqual([[BUSINESS_METRICS.relayPublished, MetricUnit.Count, 7]]);
  });
});
