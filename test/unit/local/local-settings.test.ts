import {
  DEFAULT_XRAY_DAEMON_PORT,
  localXrayDaemonPort,
  MIN_LOCAL_FUNCTION_TIMEOUT_SECONDS,
  deadLetterQueueName,
  localTableName,
  localTimeScale,
  scaledFunctionTimeoutSeconds,
  scaledVisibilityTimeoutSeconds,
} from '../../../infra/local/local-settings';
import { ORDER_API_FUNCTION, OUTBOX_RELAY, QUEUE_CONSUMERS, TABLES, type TableRole } from '../../../src/common/settings';

describe('scaledFunctionTimeoutSeconds', () => {
  it('scales the production timeout and rounds up to whole seconds', () => {
    // Prepare
    const relay = { timeoutSeconds: 30 };

    // Act
    const timeout = scaledFunctionTimeoutSeconds(relay, 0.25);

    // Assess
    expect(timeout).toBe(8);
  });

  it('ignores floating-point dust instead of adding a second', () => {
    // Prepare: 100 * 0.07 is 7.000000000000001 in IEEE 754.
    const fn = { timeoutSeconds: 100 };

    // Act
    const timeout = scaledFunctionTimeoutSeconds(fn, 0.07);

    // Assess
    expect(timeout).toBe(7);
  });

  it('never goes below the local floor', () => {
    // Prepare
    const consumer = { timeoutSeconds: 15 };

    // Act
    const timeout = scaledFunctionTimeoutSeconds(consumer, 0.1);

    // Assess
    expect(timeout).toBe(MIN_LOCAL_FUNCTION_TIMEOUT_SECONDS);
  });

  it('keeps the production timeout at scale 1', () => {
    // Act
    const timeout = scaledFunctionTimeoutSeconds(OUTBOX_RELAY, 1);

    // Assess
    expect(timeout).toBe(OUTBOX_RELAY.timeoutSeconds);
  });

  it.each([0, -0.5, 1.5, Number.NaN])('rejects the time scale %p', (scale) => {
    // Act
    const scaling = () => scaledFunctionTimeoutSeconds(ORDER_API_FUNCTION, scale);

    // Assess
    expect(scaling).toThrow(RangeError);
  });
});

describe('scaledVisibilityTimeoutSeconds', () => {
  it('scales six times the function timeout', () => {
    // Prepare
    const consumer = { timeoutSeconds: 15 };

    // Act
    const visibility = scaledVisibilityTimeoutSeconds(consumer, 0.1);

    // Assess
    expect(visibility).toBe(9);
  });

  it('is never shorter than the scaled function timeout, even where scaling would make it so', () => {
    // Prepare: 6 × 1 s × 0.1 = 0.6 s, but the function may run for the 3 s floor.
    const consumer = { timeoutSeconds: 1 };

    // Act
    const visibility = scaledVisibilityTimeoutSeconds(consumer, 0.1);

    // Assess
    expect(visibility).toBe(scaledFunctionTimeoutSeconds(consumer, 0.1));
  });

  it.each([0.01, 0.05, 0.1, 0.33, 0.5, 1])(
    'keeps every consumer mappable at scale %p (function timeout ≤ visibility timeout)',
    (scale) => {
      // Act
      const pairs = QUEUE_CONSUMERS.map((consumer) => ({
        functionTimeout: scaledFunctionTimeoutSeconds(consumer, scale),
        visibility: scaledVisibilityTimeoutSeconds(consumer, scale),
      }));

      // Assess
      for (const { functionTimeout, visibility } of pairs) {
        expect(visibility).toBeGreaterThanOrEqual(functionTimeout);
      }
    },
  );
});

describe('localTimeScale', () => {
  it('defaults to one tenth of production durations', () => {
    // Act
    const scale = localTimeScale({});

    // Assess
    expect(scale).toBe(0.1);
  });

  it('reads LOCAL_TIME_SCALE', () => {
    // Act
    const scale = localTimeScale({ LOCAL_TIME_SCALE: '1' });

    // Assess
    expect(scale).toBe(1);
  });

  it('rejects a scale outside (0, 1]', () => {
    // Act
    const reading = () => localTimeScale({ LOCAL_TIME_SCALE: '2' });

    // Assess
    expect(reading).toThrow('LOCAL_TIME_SCALE must be in (0, 1]');
  });
});

describe('localTableName', () => {
  it.each<[TableRole, string]>([
    ['orders', 'order-pipeline-orders'],
    ['outbox', 'order-pipeline-outbox'],
    ['idempotency', 'order-pipeline-idempotency-keys'],
    ['payments', 'order-pipeline-payments'],
    ['inventory', 'order-pipeline-inventory-reservations'],
    ['notifications', 'order-pipeline-notifications'],
  ])('names the %s table %s', (role, expected) => {
    // Act
    const name = localTableName(role);

    // Assess
    expect(name).toBe(expected);
  });

  it('gives every table a distinct name', () => {
    // Act
    const names = (Object.keys(TABLES) as TableRole[]).map(localTableName);

    // Assess
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('deadLetterQueueName', () => {
  it('appends -dlq to the queue name', () => {
    // Act
    const name = deadLetterQueueName({ queueName: 'payment' });

    // Assess
    expect(name).toBe('payment-dlq');
  });
});

describe('localXrayDaemonPort', () => {
  it("defaults to the X-Ray daemon's own port, 2000", () => {
    // Act
    const port = localXrayDaemonPort({});

    // Assess
    expect(port).toBe(DEFAULT_XRAY_DAEMON_PORT);
    expect(DEFAULT_XRAY_DAEMON_PORT).toBe(2000);
  });

  it('takes XRAY_DAEMON_PORT', () => {
    // Act
    const port = localXrayDaemonPort({ XRAY_DAEMON_PORT: '19603' });

    // Assess
    expect(port).toBe(19603);
  });

  it.each(['0', '70000', 'udp', '2000.5'])('refuses XRAY_DAEMON_PORT=%s', (value) => {
    // Act
    const read = () => localXrayDaemonPort({ XRAY_DAEMON_PORT: value });

    // Assess
    expect(read).toThrow(/XRAY_DAEMON_PORT/);
  });
});
