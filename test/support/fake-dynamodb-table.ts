import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AwsClientStub } from 'aws-sdk-client-mock';

export interface FakeTableOptions {
  /** Whether a failed conditional put honours `ALL_OLD` (DynamoDB does; an old emulator may not). */
  readonly returnsItemOnConditionFailure?: boolean;
}

/**
 * Backs a mocked DocumentClient's GetCommand and PutCommand with a map, honouring the one
 * condition the consumers write with (`attribute_not_exists(<key>)`) and `ALL_OLD` on failure,
 * so a test can deliver a message twice and see what DynamoDB would answer the second time.
 */
export class FakeTable {
  readonly items = new Map<string, Record<string, unknown>>();
  private readonly beforePuts: (() => void)[] = [];

  constructor(
    documentClient: AwsClientStub<DynamoDBDocumentClient>,
    private readonly partitionKey: string,
    private readonly options: FakeTableOptions = {},
  ) {
    documentClient.on(GetCommand).callsFake((input: GetCommand['input']) => this.get(input));
    documentClient.on(PutCommand).callsFake((input: PutCommand['input']) => this.put(input));
  }

  /** Runs `interleaved` just before the next put: another writer racing in after this one's read. */
  beforeNextPut(interleaved: () => void): void {
    this.beforePuts.push(interleaved);
  }

  private get(input: GetCommand['input']): { Item?: Record<string, unknown> } {
    const item = this.items.get(String(input.Key?.[this.partitionKey]));
    return item === undefined ? {} : { Item: structuredClone(item) };
  }

  private put(input: PutCommand['input']): Record<string, never> {
    this.beforePuts.shift()?.();
    const item = input.Item ?? {};
    const key = String(item[this.partitionKey]);
    const condition = input.ConditionExpression;
    if (condition !== undefined && condition !== `attribute_not_exists(${this.partitionKey})`) {
      throw new Error(`FakeTable does not evaluate ${condition}`);
    }
    const existing = this.items.get(key);
    if (existing !== undefined && condition !== undefined) {
      const returnsItem = input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && this.options.returnsItemOnConditionFailure !== false;
      throw new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: {},
        ...(returnsItem ? { Item: marshall(existing) } : {}),
      });
    }
    this.items.set(key, structuredClone(item));
    return {};
  }
}
