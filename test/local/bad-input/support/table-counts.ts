import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableRole } from '../../../../src/common/settings';

export type TableCounts = Record<TableRole, number>;

/** Items in one table, by a strongly consistent COUNT scan over every page. */
export async function countItems(ddb: DynamoDBDocumentClient, tableName: string): Promise<number> {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await ddb.send(
      new ScanCommand({ TableName: tableName, Select: 'COUNT', ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    count += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return count;
}

/** Items in every table of the stack, by role. */
export async function countEveryTable(
  ddb: DynamoDBDocumentClient,
  tableNames: Readonly<Record<TableRole, string>>,
): Promise<TableCounts> {
  const entries = await Promise.all(
    Object.entries(tableNames).map(async ([role, name]) => [role, await countItems(ddb, name)] as const),
  );
  return Object.fromEntries(entries) as TableCounts;
}
