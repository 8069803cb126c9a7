import fc from 'fast-check';
import { startLocalStack, type LocalStack } from '../support/local-stack';
import { answerProblems } from './support/answer-problems';
import { malformedOrderRequest, validOrder, validOrderRequest } from './support/malformed-order-requests';
import { RawHttpClient } from './support/raw-http';
import { countEveryTable } from './support/table-counts';

const BASE_PORT = 19700;
/** The least number of malformed requests the property must send. */
const MIN_REQUESTS = 10_000;
/** Requests in flight at once: each is one fast-check run of its own (see below). */
const CONCURRENCY = 16;
const RUNS_PER_LANE = Math.ceil(MIN_REQUESTS / CONCURRENCY);

/**
 * The order API under generated bad input, end to end: HTTP → the local API Gateway → the real
 * OrderApi function → DynamoDB Local. Whatever arrives, the answer is a 4xx that says what is
 * wrong, never a 5xx, and nothing is written.
 */
describe('the order API under malformed requests', () => {
  let stack: LocalStack;
  let client: RawHttpClient;

  beforeAll(async () => {
    stack = await startLocalStack({ basePort: BASE_PORT });
    client = new RawHttpClient(new URL(stack.apiUrl), CONCURRENCY);
  }, 180_000);

  afterAll(async () => {
    client?.close();
    await stack?.stop();
  });

  it('answers at least 10,000 malformed requests with a 4xx that names what is wrong, and writes nothing', async () => {
    // Prepare
    const before = await countEveryTable(stack.ddb, stack.resources.tableNames);
    const seed = Date.now();
    const statuses = new Map<number, number>();
    const startedAt = performance.now();

    // Act: one fast-check run per lane, all lanes at once. Each lane has its own seed and shrinks
    // its own counterexample, so a failure is reported as the one request that broke the rule.
    const lanes = await Promise.allSettled(
      Array.from({ length: CONCURRENCY }, (_, lane) =>
        fc.assert(
          fc.asyncProperty(malformedOrderRequest, async (malformed) => {
            const answer = await client.send(malformed.request);
            statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
            expect({ flaw: malformed.flaw, problems: answerProblems(malformed, answer) }).toEqual({ flaw: malformed.flaw, problems: [] });
          }),
          { numRuns: RUNS_PER_LANE, seed: seed + lane },
        ),
      ),
    );
    const seconds = (performance.now() - startedAt) / 1000;
    const after = await countEveryTable(stack.ddb, stack.resources.tableNames);

    // Assess
    process.stdout.write(
      `malformed requests: ${client.answered} answered in ${seconds.toFixed(1)} s ` +
        `(${Math.round(client.answered / seconds)}/s, ${CONCURRENCY} in flight, seeds ${seed}..${seed + CONCURRENCY - 1}); ` +
        `statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([left], [right]) => left - right)))}\n`,
    );
    const failures = lanes.flatMap((lane) => (lane.status === 'rejected' ? [String(lane.reason)] : []));
    expect(failures).toEqual([]);
    expect(client.answered).toBeGreaterThanOrEqual(MIN_REQUESTS);
    expect(after).toEqual(before);
  }, 300_000);

  it('accepts the valid orders the malformed requests are made from, and the table counts see them', async () => {
    // Prepare: the control for the test above, which relies on both.
    const orders = fc.sample(validOrder, 5);
    const before = await countEveryTable(stack.ddb, stack.resources.tableNames);

    // Act
    const answers = await Promise.all(orders.map((order) => client.send(validOrderRequest(order))));
    const after = await countEveryTable(stack.ddb, stack.resources.tableNames);

    // Assess
    expect(answers.map((answer) => answer.status)).toEqual(orders.map(() => 202));
    expect(after.orders - before.orders).toBe(orders.length);
    expect(after.outbox - before.outbox).toBe(orders.length);
  });
});
