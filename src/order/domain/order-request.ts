import { createHash } from 'node:crypto';
import * as z from '../../common/zod';
import type { ValidationIssue } from '../../common/errors';
import { inventoryOutcomeSchema, paymentOutcomeSchema, technicalFailureTargetSchema } from '../../common/events';
import { ORDER_API_LIMITS } from '../../common/settings';
import { ValidationError } from './errors';
import { decimalPlaces, isSupportedCurrency, minorUnitDigits } from './money';

/** The longest address SMTP can carry (RFC 5321 path limit). */
const MAX_EMAIL_LENGTH = 254;

const SKU_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const currencySchema = z.string().check(z.refine(isSupportedCurrency, { message: 'must be an ISO 4217 currency code such as USD' }));

/**
 * The POST /orders body. Objects are strict: an unknown field is an error rather than silently
 * dropped (a typo such as `paymentOutcom` must not place an order with the default outcome), and
 * that includes a `__proto__` key, which JSON.parse creates as an own property.
 *
 * The price rule depends on the currency, so the schema is built per currency (and cached): one
 * parse then reports every offending field at once. With an unknown currency the currency itself is
 * reported and the prices' precision is not checked.
 */
function buildOrderRequestSchema(currency: string | undefined) {
  const digits = currency === undefined ? undefined : minorUnitDigits(currency);
  const priceSchema = z.number().check(
    z.nonnegative(),
    z.maximum(ORDER_API_LIMITS.maxUnitPrice),
    z.refine((price) => digits === undefined || decimalPlaces(price) <= digits, {
      message:
        digits === 0
          ? `${currency ?? ''} prices must be whole numbers (the currency has no minor unit)`
          : `${currency ?? ''} prices must have at most ${String(digits)} decimal places`,
    }),
  );
  return z.strictObject({
    customerEmail: z.email().check(z.maxLength(MAX_EMAIL_LENGTH)),
    currency: currencySchema,
    items: z
      .array(
        z.strictObject({
          sku: z.string().check(
            z.regex(SKU_PATTERN, {
              message: "must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit",
            }),
          ),
          quantity: z.int().check(z.minimum(1), z.maximum(ORDER_API_LIMITS.maxQuantity)),
          price: priceSchema,
        }),
      )
      .check(z.minLength(1), z.maxLength(ORDER_API_LIMITS.maxItems)),
    paymentOutcome: z._default(paymentOutcomeSchema, 'approved'),
    inventoryOutcome: z._default(inventoryOutcomeSchema, 'reserved'),
    simulateTechnicalFailure: z.optional(technicalFailureTargetSchema),
  });
}

type OrderRequestSchema = ReturnType<typeof buildOrderRequestSchema>;
export type OrderRequest = z.infer<OrderRequestSchema>;

/** At most one schema per supported currency plus one for an unknown currency. */
const schemasByCurrency = new Map<string | undefined, OrderRequestSchema>();

function orderRequestSchemaFor(input: unknown): OrderRequestSchema {
  const candidate = typeof input === 'object' && input !== null && 'currency' in input ? input.currency : undefined;
  const currency = typeof candidate === 'string' && isSupportedCurrency(candidate) ? candidate : undefined;
  let schema = schemasByCurrency.get(currency);
  if (schema === undefined) {
    schema = buildOrderRequestSchema(currency);
    schemasByCurrency.set(currency, schema);
  }
  return schema;
}

/** Validates a parsed JSON body and fills in the defaults, or throws a ValidationError naming every offending field. */
export function parseOrderRequest(input: unknown): OrderRequest {
  const result = orderRequestSchemaFor(input).safeParse(input);
  if (!result.success) throw new ValidationError(toRequestIssues(result.error));
  return result.data;
}

/** zod issues as `{ path, message }`, one issue per unknown field so each is named by its path. */
function toRequestIssues(error: z.core.$ZodError): ValidationIssue[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: [...issue.path, key].map(String).join('.'), message: 'is not a known field' }))
      : [{ path: issue.path.map(String).join('.'), message: issue.message }],
  );
}

/**
 * The fingerprint an Idempotency-Key is bound to: sha256 of the validated, defaulted request in
 * canonical JSON (keys sorted), so whitespace, key order and spelled-out defaults do not matter.
 */
export function requestHash(request: OrderRequest): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, member]) => member !== undefined)
      .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
    return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
