import type { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLES, type TableRole } from '../../src/common/settings';
import { mapTableRoles } from '../function-environment';

export interface PipelineTablesProps {
  readonly removalPolicy: RemovalPolicy;
  /** Refuses `DeleteTable` while set, including from CloudFormation. */
  readonly deletionProtection: boolean;
}

/**
 * One table per role in `TABLES`, all simple key-value tables on a string partition key. Names are
 * left to CloudFormation so several stacks can share an account; functions learn them through
 * their environment.
 */
export class PipelineTables extends Construct {
  readonly tables: Readonly<Record<TableRole, dynamodb.Table>>;

  constructor(scope: Construct, id: string, props: PipelineTablesProps) {
    super(scope, id);
    this.tables = mapTableRoles((role) => {
      const settings: (typeof TABLES)[TableRole] = TABLES[role];
      const table = new dynamodb.Table(this, settings.id, {
        partitionKey: { name: settings.partitionKey, type: dynamodb.AttributeType.STRING },
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        // AWS managed key: encrypted at rest as always, and every key use is visible in CloudTrail.
        encryption: dynamodb.TableEncryption.AWS_MANAGED,
        removalPolicy: props.removalPolicy,
        deletionProtection: props.deletionProtection,
        ...('ttlAttribute' in settings ? { timeToLiveAttribute: settings.ttlAttribute } : {}),
        // The relay reads new outbox items from the stream; the new image is all it needs.
        ...(role === 'outbox' ? { stream: dynamodb.StreamViewType.NEW_IMAGE } : {}),
      });
      if ('pendingIndex' in settings) {
        const index = settings.pendingIndex;
        // Sparse: only items that still have the bucket attribute (PENDING ones) are in it. ALL,
        // because the sweeper publishes what it reads; only pending items pay for the copy.
        table.addGlobalSecondaryIndex({
          indexName: index.name,
          partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
          sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
          projectionType: dynamodb.ProjectionType.ALL,
        });
      }
      return table;
    });
  }
}
