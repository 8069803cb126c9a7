/**
 * `npm run bench`: how fast the pipeline is on the local stack, how close to the emulators' limit,
 * and what it would cost on AWS. Every figure is reported beside a baseline measured in the same
 * run, because absolute times drift on a shared 2-core machine. Results: bench/results/
 * (bench-results.json, bench-report.md, latency-over-time.svg). See bench/README.md.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseBenchOptions, SECTIONS, type BenchOptions } from './bench-options';
import type { BenchResults, BurstSummary, InvariantSummary, MixSummary, SteadySummary } from './bench-results';
import { BenchStack } from './bench-stack';
import { waitForPipelineToSettle } from '../test/local/support/invariants';
import { AcceptedOrders, dynamoDbItemBytes, readItems, waitForDrain } from './pipeline-probe';
import { Progress } from './progress';
import { renderMarkdown, renderSvg, evaluateTargets } from './report';
import type { RequestMix } from './request-mix';
import { isolatedApiEnvironment, measureApiLatency, type ApiLatencyResult } from './sections/api-latency';
import { measureColdStarts, type ColdStartResult } from './sections/cold-start';
import { costPerMillionOrders, type CostResult } from './sections/cost';
import {
  criticalPathFloor,
  measureEmulatorLimit,
  recordRequestMixes,
  WARM_UP_MS,
  type EmulatorLimitResult,
  type RecordingResult,
} from './sections/emulator-limit';
import { runSteadyRate, warmUpPipeline, type SteadyRateResult } from './sections/end-to-end';
import { runFlashSale, type FlashSaleResult } from './sections/flash-sale';
import { compareRuns } from './compare';
import { bucketize } from './stats';
import { LAMBDA_STREAM_POLL_INTERVAL_MS } from '../infra/local/runtime/stream-mapping/stream-mapping';

function mixSummary(mix: RequestMix): MixSummary {
  return {
    label: mix.label,
    orders: mix.orders,
    rows: mix.entries.map(({ samples: _samples, requests: _requests, ...row }) => row),
    invocations: mix.invocations,
  };
}

function steadySummary(run: SteadyRateResult): SteadySummary {
  const { apiSamples, completionSamples, relayLagSamples, ...rest } = run;
  return {
    ...rest,
    series: { api: bucketize(apiSamples, 1000), completion: bucketize(completionSamples, 1000), relayLag: bucketize(relayLagSamples, 1000) },
  };
}

function burstSummary(run: FlashSaleResult): BurstSummary {
  const { apiSamples, relayLagSamples, queueObservations, ...rest } = run;
  // One observation per second is plenty for the JSON (the chart is drawn from all of them).
  const queueSeries: { atMs: number; backlog: Record<string, number> }[] = [];
  for (const observation of queueObservations) {
    const last = queueSeries.at(-1);
    if (last !== undefined && observation.atMs - last.atMs < 1000) continue;
    queueSeries.push({
      atMs: observation.atMs,
      backlog: Object.fromEntries(observation.depths.map((depth) => [depth.consumerId, depth.visible + depth.inFlight])),
    });
  }
  return { ...rest, apiSeries: bucketize(apiSamples, 1000), relayLagSeries: bucketize(relayLagSamples, 1000), queueSeries };
}

async function checkInvariants(stack: BenchStack, accepted: AcceptedOrders, options: BenchOptions, timeoutMs: number): Promise<InvariantSummary> {
  const report = await waitForPipelineToSettle(stack, { orders: accepted.all }, { timeoutMs, intervalMs: 5_000 });
  // A stack the bench did not start holds orders it never placed: those are not its to judge.
  const ignoredRules = options.useRunning ? ['stranger'] : [];
  const counted = report.violations.filter((violation) => !ignoredRules.includes(violation.rule));
  const violationsByRule: Record<string, number> = {};
  for (const violation of counted) violationsByRule[violation.rule] = (violationsByRule[violation.rule] ?? 0) + 1;
  return {
    checker: 'test/local/support/invariants.ts (waitForPipelineToSettle)',
    ok: counted.length === 0,
    orderCount: report.orderCount,
    violationsByRule,
    firstViolations: counted.slice(0, 20),
    ignoredRules,
  };
}

async function orderItemWriteUnits(stack: BenchStack, accepted: AcceptedOrders): Promise<number> {
  const sample = accepted.all.at(-1);
  if (sample === undefined) return 1;
  const item = (await readItems(stack, 'orders', [sample.orderId])).get(sample.orderId);
  return item === undefined ? 1 : Math.ceil(dynamoDbItemBytes(item) / 1024);
}

async function main(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2));
  const { profile, sections } = options;
  const startedAt = new Date();
  const loadAverageAtStart = os.loadavg();
  const progress = new Progress();
  progress.note(
    `bench (${profile.name}): sections ${SECTIONS.filter((section) => sections.has(section)).join(', ')}; ` +
      `ports ${options.basePort}…${options.basePort + 5}; LOCAL_TIME_SCALE ${options.timeScale}; load average ${loadAverageAtStart.map((value) => value.toFixed(2)).join(' ')}`,
  );

  let coldStart: ColdStartResult | undefined;
  let recording: RecordingResult | undefined;
  let limit: EmulatorLimitResult | undefined;
  let api: ApiLatencyResult | undefined;
  let steady: SteadyRateResult | undefined;
  let burst: FlashSaleResult | undefined;
  let invariants: InvariantSummary | undefined;
  let cost: { steady: CostResult; burst: CostResult } | undefined;
  const notes: string[] = [];

  if (sections.has('cold-start')) coldStart = await measureColdStarts(profile.coldStartRuns, progress);

  const needsStack = ['recording', 'api', 'steady', 'burst'].some((section) => sections.has(section as never));
  if (needsStack) {
    progress.startPhase(options.useRunning ? 'reading the running stack' : 'starting the local cloud (DynamoDB Local + fauxqs)');
    const stack = await BenchStack.start({
      basePort: options.basePort,
      timeScale: options.timeScale,
      useRunning: options.useRunning,
      functionEnv: options.functionEnv,
      ...(options.echo ? { echo: (line: string) => process.stderr.write(`  | ${line}\n`) } : {}),
    });
    const accepted = new AcceptedOrders();
    const stopOnSignal = (): void => {
      void stack.stop().finally(() => process.exit(130));
    };
    process.once('SIGINT', stopOnSignal);
    process.once('SIGTERM', stopOnSignal);
    try {
      if (sections.has('recording')) {
        recording = await recordRequestMixes(stack, accepted, { steady: profile.recording.steady, burst: profile.recording.burst }, progress);
      }
      if (recording !== undefined && sections.has('limit')) {
        limit = await measureEmulatorLimit(stack, recording.burst, profile.replay, progress);
      }
      if (sections.has('api') || sections.has('steady') || sections.has('burst')) {
        const pipelineSections = sections.has('steady') || sections.has('burst');
        // Each section starts on a drained pipeline: the previous one's orders are through.
        const settle = async (): Promise<void> => {
          progress.startPhase('waiting for the pipeline to drain');
          await waitForDrain(stack, { since: Date.now(), timeoutMs: profile.settleTimeoutMs, orderIds: accepted.all.slice(-50).map((order) => order.orderId) });
        };
        if (sections.has('api')) {
          if (stack.ownsRuntime) {
            progress.startPhase('starting the runtime with the order API on the replay tables (isolated API)');
            await stack.startRuntime('direct', await isolatedApiEnvironment(stack));
          }
          api = await measureApiLatency(stack, accepted, { ...profile.api, isolated: stack.ownsRuntime }, progress);
        }
        if (pipelineSections && stack.ownsRuntime) {
          progress.startPhase('starting the runtime (straight to the emulators)');
          await stack.startRuntime('direct');
        }
        if (sections.has('steady')) {
          await settle();
          await warmUpPipeline(stack, accepted, { ...profile.steady, durationMs: WARM_UP_MS }, progress);
          steady = await runSteadyRate(stack, accepted, profile.steady, progress);
          progress.note(
            `  steady ${profile.steady.ratePerSecond}/s: 202→CONFIRMED p50 ${steady.completion.p50.toFixed(0)} ms p99 ${steady.completion.p99.toFixed(0)} ms; ` +
              `relay lag p50 ${steady.relayLag.p50.toFixed(0)} ms p99 ${steady.relayLag.p99.toFixed(0)} ms`,
          );
        }
        if (sections.has('burst')) {
          await settle();
          burst = await runFlashSale(stack, accepted, profile.burst, progress);
          progress.note(
            `  flash sale: ${burst.accepted}/${burst.orders} accepted at ${burst.apiPerSecond.toFixed(0)}/s; ` +
              `drained in ${((burst.drainMs ?? Number.NaN) / 1000).toFixed(1)} s; end to end ${burst.endToEndPerSecond?.toFixed(1) ?? '-'} orders/s`,
          );
        }
      }
      if (accepted.count > 0) {
        progress.startPhase(`invariants over all ${accepted.count} orders the bench placed`);
        invariants = await checkInvariants(stack, accepted, options, profile.settleTimeoutMs);
        progress.note(`  invariants: ${invariants.ok ? 'no violation' : JSON.stringify(invariants.violationsByRule)}`);
      }
      if (recording !== undefined) {
        const writeUnits = await orderItemWriteUnits(stack, accepted);
        cost = { steady: costPerMillionOrders(recording.steady, writeUnits), burst: costPerMillionOrders(recording.burst, writeUnits) };
      }
    } finally {
      progress.startPhase('stopping the stack');
      await stack.stop();
      process.off('SIGINT', stopOnSignal);
      process.off('SIGTERM', stopOnSignal);
    }
  }
  const relayPublish = recording?.burst.entries.find((entry) => entry.caller === 'OutboxRelay' && entry.action === 'PublishBatch');
  if (relayPublish !== undefined && relayPublish.entriesPerRequest < 2) {
    notes.push(
      `The relay sent ${relayPublish.entriesPerRequest.toFixed(2)} entries per PublishBatch in the burst: with tracing on, TracedEventPublisher publishes each trace's events ` +
        'in a request of their own (one X-Amzn-Trace-Id per request), and every outbox item carries its own request\'s trace. Batching across traces would cut the ' +
        'relay\'s SNS requests about tenfold (SNS bills per message either way); it would move the publish out of the causing trace, so it is left as it is.',
    );
  }
  if (Object.keys(options.functionEnv).length > 0) notes.push(`Run with --function-env ${JSON.stringify(options.functionEnv)}.`);
  if (options.useRunning) notes.push('--use-running: the recording, the replay (emulator limit) and the cost need the bench\'s own runtime behind its proxy and were skipped.');

  const results: BenchResults = {
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    profile: profile.name,
    timeScale: options.timeScale,
    useRunning: options.useRunning,
    machine: { node: process.version, cpus: os.cpus().length, loadAverageAtStart, loadAverageAtEnd: os.loadavg() },
    ...(coldStart === undefined ? {} : { coldStart }),
    ...(recording === undefined ? {} : { recording: { steady: mixSummary(recording.steady), burst: mixSummary(recording.burst) } }),
    ...(limit === undefined ? {} : { limit: { ...limit, criticalPath: criticalPathFloor(limit.unloaded) } }),
    ...(api === undefined ? {} : { api: { blockMs: api.blockMs, rounds: api.rounds, isolated: api.isolated, levels: api.levels } }),
    ...(steady === undefined ? {} : { steady: steadySummary(steady) }),
    ...(burst === undefined ? {} : { burst: burstSummary(burst) }),
    ...(invariants === undefined ? {} : { invariants }),
    ...(cost === undefined ? {} : { cost }),
    relayPollIntervalMs: LAMBDA_STREAM_POLL_INTERVAL_MS,
    targets: [],
    notes,
  };
  const baseline = readBaseline(options.baselineFile, notes);
  const judged: BenchResults = {
    ...results,
    targets: evaluateTargets(results),
    ...(baseline === undefined
      ? {}
      : { comparedWith: { file: path.relative(process.cwd(), options.baselineFile), comparison: compareRuns(baseline, results) } }),
  };

  mkdirSync(options.outDir, { recursive: true });
  writeFileSync(path.join(options.outDir, 'bench-results.json'), `${JSON.stringify(judged, null, 2)}\n`);
  writeFileSync(path.join(options.outDir, 'bench-report.md'), renderMarkdown(judged));
  writeFileSync(path.join(options.outDir, 'latency-over-time.svg'), renderSvg(judged, { steady, burst, api }));
  progress.finish();
  process.stdout.write(`${renderMarkdown(judged)}\nresults in ${path.relative(process.cwd(), options.outDir)}/\n`);
}

/** The run to compare with, read before this run's results may overwrite it. */
function readBaseline(file: string, notes: string[]): BenchResults | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as BenchResults;
  } catch (error) {
    notes.push(`No comparison: the baseline ${file} could not be read (${error instanceof Error ? error.message : String(error)}).`);
    return undefined;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
