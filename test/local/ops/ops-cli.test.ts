/**
 * The operator CLI against a real local stack, run as operators run it (a child process). The
 * story: the payments table becomes unreachable (Payment's DynamoDB endpoint points at a dead
 * port), so two orders' OrderCreated messages fail three receives and land in payment-dlq; `status`
 * and `order` show where they are; the cause is fixed (the runtime restarts without the override);
 * a redrive is SIGKILLed between its send and its delete; a second redrive finishes the job. Every
 * order must end CONFIRMED with exactly one payment decision and one notification per outcome.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { inspectFauxqsQueue } from '../../../ops/fauxqs-inspection';
import type { StatusReport } from '../../../ops/collect-status';
import type { DeadLetterListing } from '../../../ops/dlq-commands';
import type { OrderTimeline } from '../../../ops/order-timeline';
import { eventually } from '../support/eventually';
import { startLocalStack, type LocalStack } from '../support/local-stack';

const BASE_PORT = 19400;
/** Nothing listens here: Payment's DynamoDB calls are refused, a dependency outage. */
const DEAD_PORT = BASE_PORT + 9;
const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..', '..');
const STEP_TIMEOUT_MS = 90_000;

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({
    basePort: BASE_PORT,
    runtimeEnv: {
      // The runtime's X-Ray daemon stand-in, on a port of this file's own.
      XRAY_DAEMON_PORT: String(BASE_PORT + 3),
      LOCAL_FUNCTION_ENV: JSON.stringify({ Payment: { AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${DEAD_PORT}` } }),
    },
  });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

interface ChildRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `node --import tsx <script> …args` from the repository root, with the stack's ports. */
function runScript(script: string, args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: REPOSITORY_ROOT,
      env: {
        ...process.env,
        PORT: String(BASE_PORT),
        DYNAMODB_PORT: String(BASE_PORT + 1),
        SNS_SQS_PORT: String(BASE_PORT + 2),
        LOCAL_DATA_DIR: stack.dataDir,
        NO_COLOR: '1',
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), STEP_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function ops(...args: string[]): Promise<ChildRun> {
  return runScript('ops/cli.ts', args);
}

async function opsJson<T>(...args: string[]): Promise<T> {
  const run = await ops(...args, '--json');
  if (run.code !== 0) throw new Error(`ops ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

async function placeOrder(): Promise<string> {
  const response = await fetch(`${stack.apiUrl}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ customerEmail: 'ops@example.com', currency: 'USD', items: [{ sku: 'OPS-1', quantity: 1, price: 25 }] }),
  });
  expect(response.status).toBe(202);
  const { orderId } = (await response.json()) as { orderId: string };
  return orderId;
}

async function queueTotal(name: string): Promise<{ visible: number; total: number }> {
  const { depth } = await inspectFauxqsQueue(stack.endpoints.snsSqs, name, new Date());
  return { visible: depth.visible, total: depth.visible + depth.inFlight + depth.delayed };
}

async function itemsOf(table: string, orderId: string): Promise<Record<string, unknown>[]> {
  const { Items = [] } = await stack.ddb.send(
    new ScanCommand({ TableName: table, FilterExpression: 'orderId = :orderId', ExpressionAttributeValues: { ':orderId': orderId } }),
  );
  return Items;
}

describe('npm run ops', () => {
  const orderIds: string[] = [];

  it('shows an order dead-lettered by a dependency outage in status, order and dlq show', async () => {
    // Prepare
    orderIds.push(await placeOrder(), await placeOrder());
    await eventually(async () => ((await queueTotal('payment-dlq')).visible === 2 ? true : undefined), {
      timeoutMs: STEP_TIMEOUT_MS,
      intervalMs: 500,
      what: 'both OrderCreated messages in payment-dlq',
    });
    const [orderId = ''] = orderIds;

    // Act
    const statusText = await ops('status');
    const status = await opsJson<StatusReport>('status');
    const orderText = await ops('order', orderId);
    const order = await opsJson<OrderTimeline>('order', orderId);
    const shown = await opsJson<DeadLetterListing>('dlq', 'show', 'payment');

    // Assess
    expect(statusText.code).toBe(0);
    expect(statusText.stdout).toMatch(/^payment-dlq\s+dlq\s+2\s+0\s+0\s+\d/m);
    expect(status.queues.find((queue) => queue.name === 'payment-dlq')).toMatchObject({ visible: 2, ageSource: 'peek' });
    expect(status.queues.filter((queue) => queue.kind !== 'queue' && queue.name !== 'payment-dlq').every((queue) => queue.visible === 0)).toBe(true);
    expect(status.outbox).toMatchObject({ ok: true, value: { pending: 0 } });
    expect(status.relay).toMatchObject({ ok: true, value: { available: true } });

    expect(orderText.code).toBe(0);
    expect(orderText.stdout).toContain(`Order ${orderId}  PENDING  (payment PENDING, inventory RESERVED)`);
    expect(orderText.stdout).toContain('npm run ops -- dlq redrive payment');
    expect(order.entries.map((entry) => entry.source)).toEqual(expect.arrayContaining(['order', 'outbox', 'inventory', 'dlq']));
    expect(order.entries.map((entry) => entry.at)).toEqual([...order.entries.map((entry) => entry.at)].sort());

    expect(shown.messages.map((message) => message.orderId).sort()).toEqual([...orderIds].sort());
    expect(shown.messages.every((message) => message.eventType === 'OrderCreated' && (message.receiveCount ?? 0) > 3)).toBe(true);
    // Looking changed nothing: both are still there, visible.
    expect(await queueTotal('payment-dlq')).toEqual({ visible: 2, total: 2 });
  }, 180_000);

  it('loses nothing when a redrive is killed between its send and its delete, and completes each order exactly once', async () => {
    // Prepare: the outage ends.
    await stack.killRuntime();
    await stack.startRuntime({ LOCAL_FUNCTION_ENV: '' });
    const queues = stack.resources.queues.Payment!;

    // Act 1: a redrive dies right after its first send.
    const killed = await runScript('test/local/ops/fixtures/redrive-then-die.ts', [], { DLQ_URL: queues.dlqUrl, SOURCE_URL: queues.url });

    // Assess 1: the message it sent is processed, and it is still in the DLQ too.
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.stdout).toContain('sent, dying before the delete');
    expect((await queueTotal('payment-dlq')).total).toBe(2);
    const firstConfirmed = await eventually(
      async () => {
        for (const orderId of orderIds) {
          const [order] = await itemsOf(stack.resources.tableNames.orders, orderId);
          if (order?.status === 'CONFIRMED') return orderId;
        }
        return undefined;
      },
      { timeoutMs: STEP_TIMEOUT_MS, intervalMs: 250, what: 'the order whose message the killed redrive sent to be CONFIRMED' },
    );
    const [firstPayment] = await itemsOf(stack.resources.tableNames.payments, firstConfirmed);

    // Act 2: once the killed redrive's message is visible again, redrive everything.
    await eventually(async () => ((await queueTotal('payment-dlq')).visible === 2 ? true : undefined), {
      timeoutMs: STEP_TIMEOUT_MS,
      intervalMs: 250,
      what: 'the message the killed redrive left to be visible again',
    });
    const redrive = await ops('dlq', 'redrive', 'payment');

    // Assess 2
    expect(redrive.code).toBe(0);
    expect(redrive.stdout).toContain('payment-dlq → payment: 2 message(s) moved by receive → send → delete');
    await eventually(
      async () => {
        const totals = await Promise.all(
          Object.values(stack.resources.queues).flatMap((queue) => [queueTotal(queue.name), queueTotal(queue.dlqName)]),
        );
        const orders = await Promise.all(orderIds.map((orderId) => itemsOf(stack.resources.tableNames.orders, orderId)));
        return totals.every((queue) => queue.total === 0) && orders.every(([order]) => order?.status === 'CONFIRMED') ? true : undefined;
      },
      { timeoutMs: STEP_TIMEOUT_MS, intervalMs: 250, what: 'every queue drained and both orders CONFIRMED' },
    );
    for (const orderId of orderIds) {
      const [order] = await itemsOf(stack.resources.tableNames.orders, orderId);
      const payments = await itemsOf(stack.resources.tableNames.payments, orderId);
      const notifications = await itemsOf(stack.resources.tableNames.notifications, orderId);
      expect(order).toMatchObject({ status: 'CONFIRMED', paymentStatus: 'COMPLETED', inventoryStatus: 'RESERVED' });
      expect(payments).toHaveLength(1);
      expect(payments[0]).toMatchObject({ status: 'COMPLETED' });
      expect(notifications.map((notification) => notification.eventType).sort()).toEqual(['InventoryReserved', 'PaymentCompleted']);
    }
    // The duplicate delivered by the second redrive republished the stored decision; it decided nothing anew.
    expect((await itemsOf(stack.resources.tableNames.payments, firstConfirmed))[0]).toEqual(firstPayment);
    const after = await opsJson<StatusReport>('status');
    expect(after.queues.every((queue) => queue.visible + queue.inFlight === 0)).toBe(true);
    const timeline = await ops('order', firstConfirmed);
    expect(timeline.stdout).toContain('Final: CONFIRMED (payment COMPLETED, inventory RESERVED).');
    expect(timeline.stdout.match(/notification for PaymentCompleted recorded/g)).toHaveLength(1);
  }, 240_000);

  it('refuses to purge without --yes when it has no terminal to ask on', async () => {
    // Act
    const purge = await ops('dlq', 'purge', 'payment');

    // Assess
    expect(purge.code).toBe(1);
    expect(purge.stderr).toContain('Refusing to purge payment without --yes: there is no terminal to confirm on');
  });
});
