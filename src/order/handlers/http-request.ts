import type { APIGatewayProxyEvent } from 'aws-lambda';
import { PipelineError, type ValidationIssue } from '../../common/errors';
import { ORDER_API_LIMITS } from '../../common/settings';
import { ValidationError } from '../domain/errors';

/** Reading an API Gateway REST API (v1) proxy request: headers, body, and what is wrong with them. */

export class UnsupportedMediaTypeError extends PipelineError {
  constructor() {
    super('Content-Type must be application/json');
  }
}

export class PayloadTooLargeError extends PipelineError {
  constructor(limitBytes: number) {
    super(`The request body exceeds ${String(limitBytes)} bytes`);
  }
}

/** A body that is missing or is not JSON at all (as opposed to JSON that breaks the rules). */
export class MalformedRequestError extends PipelineError {
  /** One issue about the whole body (the empty path), so that every 400 lists its issues alike. */
  readonly issues: readonly ValidationIssue[];

  // Public, where PipelineError's constructor is protected.
  public constructor(message: string) {
    super(message);
    this.issues = [{ path: '', message }];
  }
}

/** The route exists nowhere in the API. */
export class RouteNotFoundError extends PipelineError {
  constructor(method: string, resource: string) {
    super(`No route for ${method} ${resource}`);
  }
}

/** The route exists but not for this method. */
export class MethodNotAllowedError extends PipelineError {
  constructor(
    method: string,
    readonly allowed: readonly string[],
  ) {
    super(`Method ${method} is not allowed here`);
  }
}

/** Header names are case-insensitive (RFC 9110), and REST APIs pass them as the client spelled them. */
export function headerValue(event: Pick<APIGatewayProxyEvent, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  // `headers` is null when a request has none (for example a console test event).
  const headers = (event.headers as APIGatewayProxyEvent['headers'] | null) ?? {};
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

const CORRELATION_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's X-Correlation-Id when it is well formed; otherwise the caller gets a new one. */
export function correlationIdOf(event: Pick<APIGatewayProxyEvent, 'headers'>): string | undefined {
  const value = headerValue(event, 'X-Correlation-Id');
  return value !== undefined && CORRELATION_ID_PATTERN.test(value) ? value : undefined;
}

/** Printable ASCII, space to tilde. */
const PRINTABLE_ASCII = /^[\x20-\x7E]+$/;

/** The Idempotency-Key header, if any; present but malformed is a ValidationError. */
export function idempotencyKeyOf(event: Pick<APIGatewayProxyEvent, 'headers'>): string | undefined {
  const value = headerValue(event, 'Idempotency-Key');
  if (value === undefined) return undefined;
  if (value.length > ORDER_API_LIMITS.maxIdempotencyKeyLength || !PRINTABLE_ASCII.test(value)) {
    throw new ValidationError([
      {
        path: 'headers.Idempotency-Key',
        message: `must be 1 to ${String(ORDER_API_LIMITS.maxIdempotencyKeyLength)} printable ASCII characters`,
      },
    ]);
  }
  return value;
}

/**
 * The JSON body, checked in the order a server should: media type (415), size (413), then syntax
 * (400). The size is counted in bytes of the decoded body, so a base64-encoded body (binary media
 * types) is neither over- nor under-counted.
 */
export function jsonBodyOf(event: Pick<APIGatewayProxyEvent, 'headers' | 'body' | 'isBase64Encoded'>): unknown {
  if (!isJsonMediaType(headerValue(event, 'Content-Type'))) throw new UnsupportedMediaTypeError();
  if (event.body === null || event.body === '') throw new MalformedRequestError('The request body is required');
  const bytes = Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
  if (bytes.byteLength > ORDER_API_LIMITS.maxBodyBytes) throw new PayloadTooLargeError(ORDER_API_LIMITS.maxBodyBytes);
  const text = bytes.toString('utf8');
  if (text.trim() === '') throw new MalformedRequestError('The request body is required');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new MalformedRequestError('The request body is not valid JSON');
  }
}

/** `application/json`, in any case, with or without parameters such as `; charset=utf-8`. */
function isJsonMediaType(contentType: string | undefined): boolean {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  return mediaType === 'application/json';
}
