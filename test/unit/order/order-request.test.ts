import { ValidationError } from '../../../src/order/domain/errors';
import { parseOrderRequest, requestHash } from '../../../src/order/domain/order-request';
import { ORDER_API_LIMITS } from '../../../src/common/settings';
import { seedOrderRequest } from './fixtures';

/** The issues parseOrderRequest reports for `input`, or fails the test if it accepts it. */
function issuesOf(input: unknown): { path: string; message: string }[] {
  try {
    parseOrderRequest(input);
  } catch (error) {
    if (error instanceof ValidationError) return [...error.issues];
    throw error;
  }
  throw new Error('parseOrderRequest accepted the input');
}

function withItem(item: Record<string, unknown>): Record<string, unknown> {
  return { ...seedOrderRequest(), items: [item] };
}

describe('parseOrderRequest', () => {
  it('accepts the seed order and fills in the default outcomes', () => {
    // Act
    const request = parseOrderRequest(seedOrderRequest());

    // Assess
    expect(request).toEqual({ ...seedOrderRequest(), paymentOutcome: 'approved', inventoryOutcome: 'reserved' });
  });

  it('keeps the simulation fields the client set', () => {
    // Prepare
    const input = { ...seedOrderRequest(), paymentOutcome: 'declined', inventoryOutcome: 'out_of_stock', simulateTechnicalFailure: 'inventory' };

    // Act
    const request = parseOrderRequest(input);

    // Assess
    expect(request).toMatchObject({ paymentOutcome: 'declined', inventoryOutcome: 'out_of_stock', simulateTechnicalFailure: 'inventory' });
  });

  it.each([
    ['an array', []],
    ['a string', 'order'],
    ['null', null],
    ['a number', 42],
  ])('rejects %s instead of an object', (_name, input) => {
    // Act
    const issues = issuesOf(input);

    // Assess
    expect(issues).toEqual([expect.objectContaining({ path: '' })]);
  });

  it.each([
    ['missing', undefined],
    ['not an address', 'student.example.com'],
    ['not a string', 42],
    ['longer than 254 characters', `${'a'.repeat(243)}@example.com`],
  ])('rejects a customerEmail that is %s', (_name, customerEmail) => {
    // Act
    const issues = issuesOf({ ...seedOrderRequest(), customerEmail });

    // Assess
    expect(issues.map((issue) => issue.path)).toEqual(['customerEmail']);
  });

  it.each([
    ['lower case', 'usd'],
    ['made up', 'ABC'],
    ['a test code ICU does not list as current', 'XXX'],
    ['a number', 840],
    ['missing', undefined],
  ])('rejects a currency that is %s', (_name, currency) => {
    // Act
    const issues = issuesOf({ ...seedOrderRequest(), currency });

    // Assess
    expect(issues.map((issue) => issue.path)).toEqual(['currency']);
  });

  it.each(['USD', 'EUR', 'JPY', 'BHD', 'CHF', 'INR'])('accepts the ISO 4217 currency %s', (currency) => {
    // Act
    const request = parseOrderRequest({ ...seedOrderRequest(), currency });

    // Assess
    expect(request.currency).toBe(currency);
  });

  it('rejects an order with no items', () => {
    // Act
    const issues = issuesOf({ ...seedOrderRequest(), items: [] });

    // Assess
    expect(issues.map((issue) => issue.path)).toEqual(['items']);
  });

  it(`rejects an order with more than ${String(ORDER_API_LIMITS.maxItems)} items`, () => {
    // Prepare
    const items = Array.from({ length: ORDER_API_LIMITS.maxItems + 1 }, (_, index) => ({ sku: `SKU-${String(index)}`, quantity: 1, price: 1 }));

    // Act
    const issues = issuesOf({ ...seedOrderRequest(), items });

    // Assess
    expect(issues.map((issue) => issue.path)).toEqual(['items']);
  });

  it(`accepts exactly ${String(ORDER_API_LIMITS.maxItems)} items`, () => {
    // Prepare
    const items = Array.from({ length: ORDER_API_LIMITS.maxItems }, (_, index) => ({ sku: `SKU-${String(index)}`, quantity: 1, price: 1 }));

    // Act
    const request = parseOrderRequest({ ...seedOrderRequest(), items });

    // Assess
    expect(request.items).toHaveLength(ORDER_API_LIMITS.maxItems);
  });

  it.each([
    ['empty', ''],
    ['starting with a dash', '-LAPTOP'],
    ['containing a space', 'LAPTOP 001'],
    ['containing a slash', 'LAPTOP/001'],
    ['65 characters long', 'A'.repeat(65)],
    ['not a string', 1001],
  ])('rejects a sku that is %s', (_name, sku) => {
    // Act
    const issues = issuesOf(withItem({ sku, quantity: 1, price: 1 }));

    // Assess
    expect(issues.map((issue) => issue.path)).toEqual(['items.0.sku']);
  });

  it.each(['A', 'laptop-001', 'SKU_1.v2', 'A'.repeat(64)])('accepts the sku %s', (sku) => {
    // Act
    const request = parseOrderRequest(withItem({ sku, quantity: 1, price: 1 }));

    // Assess
    expect(request.items[0]?.sku).toBe(sku);
  });

  it.each([
    ['zero', 0],
    ['negative', -1],
    ['not an integer', 1.5],
    ['above the limit', ORDER_API_LIMITS.maxQuantity + 1],
    ['a string', '2'],
  ])('rejects a quantity that is %s', (_name, quantity) => {
    // Act
    const issues = issuesOf(withItem({ sku: 'A', quantity, price: 1 }));

    // Assess
    expect(issues.map((issue) => issue.path)).toEqual(['items.0.quantity']);
  });

  it.each([
    ['negative', -0.01],
    ['above the limit', ORDER_API_LIMITS.maxUnitPrice + 1],
    ['huge', 1e300],
    ['a string', '19.99'],
    ['null', null],
  ])('rejects a price that is %s', (_name, price) => {
    // Act
    const issues = issuesOf(withItem({ sku: 'A', quantity: 1, price }));

    // Assess
    expect(issues.map((issue) => issue.path)).toEqual(['items.0.price']);
  });

  it('rejects an infinite price (JSON 1e999 parses to Infinity)', () => {
    // Act
    const issues = issuesOf(JSON.parse('{"customerEmail":"a@example.com","currency":"USD","items":[{"sku":"A","quantity":1,"price":1e999}]}'));

    // Assess
    expect(issues.map((issue) => issue.path)).toEqual(['items.0.price']);
  });

  it('accepts a free item and the highest price', () => {
    // Act
    const request = parseOrderRequest({
      ...seedOrderRequest(),
      items: [
        { sku: 'FREE', quantity: 1, price: 0 },
        { sku: 'DEAR', quantity: 1, price: ORDER_API_LIMITS.maxUnitPrice },
      ],
    });

    // Assess
    expect(request.items.map((item) => item.price)).toEqual([0, ORDER_API_LIMITS.maxUnitPrice]);
  });

  it('rejects 19.999 USD with a message naming the currency and its decimal places', () => {
    // Act
    const issues = issuesOf(withItem({ sku: 'A', quantity: 1, price: 19.999 }));

    // Assess
    expect(issues).toEqual([{ path: 'items.0.price', message: 'USD prices must have at most 2 decimal places' }]);
  });

  it.each([
    ['JPY', 100.5, 'JPY prices must be whole numbers (the currency has no minor unit)'],
    ['BHD', 1.2345, 'BHD prices must have at most 3 decimal places'],
  ])('rejects a %s price of %p', (currency, price, message) => {
    // Act
    const issues = issuesOf({ ...withItem({ sku: 'A', quantity: 1, price }), currency });

    // Assess
    expect(issues).toEqual([{ path: 'items.0.price', message }]);
  });

  it.each([
    ['USD', 19.99],
    ['JPY', 1999],
    ['BHD', 1.234],
  ])('accepts a %s price of %p', (currency, price) => {
    // Act
    const request = parseOrderRequest({ ...withItem({ sku: 'A', quantity: 1, price }), currency });

    // Assess
    expect(request.items[0]?.price).toBe(price);
  });

  it.each([
    ['paymentOutcome', 'maybe'],
    ['inventoryOutcome', 'backordered'],
    ['simulateTechnicalFailure', 'database'],
  ])('rejects an unknown %s', (field, value) => {
    // Act
    const issues = issuesOf({ ...seedOrderRequest(), [field]: value });

    // Assess
    expect(issues.map((issue) => issue.path)).toEqual([field]);
  });

  it('names each unknown field, at the top level and in items', () => {
    // Prepare
    const input = { ...seedOrderRequest(), paymentOutcom: 'declined', items: [{ sku: 'A', quantity: 1, price: 1, discount: 5 }] };

    // Act
    const issues = issuesOf(input);

    // Assess
    expect(issues).toEqual([
      { path: 'items.0.discount', message: 'is not a known field' },
      { path: 'paymentOutcom', message: 'is not a known field' },
    ]);
  });

  it('rejects a __proto__ key, which JSON.parse creates as an own property', () => {
    // Prepare
    const input: unknown = JSON.parse(
      '{"customerEmail":"a@example.com","currency":"USD","items":[{"sku":"A","quantity":1,"price":1}],"__proto__":{"isAdmin":true}}',
    );

    // Act
    const issues = issuesOf(input);

    // Assess
    expect(issues).toEqual([{ path: '__proto__', message: 'is not a known field' }]);
  });

  it('names every offending field in one answer', () => {
    // Prepare
    const input = {
      customerEmail: 'nope',
      currency: 'USD',
      items: [
        { sku: 'OK', quantity: 1, price: 1 },
        { sku: '', quantity: 0.5, price: 19.999 },
      ],
      extra: true,
    };

    // Act
    const issues = issuesOf(input);

    // Assess
    expect(issues.map((issue) => issue.path).sort()).toEqual(['customerEmail', 'extra', 'items.1.price', 'items.1.quantity', 'items.1.sku']);
  });

  it('reports an unknown currency without judging the prices against it', () => {
    // Act
    const issues = issuesOf({ ...withItem({ sku: 'A', quantity: 1, price: 19.999 }), currency: 'ZZZ' });

    // Assess
    expect(issues.map((issue) => issue.path)).toEqual(['currency']);
  });
});

describe('requestHash', () => {
  it('is the same whatever the key order and whether defaults are spelled out', () => {
    // Prepare
    const implicit = parseOrderRequest(seedOrderRequest());
    const explicit = parseOrderRequest({
      items: [
        { price: 850, quantity: 1, sku: 'LAPTOP-001' },
        { quantity: 2, sku: 'MOUSE-002', price: 25.0 },
      ],
      inventoryOutcome: 'reserved',
      paymentOutcome: 'approved',
      currency: 'USD',
      customerEmail: seedOrderRequest().customerEmail,
    });

    // Act
    const hashes = [requestHash(implicit), requestHash(explicit)];

    // Assess
    expect(hashes[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(hashes[1]).toBe(hashes[0]);
  });

  it.each([
    ['a quantity', { items: [{ sku: 'LAPTOP-001', quantity: 2, price: 850 }] }],
    ['the item order', { items: [...(seedOrderRequest().items as unknown[])].reverse() }],
    ['an outcome', { paymentOutcome: 'declined' }],
    ['a simulated failure', { simulateTechnicalFailure: 'payment' }],
  ])('changes when %s changes', (_name, change) => {
    // Prepare
    const original = parseOrderRequest(seedOrderRequest());
    const changed = parseOrderRequest({ ...seedOrderRequest(), ...change });

    // Act
    const hashes = [requestHash(original), requestHash(changed)];

    // Assess
    expect(hashes[1]).not.toBe(hashes[0]);
  });
});
