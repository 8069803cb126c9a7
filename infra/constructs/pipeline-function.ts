import * as path from 'node:path';
import { CfnElement, Duration, Stack, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { TABLES, type FunctionSettings, type TableRole } from '../../src/common/settings';
import { UNUSED_CREDENTIAL_PROVIDERS } from '../bundling-externals';
import { functionEnvironment, mapTableRoles, tableBindings, type TableAccess } from '../function-environment';

/** Settings name entries relative to the repository root. */
export const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..');

/** How long function and API logs are kept. */
export const LOG_RETENTION = logs.RetentionDays.ONE_MONTH;

/** What a function can be bound to; which of it a function gets is its settings' decision. */
export interface PipelineResources {
  readonly tables: Readonly<Record<TableRole, dynamodb.ITable>>;
  readonly eventsTopic: sns.ITopic;
}

export interface PipelineFunctionProps {
  readonly settings: FunctionSettings;
  readonly resources: PipelineResources;
  /** Applied to the log group. */
  readonly removalPolicy: RemovalPolicy;
}

const GRANTS: Record<TableAccess, (table: dynamodb.ITable, grantee: iam.IGrantable) => iam.Grant> = {
  read: (table, grantee) => table.grantReadData(grantee),
  write: (table, grantee) => table.grantWriteData(grantee),
  readWrite: (table, grantee) => table.grantReadWriteData(grantee),
};

/**
 * Every Lambda function of the pipeline: the defaults they share (runtime, architecture, tracing,
 * source maps, log retention) and the bindings their settings ask for. A function is granted
 * exactly the tables in `settings.tables`, at the access level listed there, and receives the
 * matching environment variables from the same place; nothing else.
 */
export class PipelineFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    const { settings, resources, removalPolicy } = props;

    this.logGroup = new logs.LogGroup(this, 'LogGroup', { retention: LOG_RETENTION, removalPolicy });

    // An explicit role instead of AWSLambdaBasicExecutionRole, whose logs:* actions apply to every
    // log group of the account: this one may only write to its own group.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${settings.id} (${settings.serviceName})`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      description: `${settings.id}: ${settings.entry}`,
      entry: path.join(REPOSITORY_ROOT, settings.entry),
      handler: 'handler',
      projectRoot: REPOSITORY_ROOT,
      depsLockFilePath: path.join(REPOSITORY_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: Duration.seconds(settings.timeoutSeconds),
      memorySize: settings.memorySizeMb,
      tracing: lambda.Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      environment: functionEnvironment(settings, {
        tableNames: mapTableRoles((role) => resources.tables[role].tableName),
        topicArn: resources.eventsTopic.topicArn,
      }),
      bundling: {
        // Local esbuild (a devDependency); Docker is never needed.
        forceDockerBundling: false,
        format: OutputFormat.CJS,
        target: 'node24',
        minify: true,
        // Error classes name themselves (`this.name = new.target.name`) and the API answers that
        // name: minified identifiers would turn `ValidationError` into `yr`.
        keepNames: true,
        sourceMap: true,
        // Stack traces need the mappings, not a second copy of the sources.
        sourcesContent: false,
        // Ship the SDK version the tests ran against instead of whatever the runtime provides;
        // `module` first lets esbuild tree-shake the SDK's ES builds.
        bundleAwsSDK: true,
        mainFields: ['module', 'main'],
        // …except the credential providers Lambda never reaches (see bundling-externals.ts).
        externalModules: [...UNUSED_CREDENTIAL_PROVIDERS],
      },
    });

    for (const [role, access] of tableBindings(settings)) {
      GRANTS[access](resources.tables[role], this.function);
      if ('pendingIndex' in TABLES[role]) this.acknowledgeIndexGrant(resources.tables[role]);
    }
    if (settings.publishesEvents) {
      // sns:Publish on the topic, plus kms:GenerateDataKey*/Decrypt on its key (SSE topic).
      resources.eventsTopic.grantPublish(this.function);
    }

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level ' +
        'permissions (IAM service authorization reference). Every other statement names its resource.',
    });
    if (settings.publishesEvents) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason:
          'Publishing to an SSE-KMS topic needs kms:GenerateDataKey* and kms:Decrypt on its key (SNS key ' +
          'management docs); the statement is limited to the events topic key ARN.',
      });
    }
  }

  /**
   * On a table with a secondary index, CDK's table grants also name `<table ARN>/index/*`. The
   * wildcard spans the indexes of that one table only (the outbox has one, the pending index), and
   * the access level is the one the settings bind.
   */
  private acknowledgeIndexGrant(table: dynamodb.ITable): void {
    const element = table.node.defaultChild;
    if (element === undefined || !CfnElement.isCfnElement(element)) return;
    Validations.of(this.role).acknowledge({
      // cdk-nag names the resource after the table's logical id, as in `Fn::GetAtt`.
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(element).getLogicalId(element)}.Arn>/index/*]`,
      reason:
        'CDK grants table access on <table ARN>/index/* once the table has a global secondary index; the ' +
        'wildcard covers the indexes of this one table, at the access level its settings bind.',
    });
  }
}
