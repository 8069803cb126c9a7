import type { APIGatewayProxyResult } from 'aws-lambda';
import { logger } from '../../common/observability';
import {
  DependencyUnavailableError,
  IdempotencyKeyReusedError,
  OrderNotFoundError,
  ValidationError,
} from '../domain/errors';
import {
  MalformedRequestError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  RouteNotFoundError,
  UnsupportedMediaTypeError,
} from './http-request';
import { jsonResponse } from './http-response';

/**
 * The one place where errors become HTTP responses. A named error answers its status with
 * `{ error: <its name>, message }`; anything else is a 500 whose details stay in the logs.
 */
export function errorResponse(error: unknown, correlationId: string): APIGatewayProxyResult {
  // Every 400 names what is wrong in `issues`, a path each (`''` is the whole body).
  if (error instanceof ValidationError || error instanceof MalformedRequestError) {
    return jsonResponse(400, { error: error.name, message: error.message, issues: error.issues }, correlationId);
  }
  if (error instanceof OrderNotFoundError || error instanceof RouteNotFoundError) return named(404, error, correlationId);
  if (error instanceof MethodNotAllowedError) {
    return named(405, error, correlationId, { Allow: error.allowed.join(', ') });
  }
  if (error instanceof PayloadTooLargeError) return named(413, error, correlationId);
  if (error instanceof UnsupportedMediaTypeError) return named(415, error, correlationId);
  // draft-ietf-httpapi-idempotency-key-header: a key reused with a different payload is 422.
  if (error instanceof IdempotencyKeyReusedError) return named(422, error, correlationId);
  if (error instanceof DependencyUnavailableError) {
    logger.warn('A dependency is unavailable', { error });
    return jsonResponse(
      503,
      { error: 'ServiceUnavailable', message: 'The service is temporarily unavailable; retry shortly' },
      correlationId,
      { 'Retry-After': '1' },
    );
  }
  logger.error('Unexpected error', { error });
  return jsonResponse(500, { error: 'InternalServerError', message: 'The request could not be processed' }, correlationId);
}

function named(
  statusCode: number,
  error: Error,
  correlationId: string,
  headers: Readonly<Record<string, string>> = {},
): APIGatewayProxyResult {
  return jsonResponse(statusCode, { error: error.name, message: error.message }, correlationId, headers);
}
