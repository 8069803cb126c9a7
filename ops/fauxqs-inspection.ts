/**
 * fauxqs's non-destructive queue inspection (README "Queue inspection"): every message, ready,
 * in flight or delayed, without receiving it. Emulator-only; the AWS path is queue-reader.ts.
 */
import type { Message } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import type { QueueDepth } from './queue-depth';

const messageSchema = z.object({
  messageId: z.string(),
  body: z.string(),
  messageAttributes: z
    .record(z.string(), z.object({ DataType: z.string(), StringValue: z.string().optional(), BinaryValue: z.string().optional() }))
    .optional(),
  sentTimestamp: z.number(),
  approximateReceiveCount: z.number(),
  approximateFirstReceiveTimestamp: z.number().optional(),
});
type InspectedMessage = z.infer<typeof messageSchema>;

const inspectionSchema = z.object({
  attributes: z.record(z.string(), z.string()),
  messages: z.object({
    ready: z.array(messageSchema),
    delayed: z.array(messageSchema),
    inflight: z.array(z.object({ message: messageSchema, visibilityDeadline: z.number() })),
  }),
});

export interface FauxqsQueueInspection {
  readonly depth: QueueDepth;
  /** Oldest first (by the time each was first sent). */
  readonly messages: readonly Message[];
}

export async function inspectFauxqsQueue(endpoint: string, queueName: string, now: Date): Promise<FauxqsQueueInspection> {
  const response = await fetch(new URL(`/_fauxqs/queues/${encodeURIComponent(queueName)}`, endpoint), {
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`fauxqs inspection of ${queueName} answered HTTP ${response.status}`);
  const inspection = inspectionSchema.parse(await response.json());
  // fauxqs returns an expired in-flight message to the queue only on the next receive: it is visible already.
  const expired = inspection.messages.inflight.filter((entry) => entry.visibilityDeadline <= now.getTime());
  const inFlight = inspection.messages.inflight.length - expired.length;
  const all = [...inspection.messages.ready, ...inspection.messages.delayed, ...inspection.messages.inflight.map((entry) => entry.message)];
  return {
    depth: {
      visible: inspection.messages.ready.length + expired.length,
      inFlight,
      delayed: inspection.messages.delayed.length,
      hasRedrivePolicy: (inspection.attributes.RedrivePolicy ?? '') !== '',
    },
    messages: all.sort((a, b) => a.sentTimestamp - b.sentTimestamp).map(toSqsMessage),
  };
}

function toSqsMessage(message: InspectedMessage): Message {
  const attributes = Object.entries(message.messageAttributes ?? {}).map(([name, value]) => [
    name,
    {
      DataType: value.DataType,
      StringValue: value.StringValue,
      // Binary values travel as base64 in JSON; the SDK hands them out as bytes.
      BinaryValue: value.BinaryValue === undefined ? undefined : Buffer.from(value.BinaryValue, 'base64'),
    },
  ]);
  return {
    MessageId: message.messageId,
    Body: message.body,
    MessageAttributes: Object.fromEntries(attributes),
    Attributes: {
      SentTimestamp: String(message.sentTimestamp),
      ApproximateReceiveCount: String(message.approximateReceiveCount),
      ...(message.approximateFirstReceiveTimestamp === undefined
        ? {}
        : { ApproximateFirstReceiveTimestamp: String(message.approximateFirstReceiveTimestamp) }),
    },
  };
}
