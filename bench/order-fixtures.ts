/**
 * What the bench sends: the seed article's order (1 × 850 + 2 × 25 USD) as the API body, and, for
 * the raw-transaction baseline, the very TransactWriteItems request the order Lambda would send for
 * it. The latter is produced by the real code, not rewritten: `placeOrder` and
 * `DynamoDbOrderRepository` run against an SDK client whose request handler keeps the serialized
 * request instead of sending it. So the baseline writes the same 2-3 items, with the same
 * conditions, in the same bytes (ClientRequestToken included) as the function does. Capturing
 * costs milliseconds (the SDK's whole middleware stack), so it is done once and each order gets a
 * copy with fresh identifiers and timestamps (`withFreshIdentities`).
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableRole } from '../src/common/settings';
import { DynamoDbOrderRepository } from '../src/order/adapters/dynamodb-order-repository';
import { placeOrder } from '../src/order/domain/place-order';
import type { OrderRepository } from '../src/order/domain/ports';

/** The seed article's example order. */
export const ORDER_BODY = JSON.stringify({
  customerEmail: 'student@example.com',
  currency: 'USD',
  items: [
    { sku: 'LAPTOP-001', quantity: 1, price: 850 },
    { sku: 'MOUSE-002', quantity: 2, price: 25 },
  ],
  paymentOutcome: 'approved',
  inventoryOutcome: 'reserved',
});

/**
 * Headers of one order request. Every bench order carries an Idempotency-Key, as a client that
 * retries during a flash sale must, so each order writes its 3 items (order, outbox, key claim).
 */
export function orderRequestHeaders(idempotencyKey: string = randomUUID()): Record<string, string> {
  return { 'content-type': 'application/json', 'idempotency-key': idempotencyKey };
}

class CapturedRequestError extends Error {
  constructor() {
    super('request captured, not sent');
    this.name = 'CapturedRequestError';
  }
}

interface SerializedRequest {
  /** A string, or the SDK's byte adapter for JSON bodies. */
  readonly body: string | Uint8Array;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const ISO_TIMESTAMP = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/g;

/**
 * A copy of a captured request in which every UUID (order, event, correlation and idempotency ids,
 * the ClientRequestToken) is replaced by a fresh one, consistently within the body, and every
 * timestamp by now. `onIdentity` learns each replacement (to find the new keys); `preset` fixes
 * some replacements (to address an item that exists).
 */
export function withFreshIdentities(
  template: string,
  onIdentity?: (original: string, fresh: string) => void,
  preset?: ReadonlyMap<string, string>,
): string {
  const fresh = new Map<string, string>(preset);
  const now = new Date().toISOString();
  return template
    .replace(UUID, (original) => {
      let replacement = fresh.get(original);
      if (replacement === undefined) {
        replacement = randomUUID();
        fresh.set(original, replacement);
        onIdentity?.(original, replacement);
      }
      return replacement;
    })
    .replace(ISO_TIMESTAMP, now);
}

/** Builds the TransactWriteItems bodies the order Lambda would send, one per order. */
export class OrderWriteCapture {
  private captured: string | undefined;
  private readonly repository: DynamoDbOrderRepository;

  constructor(tableNames: Readonly<Record<TableRole, string>>) {
    const client = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
      requestHandler: {
        handle: (request: SerializedRequest) => {
          this.captured = typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body);
          return Promise.reject(new CapturedRequestError());
        },
      } as unknown as DynamoDBClient['config']['requestHandler'],
    });
    this.repository = new DynamoDbOrderRepository(
      { orders: tableNames.orders, outbox: tableNames.outbox, idempotency: tableNames.idempotency },
      DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    );
  }

  private template: string | undefined;

  /** The wire body of one new order's transaction (`X-Amz-Target: DynamoDB_20120810.TransactWriteItems`). */
  async transactionBody(): Promise<string> {
    this.template ??= await this.capture();
    return withFreshIdentities(this.template);
  }

  private async capture(): Promise<string> {
    this.captured = undefined;
    const orders: OrderRepository = {
      create: (newOrder) => this.repository.create(newOrder),
      findById: () => Promise.resolve(undefined),
    };
    try {
      await placeOrder(
        { body: JSON.parse(ORDER_BODY) as unknown, correlationId: randomUUID(), idempotencyKey: randomUUID() },
        { orders, clock: () => new Date(), ids: randomUUID },
      );
    } catch {
      // The capturing handler always refuses; what matters is what it kept.
    }
    if (this.captured === undefined) throw new Error('placeOrder did not reach the TransactWriteItems call');
    return this.captured;
  }
}
