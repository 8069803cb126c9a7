import type { BenchResults } from '../../../bench/bench-results';
import { evaluateTargets, renderMarkdown } from '../../../bench/report';
import type { BundleMeasurement } from '../../../bench/sections/cold-start';
import { RUN_HEADER } from './bench-run-fixture';

const KB = 1024;

function bundleMeasurement(functionId: string, floor: { bytes: number; loadMs: number } | undefined): BundleMeasurement {
  return {
    functionId,
    memorySizeMb: 256,
    bundleBytes: 480 * KB,
    baselineBytes: 250 * KB,
    loadMs: 90,
    baselineLoadMs: 60,
    loadCpuMs: 100,
    baselineLoadCpuMs: 70,
    ...(floor === undefined ? {} : { requiredFloor: { ...floor, loadCpuMs: floor.loadMs, libraries: ['logger', 'metrics', 'tracer'] } }),
    sdkClients: ['DynamoDBDocumentClient'],
    topPackages: [],
  };
}

/** A run with only the cold-start section; the report must cope with every other section missing. */
function coldStartOnly(functions: readonly BundleMeasurement[]): BenchResults {
  return { ...RUN_HEADER, coldStart: { runs: 11, functions }, relayPollIntervalMs: 250 };
}

describe('the required-libraries floor in the bench report', () => {
  it('names the floor range beside the size and load targets', () => {
    // Prepare
    const results = coldStartOnly([
      bundleMeasurement('Payment', { bytes: 450 * KB, loadMs: 84 }),
      bundleMeasurement('OrderApi', { bytes: 390 * KB, loadMs: 75 }),
    ]);

    // Act
    const targets = evaluateTargets(results);

    // Assess
    const size = targets.find((target) => target.name === 'Bundle size');
    const load = targets.find((target) => target.name === 'Load time');
    expect(size?.measured).toContain('the required libraries alone (section 6): 390 KB–450 KB');
    expect(load?.measured).toContain('the required libraries alone (section 6): 1.25×–1.40×');
    expect([size?.met, load?.met]).toEqual([false, false]);
  });

  it('counts the functions whose floor alone misses each target, and what each function adds on top', () => {
    // Prepare: Payment's floor misses both targets, OrderApi's neither.
    const results = coldStartOnly([
      bundleMeasurement('Payment', { bytes: 450 * KB, loadMs: 84 }),
      bundleMeasurement('OrderApi', { bytes: 390 * KB, loadMs: 75 }),
    ]);

    // Act
    const report = renderMarkdown(results);

    // Assess
    expect(report).toContain('exceed the 400 KB size target in 1 of 2 functions (Payment), and the 1.3 × load target in 1 of 2 (Payment).');
    expect(report).toContain('| Payment | logger, metrics, tracer | 450 KB | 1.80× | 84 ms | 1.40× | 30 KB | 6 ms |');
  });

  it('leaves the floor out of a report whose run did not measure it', () => {
    // Prepare: results written before the floor existed.
    const results = coldStartOnly([bundleMeasurement('Payment', undefined)]);

    // Act
    const report = renderMarkdown(results);
    const targets = evaluateTargets(results);

    // Assess
    expect(report).not.toContain('required libraries');
    expect(targets.find((target) => target.name === 'Bundle size')?.measured).toBe('largest 480 KB; over: Payment');
  });
});
