/* eslint-disable @typescript-eslint/no-require-imports -- a module preloaded with `node --require` is CommonJS */
'use strict';
/**
 * Crash injection from outside the code under test: SIGKILLs a local execution environment just
 * before one of its AWS requests leaves, or just after one's response has arrived in full.
 *
 * How it gets in: the runtime starts each execution environment with the function's environment,
 * and `LOCAL_FUNCTION_ENV` adds `NODE_OPTIONS=--require <this file>` and `FAULT_PLAN_FILE` to it
 * (see fault-plan.ts). Node loads this file before the function's bundle.
 *
 * Why the HTTP layer: the bundle inlines its own copy of the AWS SDK, so patching
 * `require('@aws-sdk/…')` here would patch a different copy. Node's core modules are shared with
 * the bundle, and the SDK's `NodeHttpHandler` looks `request` up on `node:http` when it sends its
 * first request (after this file has run), so wrapping `http.request` sees every SDK call. The
 * operation is read from the request as the service protocol puts it: `X-Amz-Target` for the JSON
 * protocols (DynamoDB `DynamoDB_20120810.PutItem`, SQS), `Action=` in the form body for the query
 * protocol (SNS `Action=PublishBatch`).
 *
 * Timings:
 * - `before-request`: the kill happens in `req.end()`, before the body is handed to the socket, so
 *   the service never sees the request (a transaction that never commits);
 * - `after-response`: the kill happens when a 2xx response has been read in full, before the SDK
 *   (let alone the function) can act on it (a committed write whose caller never learns of it).
 *
 * The plan file is read on every request, so a test re-arms faults without restarting the runtime.
 * Every matching request is journalled and every kill recorded in the rule's directory, claimed
 * by linking a finished file to the next free name: that is atomic across the many environments of a function,
 * so "the Nth request" and "at most N kills" hold across processes.
 *
 * Plan: `{ "stateDir": "...", "rules": [{ "id", "functionName", "operation", "bodyIncludes"?,
 * "when", "skip"?, "times"?, "whileSiblingInFlight"? }] }`; fault-plan.ts documents each field.
 */
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const planFile = process.env.FAULT_PLAN_FILE;
const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME;

/** Per rule id: the requests of this process that matched and whose response has not ended. */
const inFlightByRule = new Map();
/** Per rule id and file prefix: the next ordinal worth trying (others' claims only move it up). */
const nextOrdinal = new Map();

function readPlan() {
  try {
    return JSON.parse(fs.readFileSync(planFile, 'utf8'));
  } catch {
    return { rules: [] };
  }
}

function headerOf(headers, name) {
  if (headers === undefined || headers === null) return undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value.join(',') : String(value);
  }
  return undefined;
}

/** `PutItem` from `X-Amz-Target: DynamoDB_20120810.PutItem`, or `PublishBatch` from `Action=PublishBatch&…`. */
function operationOf(headers, body) {
  const target = headerOf(headers, 'x-amz-target');
  if (target !== undefined) return target.slice(target.lastIndexOf('.') + 1);
  const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body);
  return action === null ? undefined : action[1];
}

function bodyText(chunk) {
  if (chunk === undefined || chunk === null || typeof chunk === 'function') return '';
  if (typeof chunk === 'string') return chunk;
  return Buffer.from(chunk.buffer ?? chunk, chunk.byteOffset ?? 0, chunk.byteLength ?? chunk.length).toString('utf8');
}

/**
 * Creates `<dir>/<prefix>-<n>.json` for the lowest free n (up to `limit`) and returns n, or 0 if none is free.
 * The record is written to a file of this process's own first and then hard-linked into place:
 * `link` fails with EEXIST when the name is taken, like `wx`, but the name appears with its whole
 * content, so a test reading the journal never sees a claimed file that is still empty.
 */
function claim(dir, prefix, record, limit = Infinity) {
  fs.mkdirSync(dir, { recursive: true });
  const key = `${dir}/${prefix}`;
  for (let ordinal = nextOrdinal.get(key) ?? 1; ordinal <= limit; ordinal += 1) {
    const draft = path.join(dir, `.${prefix}-draft-${process.pid}`);
    fs.writeFileSync(draft, JSON.stringify({ ...record, ordinal }));
    try {
      fs.linkSync(draft, path.join(dir, `${prefix}-${ordinal}.json`));
      nextOrdinal.set(key, ordinal + 1);
      return ordinal;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    } finally {
      fs.rmSync(draft, { force: true });
    }
  }
  return 0;
}

function die() {
  // SIGKILL, as a machine dies: no handler, no flush, no `finally`. The kernel ends the process
  // before this call returns to JavaScript.
  process.kill(process.pid, 'SIGKILL');
}

/** Kills this process if the rule still has a kill to spend; records the kill first. */
function killIfDue(plan, rule, ordinal, inFlight) {
  if (ordinal <= (rule.skip ?? 0)) return;
  if (rule.whileSiblingInFlight === true && inFlight.size === 0) return;
  const dir = path.join(plan.stateDir, rule.id);
  const fired = claim(dir, 'kill', { pid: process.pid, functionName, when: rule.when, requestOrdinal: ordinal, at: new Date().toISOString() }, rule.times ?? 1);
  if (fired > 0) die();
}

function watch(req, headers) {
  const end = req.end;
  req.end = function endWithFaults(chunk, ...rest) {
    const body = bodyText(chunk);
    const operation = operationOf(headers, body);
    const plan = operation === undefined ? { rules: [] } : readPlan();
    for (const rule of plan.rules ?? []) {
      if (rule.functionName !== functionName || rule.operation !== operation) continue;
      if (rule.bodyIncludes !== undefined && !body.includes(rule.bodyIncludes)) continue;
      const ordinal = claim(path.join(plan.stateDir, rule.id), 'request', {
        pid: process.pid,
        functionName,
        operation,
        body,
        at: new Date().toISOString(),
      });
      const inFlight = inFlightByRule.get(rule.id) ?? new Set();
      inFlightByRule.set(rule.id, inFlight);
      if (rule.when === 'before-request') {
        killIfDue(plan, rule, ordinal, inFlight);
        inFlight.add(req);
        req.once('close', () => inFlight.delete(req));
      } else {
        inFlight.add(req);
        req.once('close', () => inFlight.delete(req));
        req.once('response', (response) => {
          response.once('end', () => {
            inFlight.delete(req);
            // "After X succeeded": an error answer (a lost condition, a throttle) changed nothing.
            if (response.statusCode !== undefined && response.statusCode < 300) killIfDue(plan, rule, ordinal, inFlight);
          });
        });
      }
    }
    return end.call(this, chunk, ...rest);
  };
}

if (planFile !== undefined && planFile !== '') {
  const request = http.request;
  http.request = function requestWithFaults(...args) {
    const req = request.apply(this, args);
    const options = typeof args[0] === 'object' && !(args[0] instanceof URL) ? args[0] : args[1];
    watch(req, typeof options === 'object' && options !== null ? options.headers : undefined);
    return req;
  };
}
