import { apiCpuCeiling, endToEndCpuCeiling, rawWriterCores } from '../../../bench/cpu-budget';
import type { BenchResults } from '../../../bench/bench-results';

/** Only what the CPU budget reads; the rest of a run's results does not matter to it. */
function resultsWith(parts: { api?: unknown; burst?: unknown; limit?: unknown }, cpus = 2): BenchResults {
  return { machine: { cpus }, ...parts } as unknown as BenchResults;
}

const latency = (p50: number) => ({ p50, p95: p50, p99: p50, count: 1 });

describe('apiCpuCeiling', () => {
  const level = {
    concurrency: 8,
    api: { perSecond: 150, latency: latency(52), cpuPerRequest: { 'dynamodb-local': 6, runtime: 1, 'lambda-environments': 5, bench: 0.5 } },
    rawTransaction: { perSecond: 180, latency: latency(35), cpuPerRequest: { 'dynamodb-local': 5.5, bench: 0.4 } },
  };

  it('sums every process group, divides the cores by it, and turns the latency target into a rate and a CPU budget', () => {
    const ceiling = apiCpuCeiling(resultsWith({ api: { levels: [level] } }), 8, 5);
    expect(ceiling).toBeDefined();
    expect(ceiling?.cpuMsPerOrder).toBeCloseTo(12.5);
    expect(ceiling?.ceilingPerSecond).toBeCloseTo(160);
    expect(ceiling?.measuredPerSecond).toBe(150);
    // 8 clients at (35 + 5) ms each: 200 orders/s, so 2 cores leave 10 ms per request.
    expect(ceiling?.targetPerSecond).toBeCloseTo(200);
    expect(ceiling?.cpuBudgetMsPerOrder).toBeCloseTo(10);
  });

  it('uses the machine it ran on', () => {
    expect(apiCpuCeiling(resultsWith({ api: { levels: [level] } }, 4), 8, 5)?.ceilingPerSecond).toBeCloseTo(320);
  });

  it('says nothing for a level that was not run or a run without CPU figures', () => {
    expect(apiCpuCeiling(resultsWith({ api: { levels: [level] } }), 32, 5)).toBeUndefined();
    expect(apiCpuCeiling(resultsWith({}), 8, 5)).toBeUndefined();
    const noCpu = { ...level, api: { ...level.api, cpuPerRequest: {} } };
    expect(apiCpuCeiling(resultsWith({ api: { levels: [noCpu] } }), 8, 5)).toBeUndefined();
  });
});

describe('endToEndCpuCeiling', () => {
  it('sets the flash sale beside what its CPU per order allows and what the target leaves', () => {
    const ceiling = endToEndCpuCeiling(
      resultsWith({
        burst: { endToEndPerSecond: 34.5, cpuPerOrder: { 'dynamodb-local': 15.3, fauxqs: 2.7, runtime: 3.2, 'lambda-environments': 33.5, bench: 1.3 } },
        limit: { limit: { ordersPerSecond: 84.1 } },
      }),
      0.7,
    );
    expect(ceiling?.cpuMsPerOrder).toBeCloseTo(56.0);
    expect(ceiling?.ceilingPerSecond).toBeCloseTo(35.71, 1);
    expect(ceiling?.targetPerSecond).toBeCloseTo(58.87, 1);
    expect(ceiling?.cpuBudgetMsPerOrder).toBeCloseTo(33.97, 1);
  });

  it('needs both the flash sale and the replay', () => {
    expect(endToEndCpuCeiling(resultsWith({ limit: { limit: { ordersPerSecond: 84.1 } } }), 0.7)).toBeUndefined();
    expect(endToEndCpuCeiling(resultsWith({ burst: { endToEndPerSecond: 1, cpuPerOrder: { bench: 1 } } }), 0.7)).toBeUndefined();
  });
});

describe('rawWriterCores', () => {
  it('is the raw rate times DynamoDB Local CPU per write', () => {
    const level = {
      concurrency: 8,
      api: { perSecond: 150, latency: latency(52), cpuPerRequest: {} },
      rawTransaction: { perSecond: 172, latency: latency(45), cpuPerRequest: { 'dynamodb-local': 5.8, bench: 0.4 } },
    };
    expect(rawWriterCores(resultsWith({ api: { levels: [level] } }), 8)).toBeCloseTo(0.998, 3);
    expect(rawWriterCores(resultsWith({ api: { levels: [level] } }), 1)).toBeUndefined();
  });
});
