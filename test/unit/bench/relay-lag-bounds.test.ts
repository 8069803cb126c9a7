import type { BenchResults, SteadySummary } from '../../../bench/bench-results';
import { evaluateTargets, renderMarkdown } from '../../../bench/report';
import type { LatencySummary } from '../../../bench/stats';
import { latency, RUN_HEADER } from './bench-run-fixture';

/** A run with only the steady-rate section; `relayLagFrom202` is absent from runs made before it existed. */
function steadyOnly(relayLagFrom202: LatencySummary | undefined, relayPollIntervalMs = 250): BenchResults {
  const steady: SteadySummary = {
    ratePerSecond: 20,
    durationMs: 30_000,
    sent: 600,
    accepted: 600,
    rejected: {},
    confirmed: 600,
    drained: true,
    apiLatency: latency(45),
    completion: latency(1600),
    relayLag: latency(114),
    ...(relayLagFrom202 === undefined ? {} : { relayLagFrom202 }),
    series: { api: [], completion: [], relayLag: [] },
  };
  return { ...RUN_HEADER, steady, relayPollIntervalMs };
}

describe('the relay lag measured from the 202 in the bench report', () => {
  it('shows the lag from the 202 as a lower bound beside the target, which stays judged from createdAt', () => {
    // Prepare
    const results = steadyOnly(latency(71));

    // Act
    const relayLag = evaluateTargets(results).find((target) => target.name === 'Relay lag');
    const markdown = renderMarkdown(results);

    // Assess
    expect(relayLag?.measured).toBe('p50 114 ms (publish latency not measured); from the 202, which follows the commit: p50 71 ms');
    expect(markdown).toContain('| relay lag from the 202 (202 received → sentAt) | 71 ms |');
    expect(markdown).toContain('the lag from the commit lies between the two relay lag rows');
  });

  it('leaves the lower bound out of the report of a run that did not measure it', () => {
    // Act
    const relayLag = evaluateTargets(steadyOnly(undefined)).find((target) => target.name === 'Relay lag');
    const markdown = renderMarkdown(steadyOnly(undefined));

    // Assess
    expect(relayLag?.measured).toBe('p50 114 ms (publish latency not measured)');
    expect(markdown).toContain('| relay lag (outbox createdAt → sentAt) | 114 ms |');
    expect(markdown).not.toContain('from the 202');
  });

  it("states the poll interval the run recorded, so an older run's report keeps its own", () => {
    // Act
    const current = renderMarkdown(steadyOnly(undefined));
    const older = renderMarkdown(steadyOnly(undefined, 100));

    // Assess
    expect(current).toContain('| poll interval 250 ms + one PublishBatch');
    expect(older).toContain('| poll interval 100 ms + one PublishBatch');
  });
});
