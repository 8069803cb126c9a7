/**
 * The order API as a client sees it over HTTP: request builders, POST/GET helpers that return the
 * status, headers and parsed body, and the bridge from a 202 to the invariant checker's
 * expectations.
 */
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import type { InventoryOutcome, PaymentOutcome, TechnicalFailureTarget } from '../../../src/common/events';
import type { AcceptedOrder } from './invariants';

/** A POST /orders body (the API's contract; defaults are filled in by the API). */
export interface OrderRequestBody {
  readonly customerEmail: string;
  readonly currency: string;
  readonly items: readonly { readonly sku: string; readonly quantity: number; readonly price: number }[];
  readonly paymentOutcome?: PaymentOutcome;
  readonly inventoryOutcome?: InventoryOutcome;
  readonly simulateTechnicalFailure?: TechnicalFailureTarget;
}

export function anOrderRequest(overrides: Partial<OrderRequestBody> = {}): OrderRequestBody {
  return {
    customerEmail: 'ada@example.com',
    currency: 'USD',
    items: [
      { sku: 'BOOK-1', quantity: 2, price: 19.99 },
      { sku: 'PEN-7', quantity: 1, price: 3.5 },
    ],
    paymentOutcome: 'approved',
    inventoryOutcome: 'reserved',
    ...overrides,
  };
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  /** The body parsed as JSON, or the raw text when it is not JSON. */
  readonly body: unknown;
}

export interface PostOptions {
  readonly idempotencyKey?: string;
  /** Default `application/json`. */
  readonly contentType?: string;
  /** Sent verbatim instead of `JSON.stringify(body)` (malformed or oversized bodies). */
  readonly rawBody?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export async function postOrder(apiUrl: string, body: unknown, options: PostOptions = {}): Promise<HttpResponse> {
  const response = await fetch(`${apiUrl}/orders`, {
    method: 'POST',
    headers: {
      'Content-Type': options.contentType ?? 'application/json',
      ...(options.idempotencyKey === undefined ? {} : { 'Idempotency-Key': options.idempotencyKey }),
      ...options.headers,
    },
    body: options.rawBody ?? JSON.stringify(body),
  });
  return readResponse(response);
}

export async function getOrder(apiUrl: string, orderId: string): Promise<HttpResponse> {
  return readResponse(await fetch(`${apiUrl}/orders/${encodeURIComponent(orderId)}`));
}

async function readResponse(response: Response): Promise<HttpResponse> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: keep the text.
  }
  return { status: response.status, headers: response.headers, body };
}

/** The 202 body of POST /orders. */
export const orderAcceptedSchema = z.object({ orderId: z.uuid(), eventId: z.string().min(1), status: z.literal('PENDING') });
export type OrderAcceptedBody = z.infer<typeof orderAcceptedSchema>;

/** The parts of GET /orders/{id} the tests read. */
export const orderViewSchema = z.looseObject({
  orderId: z.uuid(),
  status: z.string(),
  paymentStatus: z.string(),
  inventoryStatus: z.string(),
});

/** The accepted order's 202 body, or a failure that shows what came back instead. */
export function acceptedBodyOf(response: HttpResponse): OrderAcceptedBody {
  if (response.status !== 202) {
    throw new Error(`Expected 202, got ${response.status}: ${JSON.stringify(response.body)}`);
  }
  return orderAcceptedSchema.parse(response.body);
}

/** What the invariant checker expects of an order the API accepted (the API's defaults filled in). */
export function acceptedOrderOf(request: OrderRequestBody, accepted: OrderAcceptedBody, idempotencyKey?: string): AcceptedOrder {
  return {
    orderId: accepted.orderId,
    paymentOutcome: request.paymentOutcome ?? 'approved',
    inventoryOutcome: request.inventoryOutcome ?? 'reserved',
    ...(request.simulateTechnicalFailure === undefined ? {} : { simulateTechnicalFailure: request.simulateTechnicalFailure }),
    ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
  };
}

/** Places one order (with a fresh Idempotency-Key unless told `null`) and returns what the checker expects. */
export async function placeOrder(
  apiUrl: string,
  request: OrderRequestBody = anOrderRequest(),
  idempotencyKey: string | null = randomUUID(),
): Promise<{ readonly accepted: OrderAcceptedBody; readonly expectation: AcceptedOrder }> {
  const response = await postOrder(apiUrl, request, idempotencyKey === null ? {} : { idempotencyKey });
  const accepted = acceptedBodyOf(response);
  return { accepted, expectation: acceptedOrderOf(request, accepted, idempotencyKey ?? undefined) };
}

/** Answers a client should retry: the function failed or timed out (502), the service is busy (503), the gateway gave up (504). */
const RETRYABLE_STATUSES = new Set([500, 502, 503, 504]);

/**
 * POST /orders as a careful client does it: a 5xx is retried with the same Idempotency-Key, so a
 * request whose first attempt committed but never answered gets that order back, never a second
 * one. Returns the last answer and how many attempts it took.
 */
export async function postOrderRetrying(
  apiUrl: string,
  body: OrderRequestBody,
  options: { readonly idempotencyKey: string; readonly maxAttempts?: number; readonly backoffMs?: number },
): Promise<{ readonly response: HttpResponse; readonly attempts: number }> {
  const maxAttempts = options.maxAttempts ?? 5;
  for (let attempt = 1; ; attempt += 1) {
    const response = await postOrder(apiUrl, body, { idempotencyKey: options.idempotencyKey });
    if (!RETRYABLE_STATUSES.has(response.status) || attempt >= maxAttempts) return { response, attempts: attempt };
    // Exponential backoff between attempts, as the AWS SDKs do.
    await new Promise((resolve) => setTimeout(resolve, (options.backoffMs ?? 200) * 2 ** (attempt - 1)));
  }
}
