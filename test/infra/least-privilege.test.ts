import type { IConstruct } from 'constructs';
import { tableBindings, TABLE_ROLES, type TableAccess } from '../../infra/function-environment';
import {
  ORDER_API_FUNCTION,
  OUTBOX_RELAY,
  OUTBOX_SWEEPER,
  PAYMENT_CONSUMER,
  type FunctionSettings,
  type TableRole,
} from '../../src/common/settings';
import {
  ALL_FUNCTIONS,
  functionOf,
  logicalIdOf,
  ref,
  resourceOf,
  synthesizePipeline,
  type SynthesizedPipeline,
} from './synthesize-pipeline';

interface PolicyStatement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

interface PolicyResource {
  readonly Properties: { PolicyDocument: { Statement: PolicyStatement[] }; Roles: unknown[] };
}

let pipeline: SynthesizedPipeline;

beforeAll(() => {
  pipeline = synthesizePipeline();
});

/** Every statement of the identity policies attached to a function's role. */
function statementsOf(settings: FunctionSettings): PolicyStatement[] {
  const roleRef = ref(functionOf(pipeline.stack, settings).role);
  const policies = pipeline.template.findResources('AWS::IAM::Policy') as Record<string, PolicyResource>;
  return Object.values(policies)
    .filter((policy) => policy.Properties.Roles.some((role) => JSON.stringify(role) === JSON.stringify(roleRef)))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

const actionsOf = (statement: PolicyStatement): string[] =>
  typeof statement.Action === 'string' ? [statement.Action] : statement.Action;

const resourcesOf = (statement: PolicyStatement): unknown[] =>
  Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];

const mentions = (statement: PolicyStatement, construct: IConstruct): boolean =>
  JSON.stringify(statement.Resource).includes(`"${logicalIdOf(construct)}"`);

/** Actions allowed on a table's ARN itself (not its stream). */
function tableActionsOf(settings: FunctionSettings, role: TableRole): string[] {
  const tableArn = JSON.stringify({ 'Fn::GetAtt': [logicalIdOf(pipeline.stack.tables.tables[role]), 'Arn'] });
  return statementsOf(settings)
    .filter((statement) => resourcesOf(statement).some((resource) => JSON.stringify(resource) === tableArn))
    .flatMap(actionsOf);
}

const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:BatchGetItem'];
const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
const ACCESS: Record<TableAccess, { allowed: string[]; denied: string[] }> = {
  read: { allowed: READ_ACTIONS, denied: WRITE_ACTIONS },
  write: { allowed: WRITE_ACTIONS, denied: READ_ACTIONS },
  readWrite: { allowed: [...READ_ACTIONS, ...WRITE_ACTIONS], denied: [] },
};

const bindingRows = ALL_FUNCTIONS.flatMap((settings) =>
  tableBindings(settings).map(([role, access]) => ({ id: settings.id, settings, role, access })),
);

describe('least privilege', () => {
  it.each(ALL_FUNCTIONS)('lets $id reach exactly the tables its settings bind', (settings) => {
    // Prepare
    const statements = statementsOf(settings);

    // Act
    const reachable = TABLE_ROLES.filter((role) =>
      statements.some((statement) => mentions(statement, pipeline.stack.tables.tables[role])),
    );

    // Assess
    expect(reachable.sort()).toEqual(tableBindings(settings).map(([role]) => role).sort());
  });

  it.each(bindingRows)('grants $id $access access, and no more, on the $role table', ({ settings, role, access }) => {
    // Act
    const actions = tableActionsOf(settings, role);

    // Assess
    expect(actions).toEqual(expect.arrayContaining(ACCESS[access].allowed));
    for (const denied of ACCESS[access].denied) {
      expect(actions).not.toContain(denied);
    }
  });

  it.each(ALL_FUNCTIONS)('lets $id publish to the events topic only if its settings say it publishes', (settings) => {
    // Prepare
    const statements = statementsOf(settings);

    // Act
    const publishes = statements.some(
      (statement) => actionsOf(statement).includes('sns:Publish') && mentions(statement, pipeline.stack.events.topic),
    );
    const usesTopicKey = statements.some((statement) => mentions(statement, pipeline.stack.events.key));

    // Assess
    expect(publishes).toBe(settings.publishesEvents);
    expect(usesTopicKey).toBe(settings.publishesEvents);
  });

  it('does not let the payment function touch the orders table', () => {
    // Act
    const actions = tableActionsOf(PAYMENT_CONSUMER, 'orders');

    // Assess
    expect(actions).toEqual([]);
  });

  it('does not let the order API publish events', () => {
    // Act
    const publishActions = statementsOf(ORDER_API_FUNCTION)
      .flatMap(actionsOf)
      .filter((action) => action.startsWith('sns:'));

    // Assess
    expect(publishActions).toEqual([]);
  });

  it('lets the order API only write the outbox: reading it is the relay’s job', () => {
    // Act
    const actions = tableActionsOf(ORDER_API_FUNCTION, 'outbox');

    // Assess
    expect(actions).toContain('dynamodb:PutItem');
    expect(actions).not.toContain('dynamodb:GetItem');
    expect(actions).not.toContain('dynamodb:Query');
  });

  it('lets the sweeper Query the outbox table’s indexes, where the pending index is', () => {
    // Prepare
    const outbox = pipeline.stack.tables.tables.outbox;
    const indexes = JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalIdOf(outbox), 'Arn'] }, '/index/*']] });

    // Act
    const actions = statementsOf(OUTBOX_SWEEPER)
      .filter((statement) => resourcesOf(statement).some((resource) => JSON.stringify(resource) === indexes))
      .flatMap(actionsOf);

    // Assess
    expect(actions).toContain('dynamodb:Query');
    expect(actions).toContain('dynamodb:UpdateItem');
  });

  it.each(ALL_FUNCTIONS)('uses "*" for $id only where the action has no resource-level permissions', (settings) => {
    // Prepare
    const unscoped = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];
    if (settings.id === OUTBOX_RELAY.id) unscoped.push('dynamodb:ListStreams');

    // Act
    const onEverything = statementsOf(settings)
      .filter((statement) => resourcesOf(statement).includes('*'))
      .flatMap(actionsOf);

    // Assess
    expect(onEverything.sort()).toEqual(unscoped.sort());
  });

  it.each(ALL_FUNCTIONS)('gives $id a role without managed policies, writing only its own log group', (settings) => {
    // Prepare
    const { role, logGroup } = functionOf(pipeline.stack, settings);

    // Act
    const roleResource = resourceOf(pipeline.template, role);
    const logStatements = statementsOf(settings).filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('logs:')),
    );

    // Assess
    expect(roleResource.Properties).not.toHaveProperty('ManagedPolicyArns');
    expect(logStatements).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [logicalIdOf(logGroup), 'Arn'] },
      },
    ]);
  });
});
