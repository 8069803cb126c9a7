/**
 * The local API Gateway: an HTTP server that behaves like the deployed REST API with Lambda proxy
 * integrations, including the answers API Gateway gives on its own: 403 "Missing Authentication
 * Token" for an undeclared route or method, 413 for a body over 10 MB, 502 "Internal server
 * error" when the function fails (an error, a timeout, a crash) or answers with a malformed proxy
 * response, 500 when Lambda rejects the invocation, and 504 when the integration takes longer
 * than 29 s. (docs: lambda/latest/dg/services-apigateway-errors.html,
 * apigateway/latest/developerguide/limits.html)
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  fromProxyResult,
  matchRoute,
  stableId,
  toProxyEvent,
  type ApiRoute,
  type ProxyResponse,
} from './api-gateway-event';
import { REQUEST_TOO_LARGE_ERROR_TYPE, type InvokeResult, type LambdaInvoker } from './lambda-invoker';
import { childTraceHeader, parseTraceHeader } from './trace-header';
import type { TraceSegmentSink } from './trace-store';

/** REST API limits. */
export const MAX_REQUEST_BODY_BYTES = 10 * 1024 * 1024;
export const INTEGRATION_TIMEOUT_MS = 29_000;

/** The stage `RestApi` deploys by default. */
export const DEFAULT_STAGE = 'prod';

export interface ApiGatewayOptions {
  readonly port: number;
  /** Loopback only by default: the local stack is not a server for the network. */
  readonly host?: string;
  /** The function behind every route (the order API has one). */
  readonly functionName: string;
  readonly routes: readonly ApiRoute[];
  readonly invoker: LambdaInvoker;
  readonly accountId: string;
  readonly stage?: string;
  readonly apiId?: string;
  readonly integrationTimeoutMs?: number;
  readonly binaryMediaTypes?: readonly string[];
  /** One line per request API Gateway answers itself (403, 413, 5xx); default: stdout. */
  readonly log?: (line: string) => void;
  /**
   * Active tracing (`tracingEnabled` on the stage): requests without a sampling decision are
   * sampled, and each traced request's stage segment is recorded here.
   */
  readonly traceSegments?: TraceSegmentSink;
}

interface GatewayError {
  readonly statusCode: number;
  readonly message: string;
  /** `x-amzn-ErrorType`, as API Gateway sets it on its own error responses. */
  readonly errorType?: string;
}

const MISSING_AUTHENTICATION_TOKEN: GatewayError = {
  statusCode: 403,
  message: 'Missing Authentication Token',
  errorType: 'MissingAuthenticationTokenException',
};
const REQUEST_TOO_LONG: GatewayError = { statusCode: 413, message: 'Request Too Long' };
const BAD_GATEWAY: GatewayError = {
  statusCode: 502,
  message: 'Internal server error',
  errorType: 'InternalServerErrorException',
};
const INVOCATION_REJECTED: GatewayError = {
  statusCode: 500,
  message: 'Internal server error',
  errorType: 'InternalServerErrorException',
};
const ENDPOINT_TIMED_OUT: GatewayError = { statusCode: 504, message: 'Endpoint request timed out' };

/** Response headers API Gateway may not pass through from the integration. */
const HOP_BY_HOP_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive']);

class BodyTooLargeError extends Error {
  constructor() {
    super('Request body over the 10 MB limit');
    this.name = 'BodyTooLargeError';
  }
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BODY_BYTES) {
        request.removeAllListeners('data');
        request.resume();
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

type IntegrationOutcome = { readonly kind: 'invoked'; readonly result: InvokeResult } | { readonly kind: 'timed-out' };

export class LocalApiGateway {
  private readonly log: (line: string) => void;
  private readonly apiId: string;

  private constructor(
    private readonly server: Server,
    private readonly options: ApiGatewayOptions,
  ) {
    this.log = options.log ?? ((line) => process.stdout.write(`${line}\n`));
    this.apiId = options.apiId ?? stableId(options.functionName, 10);
  }

  static async start(options: ApiGatewayOptions): Promise<LocalApiGateway> {
    const server = createServer();
    const gateway = new LocalApiGateway(server, options);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      gateway.handle(request, response).catch((error: unknown) => {
        gateway.log(`API ${request.method ?? '?'} ${request.url ?? '?'}: ${String(error)}`);
        if (!response.headersSent) response.writeHead(500).end();
        else response.destroy();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return gateway;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://${this.options.host ?? '127.0.0.1'}:${this.port}`;
  }

  /** Stops accepting requests and closes open connections. */
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestTimeEpoch = Date.now();
    const requestId = randomUUID();
    const extendedRequestId = randomBytes(11).toString('base64');
    const clientTrace = request.headers['x-amzn-trace-id'];
    const callerTrace = typeof clientTrace === 'string' ? clientTrace : undefined;
    const traceHeader = childTraceHeader(callerTrace, this.options.traceSegments !== undefined);
    const method = request.method ?? 'GET';
    const url = request.url ?? '/';
    response.once('finish', () => this.recordStageSegment(traceHeader, callerTrace, { method, url, requestTimeEpoch }, response));
    const gatewayHeaders = {
      'x-amzn-RequestId': [requestId],
      'x-amz-apigw-id': [extendedRequestId],
      'X-Amzn-Trace-Id': [traceHeader],
    };
    const answerWithError = (error: GatewayError, detail: string): void => {
      this.log(`API ${method} ${url} → ${error.statusCode} ${error.message}${detail === '' ? '' : ` (${detail})`}`);
      this.write(response, {
        statusCode: error.statusCode,
        headers: {
          ...gatewayHeaders,
          'Content-Type': ['application/json'],
          ...(error.errorType === undefined ? {} : { 'x-amzn-ErrorType': [error.errorType] }),
        },
        body: Buffer.from(JSON.stringify({ message: error.message })),
      });
    };

    if (Number(request.headers['content-length'] ?? 0) > MAX_REQUEST_BODY_BYTES) {
      request.resume();
      answerWithError(REQUEST_TOO_LONG, 'Content-Length over 10 MB');
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(request);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      answerWithError(REQUEST_TOO_LONG, 'body over 10 MB');
      return;
    }
    const queryStart = url.indexOf('?');
    const match = matchRoute(this.options.routes, method, queryStart === -1 ? url : url.slice(0, queryStart));
    if (match === undefined) {
      answerWithError(MISSING_AUTHENTICATION_TOKEN, 'no such resource or method');
      return;
    }
    const event = toProxyEvent(
      {
        method,
        url,
        rawHeaders: request.rawHeaders,
        body,
        sourceIp: request.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
        localPort: request.socket.localPort ?? this.port,
      },
      match,
      {
        accountId: this.options.accountId,
        apiId: this.apiId,
        stage: this.options.stage ?? DEFAULT_STAGE,
        requestId,
        extendedRequestId,
        traceHeader,
        requestTimeEpoch,
        binaryMediaTypes: this.options.binaryMediaTypes ?? [],
      },
    );

    const outcome = await this.integrate(event, traceHeader);
    if (outcome.kind === 'timed-out') {
      answerWithError(ENDPOINT_TIMED_OUT, 'integration timeout');
      return;
    }
    const { result } = outcome;
    if (result.status === 'error' && result.errorType === REQUEST_TOO_LARGE_ERROR_TYPE) {
      answerWithError(INVOCATION_REJECTED, 'Lambda rejected the invocation: payload over 6 MB');
      return;
    }
    if (result.status !== 'ok') {
      answerWithError(BAD_GATEWAY, `function ${result.status}`);
      return;
    }
    const proxyResponse = fromProxyResult(result.payload);
    if (proxyResponse === undefined) {
      answerWithError(BAD_GATEWAY, 'Malformed Lambda proxy response');
      return;
    }
    const headers = Object.fromEntries(
      Object.entries(proxyResponse.headers).filter(([name]) => !HOP_BY_HOP_HEADERS.has(name.toLowerCase())),
    );
    try {
      this.write(response, { ...proxyResponse, headers: { ...headers, ...gatewayHeaders } });
    } catch (error) {
      // Header names or values no HTTP response can carry.
      if (response.headersSent) throw error;
      answerWithError(BAD_GATEWAY, `Malformed Lambda proxy response: ${String(error)}`);
    }
  }

  /** Invokes the function; API Gateway stops waiting after the integration timeout (the function runs on). */
  private async integrate(event: unknown, traceHeader: string): Promise<IntegrationOutcome> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<IntegrationOutcome>((resolve) => {
      timer = setTimeout(() => resolve({ kind: 'timed-out' }), this.options.integrationTimeoutMs ?? INTEGRATION_TIMEOUT_MS);
    });
    const invoked = this.options.invoker
      .invoke(this.options.functionName, event, { traceHeader })
      .then((result): IntegrationOutcome => ({ kind: 'invoked', result }));
    try {
      return await Promise.race([invoked, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The segment API Gateway records for a traced request (`AWS::ApiGateway::Stage`): its id is the
   * Parent of the header passed to the function, so the function segment hangs under it.
   */
  private recordStageSegment(
    traceHeader: string,
    callerTrace: string | undefined,
    request: { readonly method: string; readonly url: string; readonly requestTimeEpoch: number },
    response: ServerResponse,
  ): void {
    const sink = this.options.traceSegments;
    const trace = parseTraceHeader(traceHeader);
    if (sink === undefined || trace?.parent === undefined || trace.sampled !== true) return;
    const caller = parseTraceHeader(callerTrace);
    const status = response.statusCode;
    const stage = this.options.stage ?? DEFAULT_STAGE;
    try {
      sink.record({
        id: trace.parent,
        trace_id: trace.root,
        name: `${this.apiId}/${stage}`,
        origin: 'AWS::ApiGateway::Stage',
        start_time: request.requestTimeEpoch / 1000,
        end_time: Date.now() / 1000,
        ...(caller?.root === trace.root && caller.parent !== undefined ? { parent_id: caller.parent } : {}),
        http: { request: { method: request.method, url: `${this.url}${request.url}` }, response: { status } },
        aws: { api_id: this.apiId, stage },
        ...(status >= 400 && status < 500 ? { error: true } : {}),
        ...(status === 429 ? { throttle: true } : {}),
        ...(status >= 500 ? { fault: true } : {}),
      });
    } catch (error) {
      this.log(`X-Ray: could not record the stage segment (${String(error)})`);
    }
  }

  private write(response: ServerResponse, proxyResponse: ProxyResponse): void {
    // A previous attempt may have set some headers before one was refused.
    for (const name of response.getHeaderNames()) response.removeHeader(name);
    for (const [name, values] of Object.entries(proxyResponse.headers)) {
      response.setHeader(name, [...values]);
    }
    response.setHeader('Content-Length', proxyResponse.body.length);
    response.writeHead(proxyResponse.statusCode);
    response.end(proxyResponse.body);
  }
}
