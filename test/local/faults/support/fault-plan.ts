/**
 * The test's side of kill-after.cjs: a plan file every execution environment reads on each AWS
 * request, and the journal the preloaded module writes back (each matching request, each kill).
 * The runtime is started once with `functionEnvironment()`; tests then arm and disarm rules
 * without restarting anything.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NODE_OPTIONS } from '../../../../infra/function-environment';
import { ORDER_API_FUNCTION, OUTBOX_RELAY, QUEUE_CONSUMERS } from '../../../../src/common/settings';

const PRELOAD = path.join(__dirname, 'kill-after.cjs');

export interface FaultRule {
  /** Names the rule's journal directory: unique per plan. */
  readonly id: string;
  /** The function (settings `id`, `AWS_LAMBDA_FUNCTION_NAME`) whose environments the rule watches. */
  readonly functionName: string;
  /** The AWS operation, e.g. `TransactWriteItems`, `PutItem`, `UpdateItem`, `PublishBatch`. */
  readonly operation: string;
  /** Only requests whose body contains this (a table name, say). */
  readonly bodyIncludes?: string;
  /** `before-request`: the request never leaves. `after-response`: a 2xx answer arrived, nobody acts on it. */
  readonly when: 'before-request' | 'after-response';
  /** Let this many matching requests through before a kill may fire (0: the first one can). */
  readonly skip?: number;
  /** Kill at most this many times, across every environment of the function (default 1). */
  readonly times?: number;
  /** Kill only while another matching request of the same environment is still in flight. */
  readonly whileSiblingInFlight?: boolean;
}

export interface JournalledRequest {
  readonly ordinal: number;
  readonly pid: number;
  readonly functionName: string;
  readonly operation: string;
  readonly body: string;
  readonly at: string;
}

export interface RecordedKill {
  readonly ordinal: number;
  readonly pid: number;
  readonly functionName: string;
  readonly when: FaultRule['when'];
  /** Which matching request (1-based) the kill came at. */
  readonly requestOrdinal: number;
  readonly at: string;
}

export class FaultPlan {
  /** The plan every execution environment reads (`FAULT_PLAN_FILE`). */
  readonly planFile: string;
  private readonly stateDir: string;

  private constructor(private readonly root: string) {
    this.planFile = path.join(root, 'plan.json');
    this.stateDir = path.join(root, 'journal');
    mkdirSync(this.stateDir, { recursive: true });
    this.arm();
  }

  static create(): FaultPlan {
    return new FaultPlan(mkdtempSync(path.join(os.tmpdir(), 'fault-plan-')));
  }

  /** `LOCAL_FUNCTION_ENV` for the runtime: every function preloads kill-after.cjs and reads this plan. */
  functionEnvironment(): string {
    const functionIds = [ORDER_API_FUNCTION.id, OUTBOX_RELAY.id, ...QUEUE_CONSUMERS.map((consumer) => consumer.id)];
    // Added to the options every function has (source maps), not instead of them.
    const variables = { NODE_OPTIONS: `${NODE_OPTIONS} --require ${PRELOAD}`, FAULT_PLAN_FILE: this.planFile };
    return JSON.stringify(Object.fromEntries(functionIds.map((id) => [id, variables])));
  }

  /** Replaces the active rules (none: every request passes untouched). */
  arm(...rules: readonly FaultRule[]): void {
    const ids = new Set(rules.map((rule) => rule.id));
    if (ids.size !== rules.length) throw new Error('Fault rule ids must be unique');
    // Written whole and renamed, so an environment never reads half a plan.
    const temporary = `${this.planFile}.tmp`;
    writeFileSync(temporary, JSON.stringify({ stateDir: this.stateDir, rules }));
    renameSync(temporary, this.planFile);
  }

  disarm(): void {
    this.arm();
  }

  /** The requests that matched a rule, in the order they were claimed. */
  requests(ruleId: string): JournalledRequest[] {
    return this.journal<JournalledRequest>(ruleId, 'request');
  }

  kills(ruleId: string): RecordedKill[] {
    return this.journal<RecordedKill>(ruleId, 'kill');
  }

  /** The requests a rule's kills came at (a `before-request` kill's request never left). */
  killedRequests(ruleId: string): JournalledRequest[] {
    const requests = this.requests(ruleId);
    return this.kills(ruleId).map((kill) => {
      const request = requests.find((candidate) => candidate.ordinal === kill.requestOrdinal);
      if (request === undefined) throw new Error(`Kill ${kill.ordinal} of ${ruleId} names request ${kill.requestOrdinal}, which is not journalled`);
      return request;
    });
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  private journal<T extends { ordinal: number }>(ruleId: string, prefix: string): T[] {
    const dir = path.join(this.stateDir, ruleId);
    let files: string[];
    try {
      files = readdirSync(dir);
    } catch {
      return [];
    }
    return files
      .filter((file) => file.startsWith(`${prefix}-`) && file.endsWith('.json'))
      .map((file) => JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as T)
      .sort((left, right) => left.ordinal - right.ordinal);
  }
}

/** The event ids in an SNS `PublishBatch` request (query protocol, one JSON `Message` per entry). */
export function eventIdsOfPublishBatch(body: string): string[] {
  const form = new URLSearchParams(body);
  const ids: string[] = [];
  for (const [name, value] of form) {
    if (!/^PublishBatchRequestEntries\.member\.\d+\.Message$/.test(name)) continue;
    const message = JSON.parse(value) as { eventId?: unknown };
    if (typeof message.eventId === 'string') ids.push(message.eventId);
  }
  return ids;
}
