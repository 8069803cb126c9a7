import type { QueueStatus, StatusReport } from '../../../ops/collect-status';
import { formatDuration } from '../../../ops/format-duration';
import { formatStatus } from '../../../ops/format-status';
import { terminalStyle, visibleWidth } from '../../../ops/terminal-style';
import { renderTable } from '../../../ops/text-table';

const plain = terminalStyle({ isTTY: false, env: {} });

function aQueue(overrides: Partial<QueueStatus> = {}): QueueStatus {
  return { name: 'payment', kind: 'queue', consumerId: 'Payment', visible: 0, inFlight: 0, delayed: 0, oldestAgeMs: undefined, ageSource: 'empty', ...overrides };
}

function aReport(overrides: Partial<StatusReport> = {}): StatusReport {
  return {
    target: 'stack OrderPipelineStack in eu-west-1',
    kind: 'aws',
    generatedAt: '2026-11-29T01:20:00.000Z',
    peekMethod: 'sqs-receive',
    queues: [
      aQueue({ visible: 12, inFlight: 3, ageSource: 'not-measured' }),
      aQueue({ name: 'payment-dlq', kind: 'dlq', visible: 2, oldestAgeMs: 134_000, ageSource: 'peek' }),
      aQueue({ name: 'outbox-relay-failures', kind: 'relay-failures', consumerId: undefined, visible: 60, oldestAgeMs: 7_200_000, ageSource: 'peek-partial' }),
    ],
    outbox: { ok: true, value: { pending: 0, oldestPendingCreatedAt: undefined, oldestPendingEventId: undefined, method: 'pending-index', itemsRead: 0, truncated: false } },
    relay: { ok: true, value: { available: false, reason: "on AWS, see the relay mapping's IteratorAge metric (CloudWatch)" } },
    ...overrides,
  };
}

describe('formatStatus', () => {
  it('prints one aligned row per queue, with the age of the oldest message where it was measured', () => {
    // Prepare
    const report = aReport();

    // Act
    const lines = formatStatus(report, plain);

    // Assess
    expect(lines.slice(3, 7)).toEqual([
      'QUEUE                  KIND            VISIBLE  IN FLIGHT  DELAYED    OLDEST',
      'payment                queue                12          3        0      n/a¹',
      'payment-dlq            dlq                   2          0        0    2m 14s',
      'outbox-relay-failures  relay-failures       60          0        0  ≥ 2h 00m',
    ]);
  });

  it('explains why an age is n/a and where AWS keeps it', () => {
    // Prepare
    const report = aReport();

    // Act
    const lines = formatStatus(report, plain);

    // Assess
    expect(lines.join('\n')).toContain('¹ not measured: a receive on a queue with a redrive policy counts toward maxReceiveCount');
    expect(lines.join('\n')).toContain('CloudWatch metric ApproximateAgeOfOldestMessage');
    expect(lines).toContain("Relay lag       n/a: on AWS, see the relay mapping's IteratorAge metric (CloudWatch)");
  });

  it('says a bounded scan of the outbox stopped at its bound and that the count is a lower bound', () => {
    // Prepare
    const report = aReport({
      outbox: {
        ok: true,
        value: {
          pending: 7,
          oldestPendingCreatedAt: '2026-11-29T01:15:00.000Z',
          oldestPendingEventId: 'event-7',
          method: 'bounded-scan',
          itemsRead: 10_000,
          truncated: true,
        },
      },
    });

    // Act
    const lines = formatStatus(report, plain);

    // Assess
    expect(lines).toContain(
      'Outbox backlog  7+ pending, oldest created 2026-11-29T01:15:00.000Z (5m 00s ago, event event-7)  ' +
        '(no pending-by-age index on the table: bounded scan, 10000 item(s) read, STOPPED AT THE BOUND: counts are a lower bound)',
    );
  });

  it('prints the relay lag of each shard of the local stream', () => {
    // Prepare
    const report = aReport({
      kind: 'local',
      peekMethod: 'fauxqs-inspection',
      relay: {
        ok: true,
        value: {
          available: true,
          checkpointDir: '/data/stream-checkpoints',
          shards: [
            {
              shardId: 'shardId-00000001795914635122-7712ad57',
              checkpoint: '000000000000000000012',
              checkpointUpdatedAt: '2026-11-29T01:19:00.000Z',
              shardEnded: false,
              recordsBehind: 3,
              newestSequenceNumber: '000000000000000000015',
              oldestUnconsumedAt: '2026-11-29T01:19:00.000Z',
              truncated: false,
            },
          ],
        },
      },
    });

    // Act
    const lines = formatStatus(report, plain);

    // Assess
    expect(lines).toContain(
      'Relay lag       shard …122-7712ad57: checkpoint 000000000000000000012, 3 record(s) behind (newest 000000000000000000015), ' +
        'oldest unconsumed written ~1m 00s ago (minute precision locally)',
    );
    expect(lines.join('\n')).toContain("from fauxqs's inspection endpoint");
  });

  it('shows a section that could not be read instead of failing the whole report', () => {
    // Prepare
    const report = aReport({ outbox: { ok: false, error: 'ResourceNotFoundException: table gone' } });

    // Act
    const lines = formatStatus(report, plain);

    // Assess
    expect(lines).toContain('Outbox backlog  unavailable: ResourceNotFoundException: table gone');
  });
});

describe('renderTable', () => {
  it('aligns columns on their visible width, numbers to the right, colour codes included', () => {
    // Prepare
    const red = terminalStyle({ isTTY: true, env: {} }).red;

    // Act
    const lines = renderTable([{ header: 'NAME' }, { header: 'N', align: 'right' }], [['a', red('7')], ['longer', '123']]);

    // Assess
    expect(lines.map(visibleWidth)).toEqual([11, 11, 11]);
    expect(lines[1]).toBe(`a         ${red('7')}`);
    expect(lines[2]).toBe('longer  123');
  });
});

describe('terminalStyle', () => {
  it.each([
    ['not a terminal', { isTTY: false, env: {} }],
    ['NO_COLOR is set', { isTTY: true, env: { NO_COLOR: '1' } }],
  ])('prints no colour codes when %s', (_case, options) => {
    // Act
    const style = terminalStyle(options);

    // Assess
    expect(style.enabled).toBe(false);
    expect(style.red('x')).toBe('x');
  });

  it('colours on a terminal', () => {
    // Act
    const style = terminalStyle({ isTTY: true, env: {} });

    // Assess
    expect(style.red('x')).toBe('\u001b[31mx\u001b[39m');
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [950, '950 ms'],
    [12_340, '12.3 s'],
    [245_000, '4m 05s'],
    [11_520_000, '3h 12m'],
    [187_200_000, '2d 04h'],
  ])('formats %d ms as %s', (milliseconds, expected) => {
    // Act
    const text = formatDuration(milliseconds);

    // Assess
    expect(text).toBe(expected);
  });
});
