import { pendingBucketOf, pendingBuckets } from '../../../src/common/outbox-item';
import { TABLES } from '../../../src/common/settings';

const eventIds = Array.from({ length: 2_000 }, (_, n) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`);

describe('pendingBucketOf', () => {
  it('answers the same bucket for an event id every time', () => {
    // Act
    const first = eventIds.map(pendingBucketOf);
    const again = eventIds.map(pendingBucketOf);

    // Assess
    expect(again).toEqual(first);
  });

  it('answers one of the buckets the sweeper queries', () => {
    // Prepare
    const buckets = new Set(pendingBuckets());

    // Act
    const answered = new Set(eventIds.map(pendingBucketOf));

    // Assess
    expect([...answered].every((bucket) => buckets.has(bucket))).toBe(true);
  });

  it('spreads event ids evenly enough that no bucket takes twice its share', () => {
    // Prepare
    const share = eventIds.length / TABLES.outbox.pendingIndex.buckets;

    // Act
    const counts = new Map<string, number>();
    for (const eventId of eventIds) {
      const bucket = pendingBucketOf(eventId);
      counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
    }

    // Assess
    expect(counts.size).toBe(TABLES.outbox.pendingIndex.buckets);
    expect(Math.max(...counts.values())).toBeLessThan(2 * share);
  });
});

describe('pendingBuckets', () => {
  it('names every bucket once, after the PENDING status', () => {
    // Act
    const buckets = pendingBuckets();

    // Assess
    expect(buckets).toHaveLength(TABLES.outbox.pendingIndex.buckets);
    expect(new Set(buckets).size).toBe(buckets.length);
    expect(buckets[0]).toBe('PENDING#0');
  });
});
