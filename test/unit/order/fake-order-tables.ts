import { ConditionalCheckFailedException, TransactionCanceledException, type CancellationReason } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type NativeAttributeValue,
} from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AwsClientStub } from 'aws-sdk-client-mock';

type Item = Record<string, NativeAttributeValue>;
type CommandKind = 'Get' | 'TransactWrite' | 'Update';

interface ExpressionContext {
  readonly ExpressionAttributeNames?: Record<string, string>;
  readonly ExpressionAttributeValues?: Record<string, NativeAttributeValue>;
}

/**
 * The order service's tables in memory, behind a mocked DocumentClient: GetCommand,
 * TransactWriteCommand of Puts, and UpdateCommand, with the conditions and return values the
 * service relies on (all-or-nothing transactions, `CancellationReasons` with `ALL_OLD` items,
 * `ALL_NEW` images, `ALL_OLD` on a failed condition). It evaluates only the small expression
 * grammar the adapters use, and throws on anything else so a test cannot pass by accident.
 */
export class FakeOrderTables {
  private readonly tables = new Map<string, Map<string, Item>>();
  private readonly interceptors: { readonly command: CommandKind; readonly interceptor: (input: object) => void }[] = [];

  constructor(
    documentClient: AwsClientStub<DynamoDBDocumentClient>,
    private readonly partitionKeys: Readonly<Record<string, string>>,
  ) {
    documentClient.on(GetCommand).callsFake((input: GetCommand['input']) => this.get(input));
    documentClient.on(TransactWriteCommand).callsFake((input: TransactWriteCommand['input']) => this.transactWrite(input));
    documentClient.on(UpdateCommand).callsFake((input: UpdateCommand['input']) => this.update(input));
  }

  /** Stores an item as if written earlier. */
  seed(tableName: string, item: Item): void {
    this.table(tableName).set(this.keyOf(tableName, item), structuredClone(item));
  }

  item(tableName: string, key: string): Item | undefined {
    return this.table(tableName).get(key);
  }

  items(tableName: string): Item[] {
    return [...this.table(tableName).values()];
  }

  /**
   * Runs `interceptor` once, before the next command of the kind that no earlier interceptor
   * claimed: it may change the tables (a concurrent writer landing first) or throw (a failure).
   * Queued interceptors of one kind apply to successive commands of that kind.
   */
  beforeNext(command: CommandKind, interceptor: (input: object) => void): void {
    this.interceptors.push({ command, interceptor });
  }

  private intercept(command: CommandKind, input: object): void {
    const index = this.interceptors.findIndex((queued) => queued.command === command);
    if (index === -1) return;
    const [queued] = this.interceptors.splice(index, 1);
    queued?.interceptor(input);
  }

  private get(input: GetCommand['input']): { Item?: Item } {
    this.intercept('Get', input);
    const tableName = required(input.TableName);
    const item = this.table(tableName).get(this.keyOf(tableName, input.Key ?? {}));
    return item === undefined ? {} : { Item: structuredClone(item) };
  }

  private transactWrite(input: TransactWriteCommand['input']): Record<string, never> {
    this.intercept('TransactWrite', input);
    const puts = (input.TransactItems ?? []).map((action) => {
      if (action.Put === undefined) throw new Error('FakeOrderTables only supports Put actions in transactions');
      return action.Put;
    });
    const reasons: CancellationReason[] = puts.map((put) => {
      const tableName = required(put.TableName);
      const existing = this.table(tableName).get(this.keyOf(tableName, required(put.Item)));
      if (put.ConditionExpression === undefined || evaluate(put.ConditionExpression, existing, put)) return { Code: 'None' };
      return {
        Code: 'ConditionalCheckFailed',
        Message: 'The conditional request failed',
        ...(put.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && existing !== undefined ? { Item: marshall(existing) } : {}),
      };
    });
    if (reasons.some((reason) => reason.Code !== 'None')) {
      throw new TransactionCanceledException({
        message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((reason) => reason.Code).join(', ')}]`,
        $metadata: {},
        CancellationReasons: reasons,
      });
    }
    for (const put of puts) this.seed(required(put.TableName), required(put.Item));
    return {};
  }

  private update(input: UpdateCommand['input']): { Attributes?: Item } {
    this.intercept('Update', input);
    const tableName = required(input.TableName);
    const key = this.keyOf(tableName, input.Key ?? {});
    const existing = this.table(tableName).get(key);
    if (input.ConditionExpression !== undefined && !evaluate(input.ConditionExpression, existing, input)) {
      throw new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: {},
        ...(input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && existing !== undefined ? { Item: marshall(existing) } : {}),
      });
    }
    const updated: Item = { ...structuredClone(existing ?? {}), ...structuredClone(input.Key ?? {}) };
    for (const [name, value] of assignments(required(input.UpdateExpression), input)) updated[name] = value;
    this.table(tableName).set(key, updated);
    return input.ReturnValues === 'ALL_NEW' ? { Attributes: structuredClone(updated) } : {};
  }

  private table(tableName: string): Map<string, Item> {
    let table = this.tables.get(tableName);
    if (table === undefined) {
      table = new Map();
      this.tables.set(tableName, table);
    }
    return table;
  }

  private keyOf(tableName: string, item: Item): string {
    const partitionKey = this.partitionKeys[tableName];
    if (partitionKey === undefined) throw new Error(`FakeOrderTables does not know table ${tableName}`);
    return String(item[partitionKey]);
  }
}

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('A required request field is missing');
  return value;
}

function nameOf(token: string, context: ExpressionContext): string {
  return token.startsWith('#') ? required(context.ExpressionAttributeNames?.[token]) : token;
}

function valueOf(token: string, context: ExpressionContext): NativeAttributeValue {
  if (!token.startsWith(':')) throw new Error(`Expected a value placeholder, got ${token}`);
  return required(context.ExpressionAttributeValues?.[token]);
}

/** `attribute_exists(a)`, `attribute_not_exists(a)` and `a = :v`, joined by AND. */
function evaluate(condition: string, item: Item | undefined, context: ExpressionContext): boolean {
  return condition.split(/\s+AND\s+/).every((term) => {
    const existence = /^(attribute_exists|attribute_not_exists)\((\S+)\)$/.exec(term.trim());
    if (existence !== null) {
      const present = item !== undefined && nameOf(existence[2]!, context) in item;
      return existence[1] === 'attribute_exists' ? present : !present;
    }
    const comparison = /^(\S+)\s*=\s*(\S+)$/.exec(term.trim());
    if (comparison !== null) return item !== undefined && item[nameOf(comparison[1]!, context)] === valueOf(comparison[2]!, context);
    throw new Error(`FakeOrderTables cannot evaluate ${term}`);
  });
}

/** `SET a = :v, b = :w`. */
function assignments(expression: string, context: ExpressionContext): [string, NativeAttributeValue][] {
  const set = /^SET\s+(.+)$/.exec(expression.trim());
  if (set === null) throw new Error(`FakeOrderTables cannot apply ${expression}`);
  return set[1]!.split(',').map((assignment) => {
    const parts = /^(\S+)\s*=\s*(\S+)$/.exec(assignment.trim());
    if (parts === null) throw new Error(`FakeOrderTables cannot apply ${assignment}`);
    return [nameOf(parts[1]!, context), valueOf(parts[2]!, context)];
  });
}
