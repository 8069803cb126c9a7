import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { OrderPipelineStack } from '../../infra/order-pipeline-stack';
import { readPipelineContext } from '../../infra/pipeline-context';
import {
  ORDER_API_FUNCTION,
  OUTBOX_RELAY,
  OUTBOX_SWEEPER,
  QUEUE_CONSUMERS,
  type FunctionSettings,
} from '../../src/common/settings';

/** Every function of the pipeline, as `it.each` rows. */
export const ALL_FUNCTIONS: readonly FunctionSettings[] = [ORDER_API_FUNCTION, OUTBOX_RELAY, OUTBOX_SWEEPER, ...QUEUE_CONSUMERS];

/** The feature flags `cdk synth` runs with, so the tests assert the template that deploys. */
function cdkJsonContext(): Record<string, unknown> {
  const cdkJson: unknown = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'cdk.json'), 'utf8'));
  if (typeof cdkJson !== 'object' || cdkJson === null || !('context' in cdkJson)) return {};
  const context = cdkJson.context;
  return typeof context === 'object' && context !== null ? { ...context } : {};
}

export interface SynthesizedPipeline {
  readonly app: App;
  readonly stack: OrderPipelineStack;
  readonly template: Template;
}

/** Builds the stack the way `infra/app.ts` does, without bundling the handlers. */
export function synthesizePipeline(context: Record<string, unknown> = {}): SynthesizedPipeline {
  const app = new App({ context: { ...cdkJsonContext(), ...context, 'aws:cdk:bundling-stacks': [] } });
  const stack = new OrderPipelineStack(app, 'OrderPipelineStack', readPipelineContext(app));
  return { app, stack, template: Template.fromStack(stack) };
}

export function logicalIdOf(construct: IConstruct): string {
  const element = CfnElement.isCfnElement(construct) ? construct : construct.node.defaultChild;
  if (element === undefined || !CfnElement.isCfnElement(element)) {
    throw new Error(`${construct.node.path} has no CloudFormation resource`);
  }
  return Stack.of(element).getLogicalId(element);
}

export interface TemplateResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
  readonly DeletionPolicy?: string;
}

export function resourceOf(template: Template, construct: IConstruct): TemplateResource {
  const resources: Record<string, TemplateResource> = template.toJSON().Resources;
  const resource = resources[logicalIdOf(construct)];
  if (resource === undefined) throw new Error(`${construct.node.path} is not in the template`);
  return resource;
}

export const ref = (construct: IConstruct): { Ref: string } => ({ Ref: logicalIdOf(construct) });

export const arnOf = (construct: IConstruct): { 'Fn::GetAtt': [string, string] } => ({
  'Fn::GetAtt': [logicalIdOf(construct), 'Arn'],
});

/** Finds a function's wiring by its settings id. */
export function functionOf(stack: OrderPipelineStack, settings: Pick<FunctionSettings, 'id'>) {
  const fn = stack.functions.get(settings.id);
  if (fn === undefined) throw new Error(`No function ${settings.id} in the stack`);
  return fn;
}

/*
 * `Template` assertions under `assert*` names, which the lint's expect-expect rule counts as
 * assertions (they throw with a diff when the template does not match).
 */
export function assertHasResource(template: Template, type: string, properties: unknown): void {
  template.hasResourceProperties(type, properties);
}

export function assertResourceCount(template: Template, type: string, count: number, properties?: unknown): void {
  if (properties === undefined) template.resourceCountIs(type, count);
  else template.resourcePropertiesCountIs(type, properties, count);
}

export function assertHasOutput(template: Template, logicalId: string, properties: unknown): void {
  template.hasOutput(logicalId, properties);
}
