import type { LocalDynamoDbStreamsClient, StreamRecordFromGetRecords } from '../../../../infra/local/cloud/local-dynamodb-streams-client';

/** Every record of every shard of the stream, from its trim horizon to now. */
export async function readWholeStream(
  streams: LocalDynamoDbStreamsClient,
  streamArn: string,
): Promise<{ shardId: string; record: StreamRecordFromGetRecords }[]> {
  const { Shards } = await streams.describeStream({ StreamArn: streamArn });
  const records: { shardId: string; record: StreamRecordFromGetRecords }[] = [];
  for (const { ShardId: shardId } of Shards) {
    let iterator: string | undefined = await streams.getShardIterator({
      StreamArn: streamArn,
      ShardId: shardId,
      ShardIteratorType: 'TRIM_HORIZON',
    });
    while (iterator !== undefined) {
      const page = await streams.getRecords({ ShardIterator: iterator, Limit: 1000 });
      records.push(...page.Records.map((record) => ({ shardId, record })));
      // An open shard always has a next iterator: an empty page is its end, for now.
      iterator = page.Records.length === 0 ? undefined : page.NextShardIterator;
    }
  }
  return records;
}

/** The record at `sequenceNumber`, read back as an operator does from an on-failure record's metadata. */
export async function readStreamRecord(
  streams: LocalDynamoDbStreamsClient,
  location: { streamArn: string; shardId: string; sequenceNumber: string },
): Promise<StreamRecordFromGetRecords | undefined> {
  const iterator = await streams.getShardIterator({
    StreamArn: location.streamArn,
    ShardId: location.shardId,
    ShardIteratorType: 'AT_SEQUENCE_NUMBER',
    SequenceNumber: location.sequenceNumber,
  });
  const { Records } = await streams.getRecords({ ShardIterator: iterator, Limit: 1 });
  return Records[0];
}
