import { OrderWriteCapture } from '../order-fixtures';
import { createHttpClient } from '../http-client';
import { dynamoDbCall } from '../emulator-requests';
(async () => {
  const cap = new OrderWriteCapture({ orders: 'order-pipeline-orders', outbox: 'order-pipeline-outbox', idempotency: 'order-pipeline-idempotency-keys', payments: 'p', inventory: 'i', notifications: 'n' });
  const body = await cap.transactionBody();
  console.log(body.length, body);
  const t = performance.now(); for (let i = 0; i < 200; i++) await cap.transactionBody(); console.log('capture ms', (performance.now() - t) / 200);
  const ddb = createHttpClient('http://127.0.0.1:19801');
  console.log(await dynamoDbCall(ddb, 'TransactWriteItems', body));
  const s = performance.now(); for (let i = 0; i < 100; i++) await dynamoDbCall(ddb, 'TransactWriteItems', await cap.transactionBody()); console.log('twi ms', (performance.now() - s) / 100);
  ddb.destroy();
})();
