/**
 * API Gateway REST API (v1) Lambda proxy integration, the pure part: which resource a request
 * matches, the `APIGatewayProxyEvent` it becomes, and how the function's answer becomes the HTTP
 * response. (docs: apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html)
 */
import { createHash } from 'node:crypto';
import type { APIGatewayEventIdentity, APIGatewayEventRequestContext, APIGatewayProxyEvent } from 'aws-lambda';

export interface ApiRoute {
  /** An HTTP method, or `ANY`. */
  readonly method: string;
  /** A REST resource path: literal segments, `{param}`, or a final greedy `{param+}`. */
  readonly resource: string;
}

export interface RouteMatch {
  readonly route: ApiRoute;
  /** As REST APIs deliver them: still percent-encoded, like `path`. */
  readonly pathParameters: Readonly<Record<string, string>>;
}

function matchResource(resource: string, path: string): Record<string, string> | undefined {
  const resourceSegments = resource.split('/').filter((segment) => segment !== '');
  const pathSegments = path.split('/').slice(1);
  if (path === '/') pathSegments.length = 0;
  const parameters: Record<string, string> = {};
  for (const [index, segment] of resourceSegments.entries()) {
    const greedy = /^\{(.+)\+\}$/.exec(segment);
    if (greedy?.[1] !== undefined && index === resourceSegments.length - 1) {
      const rest = pathSegments.slice(index).join('/');
      if (rest === '') return undefined;
      parameters[greedy[1]] = rest;
      return parameters;
    }
    const value = pathSegments[index];
    if (value === undefined || value === '') return undefined;
    const parameter = /^\{(.+)\}$/.exec(segment);
    if (parameter?.[1] !== undefined) parameters[parameter[1]] = value;
    else if (segment !== value) return undefined;
  }
  return pathSegments.length === resourceSegments.length ? parameters : undefined;
}

/**
 * The route a request reaches, if any. A REST API answers both an unknown path and a known path
 * with an undeclared method the same way (403 Missing Authentication Token), so both are `undefined`.
 */
export function matchRoute(routes: readonly ApiRoute[], method: string, path: string): RouteMatch | undefined {
  for (const route of routes) {
    if (route.method !== 'ANY' && route.method !== method) continue;
    const pathParameters = matchResource(route.resource, path);
    if (pathParameters !== undefined) return { route, pathParameters };
  }
  return undefined;
}

/** `28/Nov/2025:09:15:04 +0000`, API Gateway's `requestTime`. */
export function formatRequestTime(epochMs: number): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const date = new Date(epochMs);
  const pad = (value: number): string => String(value).padStart(2, '0');
  return (
    `${pad(date.getUTCDate())}/${months[date.getUTCMonth()] ?? ''}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

/** A short, stable id (resource ids, deployment id) derived from a name. */
export function stableId(name: string, length: number): string {
  return createHash('sha256').update(name).digest('hex').slice(0, length);
}

export interface ProxyRequest {
  readonly method: string;
  /** The request target as received: path and query, percent-encoded. */
  readonly url: string;
  /** Node's `rawHeaders`: names with the client's casing, in order, repeated names kept. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly localPort: number;
}

export interface ProxyEventContext {
  readonly accountId: string;
  readonly apiId: string;
  readonly stage: string;
  readonly requestId: string;
  readonly extendedRequestId: string;
  /** The trace header API Gateway adds as `X-Amzn-Trace-Id`. */
  readonly traceHeader: string;
  readonly requestTimeEpoch: number;
  /** Content types the API treats as binary (its `binaryMediaTypes`); none by default. */
  readonly binaryMediaTypes: readonly string[];
}

function isBinary(contentType: string | undefined, binaryMediaTypes: readonly string[]): boolean {
  if (contentType === undefined) return false;
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return binaryMediaTypes.some((pattern) => {
    const normalised = pattern.toLowerCase();
    if (normalised === '*/*') return true;
    if (normalised.endsWith('/*')) return mediaType.startsWith(normalised.slice(0, -1));
    return normalised === mediaType;
  });
}

/**
 * Header and query names are the client's: `__proto__` or `constructor` are names like any other.
 * The maps are built as `Map`s and turned into objects with `Object.fromEntries`, which defines own
 * properties; indexing a plain object would reach (or replace) its prototype instead.
 */
function headerMaps(request: ProxyRequest, context: ProxyEventContext) {
  const multiValueHeaders = new Map<string, string[]>();
  for (let index = 0; index + 1 < request.rawHeaders.length; index += 2) {
    const name = request.rawHeaders[index] ?? '';
    const value = request.rawHeaders[index + 1] ?? '';
    multiValueHeaders.set(name, [...(multiValueHeaders.get(name) ?? []), value]);
  }
  const findName = (name: string): string =>
    [...multiValueHeaders.keys()].find((key) => key.toLowerCase() === name.toLowerCase()) ?? name;
  // What API Gateway adds in front of the integration: the caller's address, port and protocol,
  // and its trace header.
  const forwardedFor = findName('X-Forwarded-For');
  const previousHops = multiValueHeaders.get(forwardedFor)?.join(', ');
  multiValueHeaders.set(forwardedFor, [previousHops === undefined ? request.sourceIp : `${previousHops}, ${request.sourceIp}`]);
  multiValueHeaders.set(findName('X-Forwarded-Port'), [String(request.localPort)]);
  multiValueHeaders.set(findName('X-Forwarded-Proto'), ['http']);
  multiValueHeaders.set(findName('X-Amzn-Trace-Id'), [context.traceHeader]);
  // `headers` holds the last value of each header.
  const headers = new Map<string, string>();
  for (const [name, values] of multiValueHeaders) {
    const last = values.at(-1);
    if (last !== undefined) headers.set(name, last);
  }
  return { headers: Object.fromEntries(headers), multiValueHeaders: Object.fromEntries(multiValueHeaders) };
}

function queryMaps(search: string) {
  const queryStringParameters = new Map<string, string>();
  const multiValueQueryStringParameters = new Map<string, string[]>();
  // REST APIs deliver query string values decoded; the last value wins in the single-value map.
  for (const [name, value] of new URLSearchParams(search)) {
    queryStringParameters.set(name, value);
    multiValueQueryStringParameters.set(name, [...(multiValueQueryStringParameters.get(name) ?? []), value]);
  }
  const empty = queryStringParameters.size === 0;
  return {
    queryStringParameters: empty ? null : Object.fromEntries(queryStringParameters),
    multiValueQueryStringParameters: empty ? null : Object.fromEntries(multiValueQueryStringParameters),
  };
}

/** The event a REST API Lambda proxy integration sends for a request that matched a route. */
export function toProxyEvent(request: ProxyRequest, match: RouteMatch, context: ProxyEventContext): APIGatewayProxyEvent {
  const queryStart = request.url.indexOf('?');
  const path = queryStart === -1 ? request.url : request.url.slice(0, queryStart);
  const search = queryStart === -1 ? '' : request.url.slice(queryStart + 1);
  const { headers, multiValueHeaders } = headerMaps(request, context);
  const hostHeader = Object.entries(headers).find(([name]) => name.toLowerCase() === 'host')?.[1] ?? 'localhost';
  const domainName = hostHeader.replace(/:\d+$/, '');
  const userAgent = Object.entries(headers).find(([name]) => name.toLowerCase() === 'user-agent')?.[1] ?? null;
  const contentType = Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
  const binary = isBinary(contentType, context.binaryMediaTypes);
  const identity: APIGatewayEventIdentity = {
    accessKey: null,
    accountId: null,
    apiKey: null,
    apiKeyId: null,
    caller: null,
    clientCert: null,
    cognitoAuthenticationProvider: null,
    cognitoAuthenticationType: null,
    cognitoIdentityId: null,
    cognitoIdentityPoolId: null,
    principalOrgId: null,
    sourceIp: request.sourceIp,
    user: null,
    userAgent,
    userArn: null,
  };
  const requestContext: APIGatewayEventRequestContext & { deploymentId: string } = {
    resourceId: stableId(match.route.resource, 6),
    resourcePath: match.route.resource,
    httpMethod: request.method,
    extendedRequestId: context.extendedRequestId,
    requestTime: formatRequestTime(context.requestTimeEpoch),
    // The local API is served like a custom domain: no stage prefix in the path.
    path,
    accountId: context.accountId,
    protocol: 'HTTP/1.1',
    stage: context.stage,
    domainPrefix: domainName.split('.')[0] ?? domainName,
    requestTimeEpoch: context.requestTimeEpoch,
    requestId: context.requestId,
    identity,
    domainName,
    deploymentId: stableId(`${context.apiId}/${context.stage}`, 6),
    apiId: context.apiId,
    authorizer: undefined,
  };
  const pathParameters = Object.keys(match.pathParameters).length === 0 ? null : { ...match.pathParameters };
  return {
    resource: match.route.resource,
    path,
    httpMethod: request.method,
    headers,
    multiValueHeaders,
    ...queryMaps(search),
    pathParameters,
    stageVariables: null,
    requestContext,
    body: request.body.length === 0 ? null : request.body.toString(binary ? 'base64' : 'utf8'),
    isBase64Encoded: binary,
  };
}

/** An HTTP response ready to write: header values as lists, so repeated headers survive. */
export interface ProxyResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, readonly string[]>>;
  readonly body: Buffer;
}

type HeaderValue = string | number | boolean;

function isHeaderValue(value: unknown): value is HeaderValue {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `headers` and `multiValueHeaders` merged; a value present in both appears once. */
function mergeHeaders(
  headers: Record<string, unknown>,
  multiValueHeaders: Record<string, unknown>,
): Record<string, string[]> | undefined {
  const merged: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(multiValueHeaders)) {
    if (!Array.isArray(values) || !values.every(isHeaderValue)) return undefined;
    merged[name] = values.map(String);
  }
  for (const [name, value] of Object.entries(headers)) {
    if (!isHeaderValue(value)) return undefined;
    const existing = (merged[name] ??= []);
    if (!existing.includes(String(value))) existing.push(String(value));
  }
  return merged;
}

/**
 * The HTTP response for a function's answer, or `undefined` when the answer is not a valid proxy
 * response (API Gateway then answers 502: "Malformed Lambda proxy response").
 */
export function fromProxyResult(payload: unknown): ProxyResponse | undefined {
  if (!isRecord(payload)) return undefined;
  const { statusCode, headers, multiValueHeaders, body, isBase64Encoded } = payload;
  const status = typeof statusCode === 'string' && /^\d+$/.test(statusCode) ? Number(statusCode) : statusCode;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) return undefined;
  if (headers !== undefined && headers !== null && !isRecord(headers)) return undefined;
  if (multiValueHeaders !== undefined && multiValueHeaders !== null && !isRecord(multiValueHeaders)) return undefined;
  if (body !== undefined && body !== null && typeof body !== 'string') return undefined;
  if (isBase64Encoded !== undefined && isBase64Encoded !== null && typeof isBase64Encoded !== 'boolean') return undefined;
  const merged = mergeHeaders(isRecord(headers) ? headers : {}, isRecord(multiValueHeaders) ? multiValueHeaders : {});
  if (merged === undefined) return undefined;
  if (!Object.keys(merged).some((name) => name.toLowerCase() === 'content-type')) {
    // What a REST API answers with when the function sets no content type.
    merged['Content-Type'] = ['application/json'];
  }
  const text = typeof body === 'string' ? body : '';
  return {
    statusCode: status,
    headers: merged,
    body: isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8'),
  };
}
