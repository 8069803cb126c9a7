import { createDocumentClient, createSnsClient } from '../common/aws-clients';
import { createOrderCreatedHandler } from '../common/order-created-consumer';
import { SnsEventPublisher } from '../common/sns-event-publisher';
import { systemClock } from '../common/ports';
import { EVENTS_TOPIC, requireEnv, TABLES } from '../common/settings';
import { TracedEventPublisher } from '../common/traced-event-publisher';
import { createDynamoDbPaymentRepository } from './adapters/dynamodb-payment-repository';
import { SimulatedPaymentGateway } from './adapters/simulated-payment-gateway';
import { processPayment, type ProcessPaymentPorts } from './domain/process-payment';

// Built once per execution environment and reused across invocations.
const ports: ProcessPaymentPorts = {
  payments: createDynamoDbPaymentRepository(requireEnv(TABLES.payments.env), createDocumentClient()),
  gateway: new SimulatedPaymentGateway(),
  publisher: new TracedEventPublisher(new SnsEventPublisher(requireEnv(EVENTS_TOPIC.env), createSnsClient())),
  clock: systemClock,
};

/** SQS (raw SNS delivery) → OrderCreated → PaymentCompleted | PaymentFailed. */
export const handler = createOrderCreatedHandler({
  starting: 'Processing payment',
  published: 'Payment outcome published',
  handle: (orderCreated, options) => processPayment(orderCreated, ports, options),
});
