/**
 * The bench's one HTTP client: node:http with a keep-alive agent, no retries, no signing, no
 * parsing beyond collecting the body. It is the "tight client": on a 2-core machine every
 * microsecond the load generator spends is taken from the system it measures, so it spends few.
 */
import http from 'node:http';

export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export interface HttpClient {
  request(method: string, path: string, headers: Readonly<Record<string, string>>, body?: string): Promise<HttpResponse>;
  destroy(): void;
}

export function createHttpClient(baseUrl: string, maxSockets = 256): HttpClient {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  return {
    request(method, path, headers, body) {
      return new Promise((resolve, reject) => {
        const request = http.request(
          {
            host: url.hostname,
            port: url.port,
            method,
            path,
            agent,
            headers: body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) },
          },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () =>
              resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }),
            );
            response.on('error', reject);
          },
        );
        request.on('error', reject);
        request.end(body);
      });
    },
    destroy: () => agent.destroy(),
  };
}

/**
 * Why a request got no HTTP answer, as a stable label to count: the socket error's code and
 * message (`ECONNRESET: socket hang up`), so a report says what broke rather than just "Error".
 */
export function failureReason(error: unknown): string {
  // Read as plain fields: an error from another realm (a jest sandbox) is no `instanceof Error`.
  const { code, name, message } = (typeof error === 'object' && error !== null ? error : {}) as Partial<Record<'code' | 'name' | 'message', unknown>>;
  if (typeof message !== 'string') return String(error);
  const label = typeof code === 'string' ? code : typeof name === 'string' ? name : 'Error';
  return `${label}: ${message}`;
}

/** Runs `task` from `concurrency` workers until `shouldContinue` says stop; each worker awaits its own. */
export async function runClosedLoop(concurrency: number, shouldContinue: () => boolean, task: () => Promise<void>): Promise<void> {
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (shouldContinue()) await task();
    }),
  );
}
