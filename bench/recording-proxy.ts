/**
 * A recording HTTP proxy in front of DynamoDB Local and fauxqs: the runtime is started with its
 * DYNAMODB_PORT / SNS_SQS_PORT pointed here, so every AWS request the pipeline makes (functions and
 * event source mappings alike) passes through and is counted by caller, service, action and
 * resource. It runs as a process of its own so that its work is not done on the load generator's
 * event loop.
 *
 * - Caller: the `app/<id>` token of the SDK user agent. The bench gives every function
 *   `AWS_SDK_UA_APP_ID=<function id>` through LOCAL_FUNCTION_ENV; requests without one come from
 *   the runtime itself, i.e. the event source mappings' pollers.
 * - Action: `X-Amz-Target` (DynamoDB, Streams, SQS JSON) or `Action=` (SNS Query protocol).
 * - DynamoDB capacity: the proxy adds `ReturnConsumedCapacity: INDEXES` to every request that takes
 *   it, so DynamoDB Local reports the request units it would bill (transactional writes doubled,
 *   index writes included); the handlers ignore the extra response field.
 * - SNS / SQS: entries per batch, messages received, empty receives and 64 KB billing chunks.
 *
 * Control: `GET /__bench/counts` answers the counts as JSON, `POST /__bench/reset` zeroes them
 * (on either listening port).
 *
 *   node --import tsx bench/recording-proxy.ts <listenDynamoDb> <upstreamDynamoDb> <listenSnsSqs> <upstreamSnsSqs>
 */
import http from 'node:http';

export interface RecordedRequests {
  readonly caller: string;
  readonly service: string;
  readonly action: string;
  /** Table, queue or topic name (several tables of one transaction joined by `+`). */
  readonly resource: string;
  requests: number;
  /** Entries of batch calls (PublishBatch, DeleteMessageBatch, SendMessageBatch). */
  entries: number;
  /** SNS: billable 64 KB chunks of the published messages; SQS: of the request or response payload. */
  billableChunks: number;
  /** ReceiveMessage: messages received, and receives that returned none. */
  messagesReceived: number;
  emptyReceives: number;
  /** DynamoDB: request units reported by DynamoDB Local (read units for reads, write units for writes). */
  capacityUnits: number;
  /** Requests answered with an error (their capacity is estimated by the cost model). */
  errors: number;
  /** Requests answered with an error, by error type. */
  errorTypes: Record<string, number>;
  /** The first few successful request bodies, as sent: the replay's templates. */
  samples: string[];
}

const SQS_ACTIONS = new Set([
  'ReceiveMessage',
  'SendMessage',
  'SendMessageBatch',
  'DeleteMessage',
  'DeleteMessageBatch',
  'ChangeMessageVisibility',
  'ChangeMessageVisibilityBatch',
  'GetQueueAttributes',
  'GetQueueUrl',
  'ListQueues',
  'CreateQueue',
  'SetQueueAttributes',
  'PurgeQueue',
]);

/** DynamoDB actions that accept `ReturnConsumedCapacity`. */
const CAPACITY_ACTIONS = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactGetItems',
  'TransactWriteItems',
]);

const CHUNK_BYTES = 64 * 1024;
const SAMPLES_PER_KEY = 5;

function chunksOf(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / CHUNK_BYTES));
}

/**
 * The function id from the `app/…` token. Powertools appends its own marker to the app id
 * (`<id>/PT/NO-OP/<version>/PTEnv/<env>`, which the SDK writes with dashes) and sets one in any
 * process that loads it, the runtime included: what precedes the marker is the caller's own id.
 */
function callerOf(headers: http.IncomingHttpHeaders): string {
  const agents = `${String(headers['x-amz-user-agent'] ?? '')} ${String(headers['user-agent'] ?? '')}`;
  const appId = /(?:^|\s)app\/([A-Za-z0-9_.-]+)/.exec(agents)?.[1] ?? '';
  const caller = appId.replace(/-?PT-.*$/, '');
  return caller === '' ? 'event-source-mappings' : caller;
}

interface Classified {
  readonly service: string;
  readonly action: string;
  readonly resource: string;
}

function classify(headers: http.IncomingHttpHeaders, body: string): Classified {
  const target = headers['x-amz-target'];
  if (typeof target === 'string') {
    const [prefix = '', action = ''] = target.split('.');
    if (prefix.startsWith('DynamoDBStreams')) return { service: 'dynamodbstreams', action, resource: 'outbox-stream' };
    if (prefix.startsWith('DynamoDB')) {
      const tables = [...new Set([...body.matchAll(/"TableName":"([^"]+)"/g)].map((match) => match[1] ?? ''))];
      return { service: 'dynamodb', action, resource: tables.join('+') };
    }
    if (prefix === 'AmazonSQS') {
      const queue = /"QueueUrl":"[^"]*\/([^"/]+)"/.exec(body)?.[1] ?? '';
      return { service: 'sqs', action, resource: queue };
    }
    return { service: prefix, action, resource: '' };
  }
  const parameters = new URLSearchParams(body);
  const action = parameters.get('Action') ?? 'unknown';
  if (SQS_ACTIONS.has(action)) return { service: 'sqs', action, resource: (parameters.get('QueueUrl') ?? '').split('/').pop() ?? '' };
  return { service: 'sns', action, resource: (parameters.get('TopicArn') ?? '').split(':').pop() ?? '' };
}

/** `{"ReturnConsumedCapacity":"INDEXES",…}` for DynamoDB calls that take it and do not ask already. */
function withCapacityReport(classified: Classified, body: string): string {
  if (classified.service !== 'dynamodb' || !CAPACITY_ACTIONS.has(classified.action)) return body;
  if (body.includes('"ReturnConsumedCapacity"') || !body.startsWith('{') || body === '{}') return body;
  return `{"ReturnConsumedCapacity":"INDEXES",${body.slice(1)}`;
}

function consumedCapacity(responseBody: string): number {
  if (!responseBody.includes('"ConsumedCapacity"')) return 0;
  const parsed = JSON.parse(responseBody) as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] };
  const reports = Array.isArray(parsed.ConsumedCapacity) ? parsed.ConsumedCapacity : [parsed.ConsumedCapacity ?? {}];
  return reports.reduce((total, report) => total + (report.CapacityUnits ?? 0), 0);
}

/** SNS bills each published message per started 64 KB chunk (PublishBatch: per entry). */
function snsPublishChunks(action: string, body: string): { entries: number; chunks: number } {
  const parameters = new URLSearchParams(body);
  if (action === 'Publish') return { entries: 1, chunks: chunksOf(Buffer.byteLength(parameters.get('Message') ?? '')) };
  let entries = 0;
  let chunks = 0;
  for (let index = 1; parameters.has(`PublishBatchRequestEntries.member.${index}.Id`); index += 1) {
    entries += 1;
    chunks += chunksOf(Buffer.byteLength(parameters.get(`PublishBatchRequestEntries.member.${index}.Message`) ?? ''));
  }
  return { entries, chunks };
}

class Recorder {
  private records = new Map<string, RecordedRequests>();

  record(caller: string, classified: Classified, requestBody: string, status: number, responseBody: string): void {
    const key = `${caller}|${classified.service}|${classified.action}|${classified.resource}`;
    let record = this.records.get(key);
    if (record === undefined) {
      record = {
        caller,
        ...classified,
        requests: 0,
        entries: 0,
        billableChunks: 0,
        messagesReceived: 0,
        emptyReceives: 0,
        capacityUnits: 0,
        errors: 0,
        errorTypes: {},
        samples: [],
      };
      this.records.set(key, record);
    }
    record.requests += 1;
    if (status < 400 && record.samples.length < SAMPLES_PER_KEY) record.samples.push(requestBody);
    if (status >= 400) {
      record.errors += 1;
      const type = (/"__type":"(?:[^"#]*#)?([^"]+)"/.exec(responseBody)?.[1] ?? /<Code>([^<]+)<\/Code>/.exec(responseBody)?.[1]) ?? `HTTP ${status}`;
      record.errorTypes[type] = (record.errorTypes[type] ?? 0) + 1;
    }
    switch (classified.service) {
      case 'dynamodb':
        if (status < 400) record.capacityUnits += consumedCapacity(responseBody);
        break;
      case 'sns':
        if (classified.action === 'Publish' || classified.action === 'PublishBatch') {
          const { entries, chunks } = snsPublishChunks(classified.action, requestBody);
          record.entries += entries;
          record.billableChunks += chunks;
        }
        break;
      case 'sqs': {
        if (classified.action === 'ReceiveMessage') {
          const received = status < 400 ? ((JSON.parse(responseBody || '{}') as { Messages?: unknown[] }).Messages?.length ?? 0) : 0;
          record.messagesReceived += received;
          if (received === 0) record.emptyReceives += 1;
          record.billableChunks += chunksOf(Buffer.byteLength(responseBody));
        } else {
          const entries = (requestBody.match(/"ReceiptHandle"|"MessageBody"/g) ?? []).length;
          record.entries += entries;
          record.billableChunks += chunksOf(Buffer.byteLength(requestBody));
        }
        break;
      }
    }
  }

  snapshot(): RecordedRequests[] {
    return [...this.records.values()];
  }

  reset(): void {
    this.records = new Map();
  }
}

function readBody(stream: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
  });
}

function startProxy(listenPort: number, upstream: URL, recorder: Recorder): http.Server {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const server = http.createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const path = request.url ?? '/';
      if (path.startsWith('/__bench/')) {
        // Answers the counts so far; a reset answers them and starts over, atomically.
        const snapshot = recorder.snapshot();
        if (path === '/__bench/reset') recorder.reset();
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(snapshot));
        return;
      }
      const caller = callerOf(request.headers);
      const classified = classify(request.headers, body);
      const forwardedBody = withCapacityReport(classified, body);
      const headers = { ...request.headers, 'content-length': String(Buffer.byteLength(forwardedBody)) };
      const upstreamRequest = http.request(
        { host: upstream.hostname, port: upstream.port, method: request.method, path, headers, agent },
        (upstreamResponse) => {
          void readBody(upstreamResponse).then((responseBody) => {
            const status = upstreamResponse.statusCode ?? 502;
            recorder.record(caller, classified, body, status, responseBody);
            const responseHeaders = { ...upstreamResponse.headers, 'content-length': String(Buffer.byteLength(responseBody)) };
            delete responseHeaders['transfer-encoding'];
            response.writeHead(status, responseHeaders);
            response.end(responseBody);
          });
        },
      );
      upstreamRequest.on('error', (error) => {
        response.writeHead(502, { 'content-type': 'text/plain' });
        response.end(String(error));
      });
      upstreamRequest.end(forwardedBody);
    })().catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(String(error));
    });
  });
  // Long polls hold a request for up to 20 s; the SDK's own timeouts decide, not the proxy's.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 60_000;
  server.listen(listenPort, '127.0.0.1');
  return server;
}

function main(): void {
  const [listenDynamoDb, upstreamDynamoDb, listenSnsSqs, upstreamSnsSqs] = process.argv.slice(2);
  if (listenDynamoDb === undefined || upstreamDynamoDb === undefined || listenSnsSqs === undefined || upstreamSnsSqs === undefined) {
    throw new Error('usage: recording-proxy.ts <listenDynamoDb> <upstreamDynamoDb> <listenSnsSqs> <upstreamSnsSqs>');
  }
  const recorder = new Recorder();
  const servers = [
    startProxy(Number(listenDynamoDb), new URL(upstreamDynamoDb), recorder),
    startProxy(Number(listenSnsSqs), new URL(upstreamSnsSqs), recorder),
  ];
  let listening = 0;
  for (const server of servers) {
    server.on('listening', () => {
      listening += 1;
      if (listening === servers.length) process.stdout.write('recording proxy ready\n');
    });
  }
}

if (require.main === module) main();
