/**
 * Generators of requests to the order API that are wrong, each in a way it knows: most start from
 * a valid order and break exactly one thing (so the expected status, and for a 400 the field the
 * answer must name, follow from the mutation); the rest are free-form junk whose only known
 * property is that no order can come of it.
 */
import fc from 'fast-check';
import { ORDER_API_LIMITS } from '../../../../src/common/settings';
import type { RawRequest } from './raw-http';

/** A JSON value whose text is built by `toJsonText`; `RawJson` is spliced in verbatim. */
export type Json = null | boolean | number | string | RawJson | Json[] | { [key: string]: Json };

/** JSON text that no JavaScript value serializes to: `1e400`, `-0`, nesting too deep to build as objects. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** Serializes like JSON.stringify, but keeps own `__proto__` keys and splices `RawJson` text. */
export function toJsonText(value: Json): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .map((key) => `${JSON.stringify(key)}:${toJsonText(value[key] as Json)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Sets an own property, even one named `__proto__` (an assignment would set the prototype instead). */
function defineOwn(target: { [key: string]: Json }, key: string, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export interface Expectation {
  /** The status the answer must have. */
  readonly status: number;
  /** For a 400: the path one of the answer's `issues` must name (`''` is the whole body). */
  readonly issuePath?: string;
}

export interface MalformedRequest {
  /** What is wrong with the request, for the failure report. */
  readonly flaw: string;
  readonly request: RawRequest;
  readonly expected: Expectation;
}

const ORDERS_PATH = '/orders';
const { maxBodyBytes, maxItems, maxQuantity, maxUnitPrice, maxIdempotencyKeyLength } = ORDER_API_LIMITS;
const JSON_CONTENT_TYPE: readonly [string, string] = ['Content-Type', 'application/json'];

// ---------------------------------------------------------------------------------------------
// Valid orders: the starting point of every mutation.

/** Minor-unit digits as CLDR (and so the API) writes these currencies. */
const CURRENCY_DIGITS = { USD: 2, EUR: 2, GBP: 2, JPY: 0, BHD: 3 } as const;
type Currency = keyof typeof CURRENCY_DIGITS;

export interface ValidOrderItem {
  readonly sku: string;
  readonly quantity: number;
  readonly price: number;
}

export interface ValidOrder {
  readonly customerEmail: string;
  readonly currency: Currency;
  readonly items: readonly ValidOrderItem[];
  readonly paymentOutcome?: 'approved' | 'declined';
  readonly inventoryOutcome?: 'reserved' | 'out_of_stock';
}

const validEmail = fc
  .tuple(fc.stringMatching(/^[a-z0-9]{1,12}$/), fc.stringMatching(/^[a-z]{1,12}$/), fc.constantFrom('com', 'org', 'example'))
  .map(([local, domain, tld]) => `${local}@${domain}.${tld}`);

const validSku = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,15}$/);

function validItem(digits: number): fc.Arbitrary<ValidOrderItem> {
  return fc.record({
    sku: validSku,
    quantity: fc.integer({ min: 1, max: maxQuantity }),
    // A whole number of minor units, divided once: exactly as many decimals as the currency allows.
    price: fc.integer({ min: 0, max: maxUnitPrice * 10 ** digits }).map((minorUnits) => minorUnits / 10 ** digits),
  });
}

export const validOrder: fc.Arbitrary<ValidOrder> = fc
  .constantFrom(...(Object.keys(CURRENCY_DIGITS) as Currency[]))
  .chain((currency) =>
    fc.record(
      {
        customerEmail: validEmail,
        currency: fc.constant(currency),
        items: fc.array(validItem(CURRENCY_DIGITS[currency]), { minLength: 1, maxLength: 5 }),
        paymentOutcome: fc.constantFrom('approved' as const, 'declined' as const),
        inventoryOutcome: fc.constantFrom('reserved' as const, 'out_of_stock' as const),
      },
      { requiredKeys: ['customerEmail', 'currency', 'items'] },
    ),
  );

/** A mutable copy of the order as a JSON object. */
function bodyOf(order: ValidOrder): { [key: string]: Json } {
  return structuredClone(order) as unknown as { [key: string]: Json };
}

function post(body: Buffer | string, headers: readonly (readonly [string, string])[] = [JSON_CONTENT_TYPE]): RawRequest {
  return { method: 'POST', path: ORDERS_PATH, headers, body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body };
}

/** The valid order itself, as the API expects it: the control every mutation is measured against. */
export function validOrderRequest(order: ValidOrder): RawRequest {
  return post(toJsonText(bodyOf(order)));
}

function badField(flaw: string, body: { [key: string]: Json }, issuePath: string): MalformedRequest {
  return { flaw, request: post(toJsonText(body)), expected: { status: 400, issuePath } };
}

type Segment = string | number;

/** The object or array holding the last segment of `path`. */
function parentOf(body: { [key: string]: Json }, path: readonly Segment[]): { [key: string]: Json } | Json[] {
  let node: Json = body;
  for (const segment of path.slice(0, -1)) node = (node as { [key: string]: Json })[segment] as Json;
  return node as { [key: string]: Json } | Json[];
}

function setAt(body: { [key: string]: Json }, path: readonly Segment[], value: Json): { [key: string]: Json } {
  const parent = parentOf(body, path);
  const last = path[path.length - 1] as Segment;
  if (Array.isArray(parent)) parent[last as number] = value;
  else defineOwn(parent, String(last), value);
  return body;
}

function deleteAt(body: { [key: string]: Json }, path: readonly Segment[]): { [key: string]: Json } {
  const parent = parentOf(body, path) as { [key: string]: Json };
  // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- the key is the point of the mutation
  delete parent[String(path[path.length - 1])];
  return body;
}

const pathText = (path: readonly Segment[]): string => path.map(String).join('.');

/** An index into the order's items. */
const itemIndex = (order: ValidOrder): fc.Arbitrary<number> => fc.nat({ max: order.items.length - 1 });

// ---------------------------------------------------------------------------------------------
// Values that are wrong for a field.

const NAN_ISH_STRINGS = ['NaN', 'Infinity', '-Infinity', '1e3', '0x10', ' 1', '1 ', '', '١', '1_000', '+1', '01', 'null', 'undefined'];

const anyString = fc.string({ maxLength: 40 });
const nonString: fc.Arbitrary<Json> = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>, { maxLength: 3 }),
  fc.dictionary(anyString, fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>, { maxKeys: 3 }),
);
const nonNumber: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom(...NAN_ISH_STRINGS),
  anyString,
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(anyString, fc.integer(), { maxKeys: 3 }),
);
const nonArray: fc.Arbitrary<Json> = fc.oneof(
  anyString,
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.dictionary(anyString, fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>, { maxKeys: 3 }),
);
const nonObject: fc.Arbitrary<Json> = fc.oneof(
  anyString,
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
);

/** Nesting far deeper than any order, as raw text (building it as objects would overflow JSON.stringify). */
const deeplyNested: fc.Arbitrary<RawJson> = fc.oneof(
  fc.integer({ min: 1_000, max: 10_000 }).map((depth) => new RawJson(`${'['.repeat(depth)}${']'.repeat(depth)}`)),
  fc.integer({ min: 1_000, max: 8_000 }).map((depth) => new RawJson(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`)),
);

/** Number tokens JSON.parse turns into Infinity, -0 or a rounded value. */
const RAW_HUGE_NUMBERS = ['1e400', '-1e400', '1E999', '123456789012345678901234567890', '-123456789012345678901234567890'];

const invalidQuantity: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom(0, -1, -maxQuantity, maxQuantity + 1, 1e6, 1e21, 2 ** 53 + 2, Number.MAX_VALUE, -Number.MAX_VALUE),
  fc.constantFrom(1.5, 0.1, 1e-7, 2.000001, -0.5),
  fc.constantFrom(...RAW_HUGE_NUMBERS, '-0', '0.0000000000000000000000001').map((text) => new RawJson(text)),
  fc
    .double({ noNaN: true, noDefaultInfinity: true })
    .filter((value) => !(Number.isInteger(value) && value >= 1 && value <= maxQuantity)),
);

function isValidPrice(price: number, digits: number): boolean {
  return price >= 0 && price <= maxUnitPrice && Number(price.toFixed(digits)) === price;
}

function invalidPrice(digits: number): fc.Arbitrary<Json> {
  return fc.oneof(
    fc.constantFrom(-0.01, -1, -1e6, maxUnitPrice + 1, 1e7, 1e21, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 1e-7),
    fc.constantFrom(...RAW_HUGE_NUMBERS, '1e7', '-0.01').map((text) => new RawJson(text)),
    // One decimal more than the currency has.
    fc.integer({ min: 0, max: 99_999 }).map((minorUnits) => (minorUnits + 0.5) / 10 ** digits),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((value) => !isValidPrice(value, digits)),
  );
}

const INVALID_EMAILS = [
  '',
  'plainaddress',
  '@example.com',
  'user@',
  'user@localhost',
  'user@@example.com',
  'user name@example.com',
  'user@exa mple.com',
  '.user@example.com',
  'user.@example.com',
  'us..er@example.com',
  'user@example..com',
  'user@-example.com',
  'user@example.c',
  'user@example.123',
  'ü@example.com',
  'user@exämple.com',
  'user＠example.com',
  'user@example.com\n',
  'user@example.com ',
  '\u202Euser@example.com',
  'user\u200D@example.com',
  '😀@example.com',
  'user\u0000@example.com',
  // A lone surrogate: JSON.stringify writes it as the escape \ud800.
  'user\ud800@example.com',
  `${'a'.repeat(250)}@example.com`,
];

const invalidEmail: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...INVALID_EMAILS),
  fc.string({ unit: 'grapheme', maxLength: 60 }).filter((text) => !text.includes('@')),
);

const SUPPORTED_CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));
const invalidCurrency: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', 'usd', 'Usd', 'US', 'USDD', 'U$D', 'ＵＳＤ', '€', 'US D', 'USD ', ' USD', '840', 'XXX'),
  fc.stringMatching(/^[A-Z]{3}$/).filter((code) => !SUPPORTED_CURRENCIES.has(code)),
);

const SKU_RULE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const invalidSku: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', '-abc', '.abc', '_abc', 'a'.repeat(65), 'a b', 'ä', 'a/b', '../etc/passwd', 'a\u0000', '😀', 'ＡＢＣ', 'a\nb'),
  fc.string({ unit: 'grapheme', maxLength: 70 }).filter((sku) => !SKU_RULE.test(sku)),
);

const ENUMS = {
  paymentOutcome: ['approved', 'declined'],
  inventoryOutcome: ['reserved', 'out_of_stock'],
  simulateTechnicalFailure: ['payment', 'inventory', 'notification'],
} as const;
type EnumField = keyof typeof ENUMS;

function invalidEnum(field: EnumField): fc.Arbitrary<string> {
  const allowed: readonly string[] = ENUMS[field];
  return fc.oneof(
    fc.constantFrom('', 'APPROVED', 'approve', 'declined ', 'reserve', 'OUT_OF_STOCK', 'order', 'relay', 'none'),
    anyString,
  ).filter((value) => !allowed.includes(value));
}

const ROOT_FIELDS = ['customerEmail', 'currency', 'items', 'paymentOutcome', 'inventoryOutcome', 'simulateTechnicalFailure'];
const ITEM_FIELDS = ['sku', 'quantity', 'price'];

/** Keys no order has: prototype names, near-misses, homoglyphs, odd characters. */
function unknownKey(known: readonly string[]): fc.Arbitrary<string> {
  return fc
    .oneof(
      fc.constantFrom(
        '__proto__',
        'constructor',
        'prototype',
        'toString',
        'valueOf',
        'hasOwnProperty',
        '__defineGetter__',
        'isPrototypeOf',
        'paymentOutcom',
        'customeremail',
        'CustomerEmail',
        'items ',
        ' currency',
        'сurrency',
        'іtems',
        '',
        '😀',
        '\u0000',
        'a.b',
      ),
      fc.string({ unit: 'grapheme', maxLength: 20 }),
    )
    .filter((key) => !known.includes(key));
}

// ---------------------------------------------------------------------------------------------
// Mutations of a valid order's body: 400, naming the field.

function missingField(order: ValidOrder): fc.Arbitrary<MalformedRequest> {
  const root = fc.constantFrom('customerEmail', 'currency', 'items').map((field) => [field] as Segment[]);
  const item = fc.tuple(itemIndex(order), fc.constantFrom(...ITEM_FIELDS)).map(([index, field]) => ['items', index, field] as Segment[]);
  return fc.oneof(root, item).map((path) => badField(`missing ${pathText(path)}`, deleteAt(bodyOf(order), path), pathText(path)));
}

function wrongType(order: ValidOrder): fc.Arbitrary<MalformedRequest> {
  const at = (path: readonly Segment[], values: fc.Arbitrary<Json>) =>
    values.map((value) =>
      badField(`wrong type at ${pathText(path)}: ${shortText(value)}`, setAt(bodyOf(order), path, value), pathText(path)),
    );
  return itemIndex(order).chain((index) =>
    fc.oneof(
      at(['customerEmail'], nonString),
      at(['currency'], nonString),
      at(['paymentOutcome'], nonString),
      at(['inventoryOutcome'], nonString),
      at(['simulateTechnicalFailure'], nonString),
      at(['items'], nonArray),
      at(['items', index], nonObject),
      at(['items', index, 'sku'], nonString),
      at(['items', index, 'quantity'], nonNumber),
      at(['items', index, 'price'], nonNumber),
    ),
  );
}

function badValue(order: ValidOrder): fc.Arbitrary<MalformedRequest> {
  const at = (path: readonly Segment[], values: fc.Arbitrary<Json>, what: string) =>
    values.map((value) => badField(`${what} at ${pathText(path)}: ${shortText(value)}`, setAt(bodyOf(order), path, value), pathText(path)));
  const digits = CURRENCY_DIGITS[order.currency];
  return itemIndex(order).chain((index) =>
    fc.oneof(
      at(['items', index, 'quantity'], invalidQuantity, 'invalid quantity'),
      at(['items', index, 'price'], invalidPrice(digits), 'invalid price'),
      at(['customerEmail'], invalidEmail, 'invalid email'),
      at(['currency'], invalidCurrency, 'invalid currency'),
      at(['items', index, 'sku'], invalidSku, 'invalid sku'),
      at(['paymentOutcome'], invalidEnum('paymentOutcome'), 'invalid enum'),
      at(['inventoryOutcome'], invalidEnum('inventoryOutcome'), 'invalid enum'),
      at(['simulateTechnicalFailure'], invalidEnum('simulateTechnicalFailure'), 'invalid enum'),
      at(['items'], fc.constant([]), 'no items'),
      at(
        ['items'],
        fc
          .integer({ min: maxItems + 1, max: maxItems + 30 })
          .map((count) => Array.from({ length: count }, () => ({ sku: 'SKU-1', quantity: 1, price: 1 }))),
        'too many items',
      ),
      fc
        .constantFrom<Segment[]>(['customerEmail'], ['currency'], ['paymentOutcome'], ['items', index, 'quantity'])
        .chain((path) => at(path, deeplyNested, 'deep nesting')),
    ),
  );
}

function extraField(order: ValidOrder): fc.Arbitrary<MalformedRequest> {
  const value = fc.oneof(fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>, deeplyNested);
  const root = fc.tuple(unknownKey(ROOT_FIELDS), value).map(([key, extra]) => ({ path: [key] as Segment[], extra }));
  const item = fc
    .tuple(itemIndex(order), unknownKey(ITEM_FIELDS), value)
    .map(([index, key, extra]) => ({ path: ['items', index, key] as Segment[], extra }));
  return fc
    .oneof(root, item)
    .map(({ path, extra }) =>
      badField(`unknown field ${JSON.stringify(pathText(path))}`, setAt(bodyOf(order), path, extra), pathText(path)),
    );
}

/** A body that is JSON but not an object at all. */
const notAnObject: fc.Arbitrary<MalformedRequest> = fc
  .oneof(
    fc.array(fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>, { maxLength: 3 }),
    fc.string({ maxLength: 20 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    deeplyNested.filter((raw) => raw.text.startsWith('[')),
    fc.constantFrom(...RAW_HUGE_NUMBERS).map((text) => new RawJson(text)),
  )
  .map((value) => ({ flaw: `body is ${shortText(value)}`, request: post(toJsonText(value)), expected: { status: 400, issuePath: '' } }));

/** Bytes that are not UTF-8, inside the email: decoded as U+FFFD, which no address contains. */
function invalidUtf8(order: ValidOrder): fc.Arbitrary<MalformedRequest> {
  const marker = 'XXNOTUTF8XX';
  return fc.constantFrom([0xff], [0xc3, 0x28], [0xe2, 0x82], [0xf0, 0x28, 0x8c, 0xbc], [0xc0, 0xaf]).map((bytes) => {
    const text = toJsonText(setAt(bodyOf(order), ['customerEmail'], `user${marker}@example.com`));
    const [before = '', after = ''] = text.split(marker);
    const body = Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)]);
    return {
      flaw: `invalid UTF-8 ${bytes.map((byte) => byte.toString(16)).join(' ')} in customerEmail`,
      request: post(body),
      expected: { status: 400, issuePath: 'customerEmail' },
    };
  });
}

// ---------------------------------------------------------------------------------------------
// A valid body in a wrong envelope.

/** Not JSON at all (or not decodable as UTF-8 JSON): 400, about the whole body. */
function invalidJson(order: ValidOrder): fc.Arbitrary<MalformedRequest> {
  const text = toJsonText(bodyOf(order));
  const variants: fc.Arbitrary<{ flaw: string; body: Buffer }> = fc.oneof(
    fc
      .nat({ max: text.length - 1 })
      .map((length) => ({ flaw: `truncated to ${length} characters`, body: Buffer.from(text.slice(0, length)) })),
    fc.constantFrom(
      { flaw: 'trailing comma', body: `${text.slice(0, -1)},}` },
      { flaw: 'single quotes', body: text.replaceAll('"', "'") },
      { flaw: 'unquoted keys', body: text.replace(/"(\w+)":/g, '$1:') },
      { flaw: 'a comment', body: `/* order */${text}` },
      { flaw: 'a byte order mark', body: `\uFEFF${text}` },
      { flaw: 'two documents', body: `${text}${text}` },
      { flaw: 'garbage after the document', body: `${text}x` },
      { flaw: 'NaN literal', body: text.replace(/"quantity":[^,}]+/, '"quantity":NaN') },
      { flaw: 'raw control character in a string', body: text.replace('@', '@\u0001') },
      { flaw: 'undefined', body: 'undefined' },
      { flaw: 'whitespace only', body: ' \n\t ' },
    ).map(({ flaw, body }) => ({ flaw, body: Buffer.from(body, 'utf8') })),
    fc.constant({ flaw: 'UTF-16 encoded', body: Buffer.from(text, 'utf16le') }),
  );
  return variants.map(({ flaw, body }) => ({
    flaw: `invalid JSON: ${flaw}`,
    request: post(body),
    expected: { status: 400, issuePath: '' },
  }));
}

const WRONG_CONTENT_TYPES = [
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/jsonp',
  'application/json-patch+json',
  'application/problem+json',
  'application/xml',
  'json',
  'application/ json',
  'application',
  '',
  '*/*',
];

const HEADER_SAFE_TEXT = fc.string({
  unit: fc.integer({ min: 0x20, max: 0xff }).filter((code) => code !== 0x7f).map((code) => String.fromCharCode(code)),
  maxLength: 60,
});

/** A valid order with a Content-Type that is not JSON, or none: 415. */
function wrongContentType(order: ValidOrder): fc.Arbitrary<MalformedRequest> {
  const text = toJsonText(bodyOf(order));
  const contentType = fc.oneof(
    fc.constantFrom(...WRONG_CONTENT_TYPES).map((value) => [value] as const),
    HEADER_SAFE_TEXT.filter((value) => value.split(';')[0]?.trim().toLowerCase() !== 'application/json').map((value) => [value] as const),
    fc.constant([] as const),
  );
  return contentType.map((values) => ({
    flaw: values.length === 0 ? 'no Content-Type' : `Content-Type ${JSON.stringify(values[0])}`,
    request: post(text, values.map((value) => ['Content-Type', value] as const)),
    expected: { status: 415 },
  }));
}

/** A valid order with a malformed Idempotency-Key: 400 naming the header, and no order. */
function malformedIdempotencyKey(order: ValidOrder): fc.Arbitrary<MalformedRequest> {
  const printable = fc.stringMatching(/^[!-~]{1,20}$/);
  const key = fc.oneof(
    fc.constantFrom('', '   ', 'a\tb'),
    fc.stringMatching(new RegExp(`^[!-~]{${maxIdempotencyKeyLength + 1},300}$`)),
    // Latin-1 bytes: Node sends the header value as latin-1, so the API receives é, ÿ, …
    fc
      .tuple(printable, fc.integer({ min: 0x80, max: 0xff }), printable)
      .map(([before, code, after]) => `${before}${String.fromCharCode(code)}${after}`),
  );
  return key.map((value) => ({
    flaw: `Idempotency-Key ${JSON.stringify(value)}`,
    request: post(toJsonText(bodyOf(order)), [JSON_CONTENT_TYPE, ['Idempotency-Key', value]]),
    expected: { status: 400, issuePath: 'headers.Idempotency-Key' },
  }));
}

/** A valid order padded past the API's body limit with whitespace, so size is its only fault: 413. */
export const oversized: fc.Arbitrary<MalformedRequest> = fc
  .tuple(validOrder, fc.integer({ min: maxBodyBytes + 1, max: 4 * maxBodyBytes }))
  .map(([order, size]) => {
    const text = toJsonText(bodyOf(order));
    return {
      flaw: `body of ${size} bytes`,
      request: post(`${text}${' '.repeat(Math.max(0, size - Buffer.byteLength(text)))}`),
      expected: { status: 413 },
    };
  });

// ---------------------------------------------------------------------------------------------
// Wrong methods and paths.

/** API Gateway's answer to a route it does not have: 403 Missing Authentication Token. */
function wrongMethod(order: ValidOrder): fc.Arbitrary<MalformedRequest> {
  return fc.constantFrom('GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS').map((method) => ({
    flaw: `${method} ${ORDERS_PATH}`,
    request: {
      method,
      path: ORDERS_PATH,
      headers: [JSON_CONTENT_TYPE],
      ...(method === 'GET' ? {} : { body: Buffer.from(toJsonText(bodyOf(order))) }),
    },
    expected: { status: 403 },
  }));
}

const UNKNOWN_PATHS = ['/order', '/Orders', '/ORDERS', '/orders/x/y', '/', '/v1/orders', '/orders.json', '/prod/orders', '/orders/extra'];

function wrongPath(order: ValidOrder): fc.Arbitrary<MalformedRequest> {
  return fc.constantFrom(...UNKNOWN_PATHS).map((path) => ({
    flaw: `POST ${path}`,
    request: { method: 'POST', path, headers: [JSON_CONTENT_TYPE], body: Buffer.from(toJsonText(bodyOf(order))) },
    expected: { status: 403 },
  }));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** GET /orders/{orderId} with an id that is not a UUID (400) or a UUID no order has (404). */
const badOrderLookup: fc.Arbitrary<MalformedRequest> = fc.oneof(
  fc
    .string({ unit: 'grapheme', minLength: 1, maxLength: 60 })
    .filter((id) => !UUID.test(id))
    .map((id) => ({
      flaw: `GET an order by the id ${JSON.stringify(id)}`,
      request: { method: 'GET', path: `${ORDERS_PATH}/${encodeURIComponent(id)}`, headers: [] },
      expected: { status: 400, issuePath: 'orderId' },
    })),
  fc.uuid({ version: 4 }).map((id) => ({
    flaw: `GET the unknown order ${id}`,
    request: { method: 'GET', path: `${ORDERS_PATH}/${id}`, headers: [] },
    expected: { status: 404 },
  })),
);

// ---------------------------------------------------------------------------------------------
// Free-form junk: nothing is known about it except that it cannot be an order.

/** Could this JSON value be a valid order? Only an object with an email-like string can. */
function couldBeAnOrder(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    'customerEmail' in value &&
    typeof value.customerEmail === 'string' &&
    value.customerEmail.includes('@')
  );
}

const junk: fc.Arbitrary<MalformedRequest> = fc.oneof(
  fc.uint8Array({ maxLength: 2_000 }).map((bytes) => ({
    flaw: `${bytes.length} random bytes`,
    request: post(Buffer.from(bytes)),
    expected: { status: 400 },
  })),
  fc.json({ maxDepth: 4 }).filter((text) => !couldBeAnOrder(JSON.parse(text))).map((text) => ({
    flaw: `arbitrary JSON ${text.slice(0, 60)}`,
    request: post(text),
    expected: { status: 400 },
  })),
  fc
    .record(
      {
        customerEmail: fc.anything(),
        currency: fc.oneof(fc.constantFrom('USD', 'JPY'), fc.anything()),
        items: fc.oneof(fc.array(fc.anything(), { maxLength: 3 }), fc.anything()),
      },
      { requiredKeys: [] },
    )
    .map((value) => JSON.stringify(value))
    .filter((text) => !couldBeAnOrder(JSON.parse(text)))
    .map((text) => ({ flaw: `order-shaped junk ${text.slice(0, 60)}`, request: post(text), expected: { status: 400 } })),
  fc
    .tuple(
      fc.string({ unit: 'grapheme', maxLength: 200 }),
      fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-8'),
    )
    .map(([text, contentType]) => ({
      flaw: `a string body as ${contentType}`,
      request: post(text, [['Content-Type', contentType]]),
      expected: { status: contentType.startsWith('application/json') ? 400 : 415 },
    })),
  fc
    .tuple(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'), fc.webPath())
    .filter(([method, path]) => !(path === ORDERS_PATH || (method === 'GET' && path.startsWith(`${ORDERS_PATH}/`))))
    .map(([method, path]) => ({
      flaw: `${method} ${path}`,
      request: {
        method,
        path: path === '' ? '/' : path,
        headers: [JSON_CONTENT_TYPE],
        ...(method === 'GET' ? {} : { body: Buffer.from('{}') }),
      },
      expected: { status: 403 },
    })),
);

// ---------------------------------------------------------------------------------------------
// Decorations that change nothing about the answer: odd headers and query strings.

const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];

const oddHeader = fc.tuple(
  fc.constantFrom(
    ...PROTOTYPE_NAMES,
    'X-Correlation-Id',
    'X-Forwarded-For',
    'X-Amzn-Trace-Id',
    'Accept',
    'Accept-Encoding',
    'X-Api-Key',
    'Authorization',
  ),
  HEADER_SAFE_TEXT,
);

const queryString = fc.oneof(
  fc.constant(''),
  fc
    .array(fc.tuple(fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), fc.string({ maxLength: 10 })), fc.string({ maxLength: 10 })), {
      minLength: 1,
      maxLength: 4,
    })
    .map((pairs) => `?${pairs.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&')}`),
  fc.constantFrom('?%E0%A4%A', '?&&=&', '?a=1&a=2&a=3', '?__proto__[x]=1', '?constructor=1&constructor=2'),
);

function decorate(malformed: MalformedRequest, headers: readonly (readonly [string, string])[], query: string): MalformedRequest {
  if (headers.length === 0 && query === '') return malformed;
  return {
    flaw: [
      malformed.flaw,
      ...(query === '' ? [] : [`query ${query}`]),
      ...(headers.length === 0 ? [] : [`headers ${headers.map(([name]) => name).join(', ')}`]),
    ].join(', '),
    request: { ...malformed.request, path: `${malformed.request.path}${query}`, headers: [...malformed.request.headers, ...headers] },
    expected: malformed.expected,
  };
}

// ---------------------------------------------------------------------------------------------

/** A valid order with exactly one thing broken. */
function oneThingBroken(order: ValidOrder): fc.Arbitrary<MalformedRequest> {
  return fc.oneof(
    { weight: 3, arbitrary: missingField(order) },
    { weight: 5, arbitrary: wrongType(order) },
    { weight: 10, arbitrary: badValue(order) },
    { weight: 4, arbitrary: extraField(order) },
    { weight: 1, arbitrary: invalidUtf8(order) },
    { weight: 3, arbitrary: invalidJson(order) },
    { weight: 2, arbitrary: wrongContentType(order) },
    { weight: 2, arbitrary: malformedIdempotencyKey(order) },
    { weight: 1, arbitrary: wrongMethod(order) },
    { weight: 1, arbitrary: wrongPath(order) },
  );
}

/** Every kind of malformed request, most of them a valid order broken in one known way. */
export const malformedOrderRequest: fc.Arbitrary<MalformedRequest> = fc
  .tuple(
    fc.oneof(
      { weight: 180, arbitrary: validOrder.chain(oneThingBroken) },
      { weight: 8, arbitrary: notAnObject },
      { weight: 4, arbitrary: badOrderLookup },
      { weight: 20, arbitrary: junk },
      // Slow to send and to answer (each is up to 256 KiB): about one request in 200.
      { weight: 1, arbitrary: oversized },
    ),
    fc.array(oddHeader, { maxLength: 3 }),
    queryString,
  )
  .map(([malformed, headers, query]) => readable(decorate(malformed, headers, query)));

/** How fast-check prints a counterexample: the request as text, its body cut short. */
function readable(malformed: MalformedRequest): MalformedRequest {
  const { method, path, headers, body } = malformed.request;
  const bodyText =
    body === undefined ? 'no body' : `body of ${body.length} bytes ${JSON.stringify(body.toString('utf8').slice(0, 300))}`;
  const text = `${malformed.flaw}: ${method} ${path} ${JSON.stringify(headers)} ${bodyText}`;
  return Object.defineProperty(malformed, fc.toStringMethod, { value: () => text, enumerable: false });
}

/** A generated value, cut short for the failure report. */
function shortText(value: Json): string {
  const text = toJsonText(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
