import { DependencyUnavailableError } from '../../../src/order/domain/errors';
import { answerBeforeTimeout, RESPONSE_MARGIN_MS } from '../../../src/order/handlers/answer-before-timeout';

beforeEach(() => {
  jest.useFakeTimers();
});

afterEach(() => {
  jest.useRealTimers();
});

describe('answerBeforeTimeout', () => {
  it('settles with the work when it finishes in time', async () => {
    // Prepare
    const work = new Promise<string>((resolve) => setTimeout(() => resolve('done'), 1_000));

    // Act
    const answered = answerBeforeTimeout(work, 3_000);
    await jest.advanceTimersByTimeAsync(1_000);

    // Assess
    await expect(answered).resolves.toBe('done');
  });

  it('passes the work’s own failure through', async () => {
    // Act, Assess
    await expect(answerBeforeTimeout(Promise.reject(new TypeError('bug')), 3_000)).rejects.toThrow(TypeError);
  });

  it('fails as a dependency outage just before the invocation would time out', async () => {
    // Prepare
    const never = new Promise<never>(() => undefined);
    const answered = answerBeforeTimeout(never, 3_000);
    const outcome = answered.catch((error: unknown) => error);

    // Act
    await jest.advanceTimersByTimeAsync(3_000 - RESPONSE_MARGIN_MS - 1);
    const early = await Promise.race([outcome, Promise.resolve('still waiting')]);
    await jest.advanceTimersByTimeAsync(1);

    // Assess
    expect(early).toBe('still waiting');
    expect(await outcome).toBeInstanceOf(DependencyUnavailableError);
  });
});
