import type { MalformedRequest } from './malformed-order-requests';
import type { RawResponse } from './raw-http';

/** What an error name in an answer must look like: the class name, not a minified one. */
const ERROR_NAME = /^[A-Z][A-Za-z]{2,}Error$/;

/**
 * Everything wrong with the answer to a malformed request, as sentences (empty: nothing). An
 * answer must be the expected 4xx, a JSON object with a message a person can read, and, for a 400,
 * `issues` that each name a path and that include the path the request broke.
 */
export function answerProblems(sent: MalformedRequest, answer: RawResponse): string[] {
  const problems: string[] = [];
  if (answer.status >= 500) problems.push(`answered ${answer.status}: a server error`);
  else if (answer.status < 400) problems.push(`answered ${answer.status}: accepted`);
  if (answer.status !== sent.expected.status) problems.push(`answered ${answer.status} where ${sent.expected.status} was expected`);

  const contentType = String(answer.headers['content-type'] ?? '');
  if (!/^application\/json\b/i.test(contentType)) problems.push(`Content-Type is ${JSON.stringify(contentType)}, not JSON`);
  let body: unknown;
  try {
    body = JSON.parse(answer.body.toString('utf8'));
  } catch {
    return [...problems, `body is not JSON: ${JSON.stringify(answer.body.toString('utf8').slice(0, 120))}`];
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return [...problems, 'body is not a JSON object'];

  const { message, error, issues } = body as Record<string, unknown>;
  if (typeof message !== 'string' || message.trim() === '') problems.push('no message');
  // API Gateway's own answers (403 Missing Authentication Token) have a message only.
  if (error !== undefined && (typeof error !== 'string' || !ERROR_NAME.test(error))) {
    problems.push(`error ${JSON.stringify(error)} is not a readable error name`);
  }
  if (answer.status === 400) problems.push(...issueProblems(issues, sent.expected.issuePath));
  return problems;
}

function issueProblems(issues: unknown, expectedPath: string | undefined): string[] {
  if (!Array.isArray(issues) || issues.length === 0) return ['a 400 without issues'];
  const wellFormed = issues.every(
    (issue: unknown) =>
      typeof issue === 'object' &&
      issue !== null &&
      'path' in issue &&
      typeof issue.path === 'string' &&
      'message' in issue &&
      typeof issue.message === 'string' &&
      issue.message !== '',
  );
  if (!wellFormed) return [`issues without a path or a message: ${JSON.stringify(issues).slice(0, 200)}`];
  const paths = (issues as { path: string }[]).map((issue) => issue.path);
  if (expectedPath !== undefined && !paths.includes(expectedPath)) {
    return [`no issue names ${JSON.stringify(expectedPath)}; they name ${JSON.stringify(paths)}`];
  }
  return [];
}
