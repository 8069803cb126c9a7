import { Agent, request as httpRequest } from 'node:http';

/** A request exactly as it goes on the wire: any method, repeated or odd header names, raw body bytes. */
export interface RawRequest {
  readonly method: string;
  /** Path and query, sent as written (no normalisation, no encoding). */
  readonly path: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body?: Buffer;
}

export interface RawResponse {
  readonly status: number;
  /** Lower-cased names, as Node reports them. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

/**
 * Sends raw HTTP/1.1 requests over at most `maxSockets` kept-alive connections. `fetch` would
 * refuse some of the requests this is for (a body on GET, latin-1 header values) and merge
 * repeated headers, so this uses `node:http` directly.
 */
export class RawHttpClient {
  private readonly agent: Agent;
  private sent = 0;

  constructor(
    private readonly baseUrl: URL,
    maxSockets: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  /** Requests answered so far (a response was read in full). */
  get answered(): number {
    return this.sent;
  }

  send(request: RawRequest): Promise<RawResponse> {
    const headers = [
      ['Host', this.baseUrl.host],
      ...(request.body === undefined ? [] : [['Content-Length', String(request.body.length)]]),
      ...request.headers,
    ];
    return new Promise((resolve, reject) => {
      const outgoing = httpRequest({
        host: this.baseUrl.hostname,
        port: this.baseUrl.port,
        method: request.method,
        path: request.path,
        // A flat list keeps the names' casing and repeated names.
        headers: headers.flat(),
        agent: this.agent,
      });
      outgoing.on('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          this.sent += 1;
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) });
        });
        response.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(request.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
