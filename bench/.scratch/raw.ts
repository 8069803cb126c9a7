import { createHttpClient } from '../http-client';
import { dynamoDbCall, sqsCall, snsCall, publishBatchBody } from '../emulator-requests';
(async () => {
  const ddb = createHttpClient('http://127.0.0.1:19801');
  const item = { orderId: { S: 'x1' }, payload: { S: 'a'.repeat(1500) } };
  console.log(JSON.stringify(await dynamoDbCall(ddb, 'PutItem', JSON.stringify({ TableName: 'order-pipeline-orders', Item: item, ReturnConsumedCapacity: 'INDEXES' }))));
  console.log(JSON.stringify(await dynamoDbCall(ddb, 'TransactWriteItems', JSON.stringify({ TransactItems: [{ Put: { TableName: 'order-pipeline-orders', Item: { orderId: { S: 'x2' }, a: { S: 'b' } } } }, { Put: { TableName: 'order-pipeline-outbox', Item: { eventId: { S: 'e2' }, a: { S: 'b'.repeat(3000) } } } }], ReturnConsumedCapacity: 'INDEXES' }))));
  console.log(JSON.stringify(await dynamoDbCall(ddb, 'UpdateItem', JSON.stringify({ TableName: 'order-pipeline-orders', Key: { orderId: { S: 'x1' } }, UpdateExpression: 'SET s = :s', ExpressionAttributeValues: { ':s': { S: 'y' } }, ReturnConsumedCapacity: 'INDEXES' }))));
  console.log(JSON.stringify(await dynamoDbCall(ddb, 'GetItem', JSON.stringify({ TableName: 'order-pipeline-orders', Key: { orderId: { S: 'x1' } }, ConsistentRead: true, ReturnConsumedCapacity: 'INDEXES' }))).slice(0, 300));
  console.log(JSON.stringify(await dynamoDbCall(ddb, 'GetItem', JSON.stringify({ TableName: 'order-pipeline-orders', Key: { orderId: { S: 'nope' } }, ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL' }))).slice(0, 300));
  try { await dynamoDbCall(ddb, 'PutItem', JSON.stringify({ TableName: 'order-pipeline-orders', Item: item, ConditionExpression: 'attribute_not_exists(orderId)', ReturnConsumedCapacity: 'INDEXES' })); } catch (e) { console.log(String(e)); }
  const q = createHttpClient('http://127.0.0.1:19802');
  console.log(await snsCall(q, publishBatchBody('arn:aws:sns:us-east-1:000000000000:order-pipeline-order-events', [{ message: '{"a":1}', attributes: { eventType: 'OrderCreated' } }])));
  console.log(JSON.stringify(await sqsCall(q, 'ReceiveMessage', JSON.stringify({ QueueUrl: 'http://127.0.0.1:19802/000000000000/payment', MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'] }))));
  ddb.destroy(); q.destroy();
})();
