import type { APIGatewayProxyResult } from 'aws-lambda';

/** A JSON response; every response of the API carries the request's correlation id. */
export function jsonResponse(
  statusCode: number,
  body: unknown,
  correlationId: string,
  headers: Readonly<Record<string, string>> = {},
): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json', 'X-Correlation-Id': correlationId, ...headers },
    body: JSON.stringify(body),
  };
}
