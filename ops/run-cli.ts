/**
 * `npm run ops -- <command>`: the operator's questions, answered in seconds.
 *
 *   status                       every queue, DLQ, the outbox backlog and the relay's lag
 *   order <orderId>              everything that happened to one order, in time order
 *   dlq list                     each DLQ and its depth
 *   dlq show <queue> [--limit n] the messages of a DLQ (peeked, not consumed)
 *   dlq redrive <queue> [--max n] [--manual]
 *                                back to the source queue (SQS's move task, else receive → send → delete)
 *   dlq purge <queue> [--yes]    delete every message (asks first)
 *
 * Targets: `--local` (default: the local stack, ports from PORT / DYNAMODB_PORT / SNS_SQS_PORT) or
 * `--stack <name> --outputs <file> [--region r]` (a deployed stack, from `cdk deploy --outputs-file`).
 */
import { parseArgs } from 'node:util';
import type { CliIo } from './cli-io';
import { collectStatus } from './collect-status';
import { printJson, printLines, type CommandContext } from './command-context';
import { assertCanConfirm, listDeadLetterQueues, purgeDeadLetterQueue, redriveDeadLetterQueue, showDeadLetters } from './dlq-commands';
import { formatOrderTimeline } from './format-order-timeline';
import { formatStatus } from './format-status';
import { resolveLocalTarget } from './local-target';
import { collectOrderFacts } from './order-facts';
import { buildOrderTimeline } from './order-timeline';
import { createOpsClients, type OpsClients } from './ops-clients';
import { OpsError, UsageError } from './ops-errors';
import type { OpsTarget } from './ops-target';
import { DEFAULT_STACK_NAME, resolveStackTarget } from './stack-outputs-target';
import { terminalStyle } from './terminal-style';

export const USAGE = `Usage: npm run ops -- <command> [options]

Commands:
  status [--json]                         queues, DLQs, outbox backlog, relay lag
  order <orderId> [--json]                timeline of one order
  dlq list [--json]                       each DLQ and its depth
  dlq show <queue> [--limit n] [--json]   peek at a DLQ's messages (default 10)
  dlq redrive <queue> [--max n] [--manual] [--json]
                                          move messages back to the source queue
  dlq purge <queue> [--yes]               delete every message of a DLQ (asks unless --yes)

  <queue> is a consumer (payment, inventory, notification, order-status), a queue name, or
  relay-failures (the outbox relay's on-failure queue: show and purge only).

Targets:
  --local                                 the local stack (default; PORT, DYNAMODB_PORT, SNS_SQS_PORT, LOCAL_DATA_DIR)
  --stack <name> --outputs <file> [--region r]
                                          a deployed stack, from \`cdk deploy --outputs-file <file>\`
                                          (default stack name ${DEFAULT_STACK_NAME})
`;

export interface CliDependencies {
  readonly resolveTarget: (options: TargetOptions, env: NodeJS.ProcessEnv) => Promise<OpsTarget>;
  readonly createClients: (target: OpsTarget) => OpsClients;
}

export interface TargetOptions {
  readonly local: boolean;
  readonly stack: string | undefined;
  readonly outputs: string | undefined;
  readonly region: string | undefined;
}

const defaultDependencies: CliDependencies = {
  resolveTarget: (options, env) =>
    options.stack === undefined && options.outputs === undefined
      ? resolveLocalTarget(env)
      : resolveStackTarget({ stackName: options.stack ?? DEFAULT_STACK_NAME, outputsFile: options.outputs, region: options.region, env }),
  createClients: createOpsClients,
};

/** Runs one command; returns the exit code. Errors are printed here, in one place. */
export async function runCli(argv: readonly string[], io: CliIo, dependencies: CliDependencies = defaultDependencies): Promise<number> {
  const style = terminalStyle({ isTTY: io.stdout.isTTY === true, env: io.env });
  try {
    const { values, positionals } = parseCommandLine(argv);
    if (values.help === true || positionals.length === 0) {
      io.stdout.write(USAGE);
      return positionals.length === 0 && values.help !== true ? 2 : 0;
    }
    const command = validateCommand(positionals);
    if (values.local === true && values.stack !== undefined) throw new UsageError('--local and --stack exclude each other');
    // Before anything is read: a purge nobody can confirm is refused outright.
    if (command.name === 'dlq purge' && values.yes !== true) assertCanConfirm(io.interactive, command.queue);

    const target = await dependencies.resolveTarget(
      { local: values.local === true, stack: values.stack, outputs: values.outputs, region: values.region },
      io.env,
    );
    const clients = dependencies.createClients(target);
    const context: CommandContext = { io, target, clients, style, json: values.json === true };
    try {
      switch (command.name) {
        case 'status': {
          const report = await collectStatus(target, clients, io.now);
          if (context.json) printJson(io, report);
          else printLines(io, formatStatus(report, style));
          return report.outbox.ok && report.relay.ok ? 0 : 1;
        }
        case 'order': {
          const timeline = buildOrderTimeline(await collectOrderFacts(target, clients, command.orderId), io.now());
          if (context.json) printJson(io, timeline);
          else printLines(io, formatOrderTimeline(timeline, style));
          return timeline.found ? 0 : 1;
        }
        case 'dlq list':
          return await listDeadLetterQueues(context);
        case 'dlq show':
          return await showDeadLetters(context, command.queue, positiveInteger(values.limit, '--limit') ?? 10);
        case 'dlq redrive':
          return await redriveDeadLetterQueue(context, command.queue, {
            max: positiveInteger(values.max, '--max'),
            manual: values.manual === true,
          });
        case 'dlq purge':
          return await purgeDeadLetterQueue(context, command.queue, values.yes === true);
      }
    } finally {
      clients.destroy();
    }
  } catch (error) {
    if (error instanceof OpsError) {
      io.stderr.write(`${style.red(`${error.name}:`)} ${error.message}\n`);
      if (error instanceof UsageError) io.stderr.write(`\n${USAGE}`);
      return error.exitCode;
    }
    io.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}

type Command =
  | { readonly name: 'status' }
  | { readonly name: 'order'; readonly orderId: string }
  | { readonly name: 'dlq list' }
  | { readonly name: 'dlq show' | 'dlq redrive' | 'dlq purge'; readonly queue: string };

function parseCommandLine(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        local: { type: 'boolean' },
        stack: { type: 'string' },
        outputs: { type: 'string' },
        region: { type: 'string' },
        json: { type: 'boolean' },
        limit: { type: 'string' },
        max: { type: 'string' },
        manual: { type: 'boolean' },
        yes: { type: 'boolean', short: 'y' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function validateCommand(positionals: readonly string[]): Command {
  const [name, first, second, ...rest] = positionals;
  const expectArguments = (count: number, usage: string): void => {
    if (positionals.length !== count) throw new UsageError(`usage: ${usage}`);
  };
  switch (name) {
    case 'status':
      expectArguments(1, 'status [--json]');
      return { name: 'status' };
    case 'order':
      expectArguments(2, 'order <orderId> [--json]');
      return { name: 'order', orderId: first ?? '' };
    case 'dlq':
      switch (first) {
        case 'list':
          expectArguments(2, 'dlq list [--json]');
          return { name: 'dlq list' };
        case 'show':
        case 'redrive':
        case 'purge':
          if (second === undefined || rest.length > 0) throw new UsageError(`usage: dlq ${first} <queue>`);
          return { name: `dlq ${first}`, queue: second };
        default:
          throw new UsageError(`unknown dlq command "${first ?? ''}" (list, show, redrive, purge)`);
      }
    default:
      throw new UsageError(`unknown command "${name ?? ''}"`);
  }
}

function positiveInteger(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new UsageError(`${option} must be a positive integer, got "${value}"`);
  return number;
}
