/**
 * The fault journal is read by the tests while execution environments are still writing it. Every
 * claimed entry must be whole when its name appears: CI once failed a kill-point test on a kill
 * record read between its exclusive creation and its first byte ("Unexpected end of JSON input").
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { FaultPlan, type JournalledRequest } from './support/fault-plan';

const WRITERS = 4;
const REQUESTS_PER_WRITER = 150;
const FUNCTION_NAME = 'JournalWriter';
const RULE_ID = 'every-put';

/** A process that preloads kill-after.cjs and sends `count` PutItem-shaped requests, one after another. */
function startWriter(plan: FaultPlan, port: number, count: number): ChildProcess {
  const script = `
    const http = require('node:http');
    const send = () => new Promise((resolve, reject) => {
      const req = http.request({ port: ${port}, method: 'POST', headers: { 'X-Amz-Target': 'DynamoDB_20120810.PutItem' } }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end('{}');
    });
    (async () => { for (let i = 0; i < ${count}; i += 1) await send(); })().catch((error) => { console.error(error); process.exit(1); });
  `;
  const preload = path.join(__dirname, 'support', 'kill-after.cjs');
  return spawn(process.execPath, ['--require', preload, '-e', script], {
    env: { ...process.env, FAULT_PLAN_FILE: plan.planFile, AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

describe('the fault journal', () => {
  const plan = FaultPlan.create();
  const server = http.createServer((_request, response) => response.end('{}'));
  const writers: ChildProcess[] = [];

  afterAll(async () => {
    for (const writer of writers) if (writer.exitCode === null && writer.pid !== undefined) process.kill(writer.pid, 'SIGKILL');
    server.close();
    plan.remove();
  });

  it('is never read half-written while several processes claim entries concurrently', async () => {
    // Prepare: a rule that journals every request and never kills (its skip is never reached).
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    plan.arm({ id: RULE_ID, functionName: FUNCTION_NAME, operation: 'PutItem', when: 'after-response', skip: Number.MAX_SAFE_INTEGER });

    // Act: read the journal as fast as the writers fill it, as the kill-point tests poll it.
    const exits: Promise<unknown>[] = [];
    for (let index = 0; index < WRITERS; index += 1) {
      const writer = startWriter(plan, port, REQUESTS_PER_WRITER);
      writers.push(writer);
      exits.push(once(writer, 'exit'));
    }
    let running = true;
    const allExited = Promise.all(exits).finally(() => {
      running = false;
    });
    let reads = 0;
    while (running) {
      plan.requests(RULE_ID); // throws on a half-written entry
      reads += 1;
      await new Promise((resolve) => setImmediate(resolve));
    }
    await allExited;

    // Assert
    expect(writers.map((writer) => writer.exitCode)).toEqual(Array.from({ length: WRITERS }, () => 0));
    expect(reads).toBeGreaterThan(0);
    const journal: JournalledRequest[] = plan.requests(RULE_ID);
    const total = WRITERS * REQUESTS_PER_WRITER;
    expect(journal.map((entry) => entry.ordinal)).toEqual(Array.from({ length: total }, (_, index) => index + 1));
    expect(new Set(journal.map((entry) => entry.pid)).size).toBe(WRITERS);
    expect(plan.kills(RULE_ID)).toEqual([]);
  }, 60_000);
});
