/**
 * A deployed stack, from the outputs `cdk deploy --outputs-file outputs.json` writes:
 * `{ "<stack name>": { "ApiUrl": "…", "PaymentQueueUrl": "…", … } }`. The output keys are the ones
 * `OrderPipelineStack.addOutputs` declares. Reading them from CloudFormation itself would need
 * `@aws-sdk/client-cloudformation`, which this project does not depend on; the outputs file needs
 * nothing and is what a deploy pipeline already has.
 */
import { readFile } from 'node:fs/promises';
import * as z from 'zod';
import { mapTableRoles } from '../infra/function-environment';
import { QUEUE_CONSUMERS, TABLES } from '../src/common/settings';
import { TargetUnavailableError, UsageError } from './ops-errors';
import type { OpsTarget, QueueRef } from './ops-target';

/** The stack id in infra/app.ts: the default for `--stack`. */
export const DEFAULT_STACK_NAME = 'OrderPipelineStack';

const outputsFileSchema = z.record(z.string(), z.record(z.string(), z.string()));

export interface StackTargetOptions {
  readonly stackName: string;
  /** Path of the `--outputs-file` of `cdk deploy`. */
  readonly outputsFile: string | undefined;
  readonly region: string | undefined;
  readonly env?: NodeJS.ProcessEnv;
}

export async function resolveStackTarget(options: StackTargetOptions): Promise<OpsTarget> {
  if (options.outputsFile === undefined) {
    throw new UsageError(
      `--stack needs the stack's outputs: deploy with \`cdk deploy --outputs-file outputs.json\` and pass ` +
        '`--outputs outputs.json` (reading them from CloudFormation directly would need @aws-sdk/client-cloudformation, not installed)',
    );
  }
  let text: string;
  try {
    text = await readFile(options.outputsFile, 'utf8');
  } catch (error) {
    throw new TargetUnavailableError(`Cannot read the outputs file ${options.outputsFile}`, { cause: error });
  }
  const parsed = outputsFileSchema.safeParse(safeJson(text));
  if (!parsed.success) {
    throw new TargetUnavailableError(`${options.outputsFile} is not a \`cdk deploy --outputs-file\` file`);
  }
  const outputs = parsed.data[options.stackName];
  if (outputs === undefined) {
    throw new TargetUnavailableError(
      `${options.outputsFile} has no outputs for stack ${options.stackName} (it has: ${Object.keys(parsed.data).join(', ') || 'none'})`,
    );
  }
  return targetFromStackOutputs(options.stackName, outputs, { region: options.region, env: options.env ?? process.env });
}

/** Builds the target from one stack's outputs; fails listing every output it needs and lacks. */
export function targetFromStackOutputs(
  stackName: string,
  outputs: Readonly<Record<string, string>>,
  options: { readonly region: string | undefined; readonly env: NodeJS.ProcessEnv },
): OpsTarget {
  const missing: string[] = [];
  const output = (key: string): string => {
    const value = outputs[key];
    if (value === undefined || value === '') {
      missing.push(key);
      return '';
    }
    return value;
  };
  const consumers = QUEUE_CONSUMERS.map((consumer) => ({
    consumerId: consumer.id,
    queue: queueOfUrl(output(`${consumer.id}QueueUrl`)),
    deadLetterQueue: queueOfUrl(output(`${consumer.id}DeadLetterQueueUrl`)),
  }));
  const relayFailureQueue = queueOfUrl(output('RelayFailureQueueUrl'));
  const tableNames = mapTableRoles((role) => output(`${TABLES[role].id}TableName`));
  if (missing.length > 0) {
    throw new TargetUnavailableError(`Stack ${stackName}'s outputs lack ${missing.join(', ')}: deploy the current stack`);
  }
  const region =
    options.region ?? regionOfQueueUrl(relayFailureQueue.url) ?? options.env.AWS_REGION ?? options.env.AWS_DEFAULT_REGION;
  if (region === undefined || region === '') {
    throw new UsageError('Cannot tell the stack\'s region: pass --region');
  }
  return {
    kind: 'aws',
    description: `stack ${stackName} in ${region}`,
    region,
    apiUrl: outputs.ApiUrl,
    tableNames,
    consumers,
    relayFailureQueue,
  };
}

/** `https://sqs.eu-west-1.amazonaws.com/123456789012/name` → `{ name, url }`. */
function queueOfUrl(url: string): QueueRef {
  return { name: url.split('/').filter(Boolean).pop() ?? url, url };
}

/** The region in an SQS queue URL, in its current (`sqs.<region>.`) or legacy (`<region>.queue.`) form. */
export function regionOfQueueUrl(url: string): string | undefined {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return undefined;
  }
  return /^sqs\.([a-z0-9-]+)\.amazonaws\.com/.exec(host)?.[1] ?? /^([a-z0-9-]+)\.queue\.amazonaws\.com/.exec(host)?.[1];
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
