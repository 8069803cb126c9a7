/**
 * On-demand list prices, us-east-1, as published on the AWS pricing pages named beside each number.
 * The bench runs offline and does not fetch them: re-check the pages before relying on a figure.
 * Free tiers are ignored (the bench prices a million orders at the margin).
 */
export interface Price {
  readonly usd: number;
  readonly unit: string;
  readonly source: string;
  readonly note?: string;
}

export const PRICE_TABLE = {
  region: 'us-east-1',
  /** When these were last checked against the pages (by hand, not by the bench). */
  checkedOn: '2026-11-29',
  prices: {
    apiGatewayRestRequest: {
      usd: 3.5 / 1e6,
      unit: 'REST API request (first 333 million a month)',
      source: 'https://aws.amazon.com/api-gateway/pricing/',
    },
    lambdaRequest: {
      usd: 0.2 / 1e6,
      unit: 'invocation',
      source: 'https://aws.amazon.com/lambda/pricing/',
    },
    lambdaArmGbSecond: {
      usd: 0.0000133334,
      unit: 'GB-second, Arm (first 7.5 billion GB-s a month); duration billed per 1 ms',
      source: 'https://aws.amazon.com/lambda/pricing/',
    },
    dynamoDbWriteRequestUnit: {
      usd: 0.625 / 1e6,
      unit: 'write request unit, on-demand, Standard table class (1 KB; a transactional write takes 2 per KB)',
      source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    },
    dynamoDbReadRequestUnit: {
      usd: 0.125 / 1e6,
      unit: 'read request unit, on-demand (4 KB strongly consistent; half for eventually consistent)',
      source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    },
    dynamoDbStreamsReadByLambda: {
      usd: 0,
      unit: 'GetRecords call made by a Lambda event source mapping',
      source: 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CostOptimization_StreamsUsage.html',
      note: 'read requests made by Lambda-based consumers of DynamoDB Streams are free (other consumers: $0.02 per 100,000 streams read request units)',
    },
    snsPublish: {
      usd: 0.5 / 1e6,
      unit: 'published message per 64 KB chunk, standard topic (PublishBatch: each entry bills as one)',
      source: 'https://aws.amazon.com/sns/pricing/',
      note: 'deliveries to SQS queues are free; attribute-based filtering is free',
    },
    sqsRequest: {
      usd: 0.4 / 1e6,
      unit: 'request per 64 KB chunk, standard queue (first 100 billion a month; batch of up to 10 = one request)',
      source: 'https://aws.amazon.com/sqs/pricing/',
      note: 'every ReceiveMessage is a request, empty receives included',
    },
  },
} as const satisfies { region: string; checkedOn: string; prices: Record<string, Price> };

export type PriceName = keyof typeof PRICE_TABLE.prices;
