import {
  DEFAULT_LOG_LEVEL,
  functionEnvironment,
  mapTableRoles,
  NODE_OPTIONS,
  POWERTOOLS_ENV,
  TABLE_ROLES,
  tableBindings,
  type FunctionResources,
} from '../../infra/function-environment';
import {
  EVENTS_TOPIC,
  INVENTORY_CONSUMER,
  NOTIFICATION_CONSUMER,
  ORDER_API_FUNCTION,
  ORDER_STATUS_CONSUMER,
  OUTBOX_RELAY,
  OUTBOX_SWEEPER,
  PAYMENT_CONSUMER,
  TABLES,
  type FunctionSettings,
} from '../../src/common/settings';

const LOCAL_RESOURCES: FunctionResources = {
  tableNames: mapTableRoles((role) => `local-${role}`),
  topicArn: 'arn:aws:sns:us-east-1:000000000000:order-events',
};

const COMMON = { [POWERTOOLS_ENV.logLevel]: DEFAULT_LOG_LEVEL, NODE_OPTIONS };

describe('functionEnvironment', () => {
  it.each<{ settings: FunctionSettings; expected: Record<string, string> }>([
    {
      settings: ORDER_API_FUNCTION,
      expected: {
        ...COMMON,
        POWERTOOLS_SERVICE_NAME: 'order-service',
        ORDERS_TABLE_NAME: 'local-orders',
        OUTBOX_TABLE_NAME: 'local-outbox',
        IDEMPOTENCY_TABLE_NAME: 'local-idempotency',
      },
    },
    {
      settings: OUTBOX_RELAY,
      expected: {
        ...COMMON,
        POWERTOOLS_SERVICE_NAME: 'outbox-relay',
        OUTBOX_TABLE_NAME: 'local-outbox',
        EVENTS_TOPIC_ARN: LOCAL_RESOURCES.topicArn,
      },
    },
    {
      settings: OUTBOX_SWEEPER,
      expected: {
        ...COMMON,
        POWERTOOLS_SERVICE_NAME: 'outbox-relay',
        OUTBOX_TABLE_NAME: 'local-outbox',
        EVENTS_TOPIC_ARN: LOCAL_RESOURCES.topicArn,
      },
    },
    {
      settings: PAYMENT_CONSUMER,
      expected: {
        ...COMMON,
        POWERTOOLS_SERVICE_NAME: 'payment-service',
        PAYMENTS_TABLE_NAME: 'local-payments',
        EVENTS_TOPIC_ARN: LOCAL_RESOURCES.topicArn,
      },
    },
    {
      settings: INVENTORY_CONSUMER,
      expected: {
        ...COMMON,
        POWERTOOLS_SERVICE_NAME: 'inventory-service',
        INVENTORY_TABLE_NAME: 'local-inventory',
        EVENTS_TOPIC_ARN: LOCAL_RESOURCES.topicArn,
      },
    },
    {
      settings: NOTIFICATION_CONSUMER,
      expected: {
        ...COMMON,
        POWERTOOLS_SERVICE_NAME: 'notification-service',
        NOTIFICATIONS_TABLE_NAME: 'local-notifications',
      },
    },
    {
      settings: ORDER_STATUS_CONSUMER,
      expected: { ...COMMON, POWERTOOLS_SERVICE_NAME: 'order-service', ORDERS_TABLE_NAME: 'local-orders' },
    },
  ])('gives $settings.id exactly its bindings', ({ settings, expected }) => {
    // Act
    const environment = functionEnvironment(settings, LOCAL_RESOURCES);

    // Assess
    expect(environment).toEqual(expected);
  });

  it('sets the topic ARN only for a function that publishes', () => {
    // Prepare
    const silent: FunctionSettings = { ...PAYMENT_CONSUMER, publishesEvents: false };

    // Act
    const environment = functionEnvironment(silent, LOCAL_RESOURCES);

    // Assess
    expect(environment).not.toHaveProperty(EVENTS_TOPIC.env);
    expect(environment[TABLES.payments.env]).toBe('local-payments');
  });

  it('names no table for a function bound to none', () => {
    // Prepare
    const unbound: FunctionSettings = { ...NOTIFICATION_CONSUMER, tables: {} };

    // Act
    const environment = functionEnvironment(unbound, LOCAL_RESOURCES);

    // Assess
    expect(environment).toEqual({ ...COMMON, POWERTOOLS_SERVICE_NAME: NOTIFICATION_CONSUMER.serviceName });
  });

  it('takes the service name from the settings', () => {
    // Prepare
    const renamed: FunctionSettings = { ...ORDER_API_FUNCTION, serviceName: 'orders-v2' };

    // Act
    const environment = functionEnvironment(renamed, LOCAL_RESOURCES);

    // Assess
    expect(environment[POWERTOOLS_ENV.serviceName]).toBe('orders-v2');
  });
});

describe('tableBindings', () => {
  it('lists each bound table with its access level', () => {
    // Act
    const bindings = tableBindings(ORDER_API_FUNCTION);

    // Assess
    expect(bindings).toEqual([
      ['orders', 'readWrite'],
      ['outbox', 'write'],
      ['idempotency', 'readWrite'],
    ]);
  });
});

describe('mapTableRoles', () => {
  it('builds one value for every table in the settings', () => {
    // Act
    const ids = mapTableRoles((role) => TABLES[role].id);

    // Assess
    expect(Object.keys(ids).sort()).toEqual(Object.keys(TABLES).sort());
    expect(TABLE_ROLES).toHaveLength(Object.keys(TABLES).length);
    expect(ids.outbox).toBe(TABLES.outbox.id);
  });
});
