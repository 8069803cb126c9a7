import { ENV, OUTBOX_SENT_TTL_SECONDS } from '../../../src/common/settings';
import { sentTtlSeconds } from '../../../src/outbox-relay/sent-ttl-seconds';

describe('sentTtlSeconds', () => {
  it('keeps SENT items for the shared default when the environment does not say', () => {
    // Act
    const seconds = sentTtlSeconds({});

    // Assess
    expect(seconds).toBe(OUTBOX_SENT_TTL_SECONDS);
  });

  it('takes the retention from the environment when it is set', () => {
    // Act
    const seconds = sentTtlSeconds({ [ENV.outboxSentTtlSeconds]: '60' });

    // Assess
    expect(seconds).toBe(60);
  });

  it.each(['abc', '0', '-5', '1.5', '1e30'])('refuses %s at cold start', (configured) => {
    // Act
    const reading = (): number => sentTtlSeconds({ [ENV.outboxSentTtlSeconds]: configured });

    // Assess
    expect(reading).toThrow(ENV.outboxSentTtlSeconds);
  });
});
