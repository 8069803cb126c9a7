/** The run's targets, the Markdown report and the latency-over-time chart, from the results. */
import type { BenchResults, MixSummary, Target } from './bench-results';
import { PRICE_TABLE } from './aws-prices';
import { apiCpuCeiling, apiOutsideDynamoDb, endToEndCpuCeiling, rawWriterCores } from './cpu-budget';
import type { CpuComponent } from './process-cpu';
import type { ApiLatencyResult } from './sections/api-latency';
import type { BundleMeasurement } from './sections/cold-start';
import type { SteadyRateResult } from './sections/end-to-end';
import type { FlashSaleResult } from './sections/flash-sale';
import { renderComparison } from './compare';
import { renderChart, type Panel } from './svg-chart';
import { bucketize, round, type LatencySummary } from './stats';

const TARGET_API_GAP_MS = 5;
const TARGET_LIMIT_FRACTION = 0.7;
const TARGET_BUNDLE_BYTES = 400 * 1024;
const TARGET_LOAD_RATIO = 1.3;

function ms(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '–' : `${round(value)} ms`;
}

function num(value: number | undefined, digits = 1): string {
  return value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(0)} KB`;
}

function seconds(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '–' : `${(value / 1000).toFixed(1)} s`;
}

function clock(durationMs: number): string {
  const total = Math.round(durationMs / 1000);
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

/** The relay's PublishBatch at concurrency 1 (the replay's unloaded run). */
export function unloadedPublishMs(results: BenchResults): number | undefined {
  const unloaded = results.limit?.unloaded;
  if (unloaded === undefined) return undefined;
  return (unloaded.latencyByCallerAction['OutboxRelay sns PublishBatch'] ?? unloaded.latencyByAction['sns PublishBatch'])?.p50;
}

/** What the end-to-end target needs of the CPU (section 3 derives it), beside what the run took. */
function endToEndCpuNeeded(results: BenchResults): string {
  const ceiling = endToEndCpuCeiling(results, TARGET_LIMIT_FRACTION);
  if (ceiling === undefined) return '';
  return `; needs ≤ ${num(ceiling.cpuBudgetMsPerOrder, 1)} CPU ms per order, took ${num(ceiling.cpuMsPerOrder, 1)}`;
}

/** The two CPU conditions of the API target (section 1 derives them), beside what the run took. */
function apiCpuNeeded(results: BenchResults): string {
  const ceiling = apiCpuCeiling(results, 8, TARGET_API_GAP_MS);
  const outside = ceiling === undefined ? undefined : apiOutsideDynamoDb(results, 8, ceiling);
  if (ceiling === undefined || outside === undefined) return '';
  return (
    `; needs ≤ ${num(ceiling.cpuBudgetMsPerOrder, 2)} CPU ms per request in all and ≤ ${num(outside.budgetMsPerRequest, 2)} outside DynamoDB Local, ` +
    `which runs the transactions one at a time; took ${num(ceiling.cpuMsPerOrder, 2)} and ${num(outside.tookMsPerRequest, 2)}`
  );
}

export function evaluateTargets(results: BenchResults): Target[] {
  const targets: Target[] = [];
  const c8 = results.api?.levels.find((level) => level.concurrency === 8);
  targets.push({
    name: 'API latency',
    goal: `POST /orders p50 within ${TARGET_API_GAP_MS} ms of the raw TransactWriteItems p50 at concurrency 8`,
    measured:
      c8 === undefined
        ? 'not run'
        : `API ${ms(c8.api.latency.p50)} vs raw ${ms(c8.rawTransaction.latency.p50)} (${num(c8.api.latency.p50 - c8.rawTransaction.latency.p50)} ms)` +
          apiCpuNeeded(results),
    met: c8 === undefined ? undefined : c8.api.latency.p50 - c8.rawTransaction.latency.p50 <= TARGET_API_GAP_MS,
  });
  const limit = results.limit?.limit.ordersPerSecond;
  const endToEnd = results.burst?.endToEndPerSecond;
  targets.push({
    name: 'End-to-end throughput',
    goal: `flash-sale orders/s end to end ≥ ${TARGET_LIMIT_FRACTION * 100} % of the replayed emulator limit`,
    measured:
      limit === undefined || endToEnd === undefined
        ? 'not run'
        : `${num(endToEnd)} of ${num(limit)} orders/s (${num((endToEnd / limit) * 100, 0)} %)` +
          endToEndCpuNeeded(results),
    met: limit === undefined || endToEnd === undefined ? undefined : endToEnd / limit >= TARGET_LIMIT_FRACTION,
  });
  const publish = unloadedPublishMs(results);
  const lag = results.steady?.relayLag.p50;
  const lagFrom202 = results.steady?.relayLagFrom202?.p50;
  // Judged on createdAt → sentAt, which starts before the commit; the lag from the 202 starts after it (a lower bound).
  const lowerBound = lagFrom202 === undefined ? '' : `; from the 202, which follows the commit: p50 ${ms(lagFrom202)}`;
  targets.push({
    name: 'Relay lag',
    goal: 'outbox createdAt → sentAt p50 ≤ one poll interval + one publish',
    measured:
      (lag === undefined || publish === undefined
        ? `p50 ${ms(lag)} (publish latency not measured)`
        : `p50 ${ms(lag)} vs ${results.relayPollIntervalMs} + ${round(publish)} = ${ms(results.relayPollIntervalMs + publish)}`) + lowerBound,
    met: lag === undefined || publish === undefined ? undefined : lag <= results.relayPollIntervalMs + publish,
  });
  const bundles = results.coldStart?.functions;
  if (bundles !== undefined) {
    const tooBig = bundles.filter((fn) => fn.bundleBytes >= TARGET_BUNDLE_BYTES);
    const tooSlow = bundles.filter((fn) => fn.loadMs > TARGET_LOAD_RATIO * fn.baselineLoadMs);
    targets.push({
      name: 'Bundle size',
      goal: 'every bundle under 400 KB',
      measured:
        `largest ${kb(Math.max(...bundles.map((fn) => fn.bundleBytes)))}${tooBig.length > 0 ? `; over: ${tooBig.map((fn) => fn.functionId).join(', ')}` : ''}` +
        floorRange(bundles, (fn, floor) => floor.bytes, (bytes) => kb(bytes)),
      met: tooBig.length === 0,
    });
    targets.push({
      name: 'Load time',
      goal: `every bundle loads in ≤ ${TARGET_LOAD_RATIO} × its SDK-only baseline`,
      measured:
        bundles.map((fn) => `${fn.functionId} ${num(fn.loadMs / fn.baselineLoadMs, 2)}×`).join(', ') +
        floorRange(bundles, (fn, floor) => floor.loadMs / fn.baselineLoadMs, (ratio) => `${num(ratio, 2)}×`),
      met: tooSlow.length === 0,
    });
  } else {
    targets.push({ name: 'Bundle size and load time', goal: 'under 400 KB, ≤ 1.3 × SDK-only load', measured: 'not run', met: undefined });
  }
  targets.push({
    name: 'Flash sale correctness',
    goal: `${results.burst?.orders ?? '–'} orders, zero invariant violations (zero lost, zero duplicated)`,
    measured:
      results.invariants === undefined
        ? 'not run'
        : results.invariants.ok
          ? `no violation over ${results.invariants.orderCount} orders`
          : `violations: ${Object.entries(results.invariants.violationsByRule).map(([rule, count]) => `${rule} ${count}`).join(', ')}`,
    met: results.invariants?.ok,
  });
  return targets;
}

function latencyCells(summary: LatencySummary): string {
  return `${ms(summary.p50)} | ${ms(summary.p95)} | ${ms(summary.p99)}`;
}

function mixTable(steady: MixSummary | undefined, burst: MixSummary): string[] {
  const keyOf = (row: MixSummary['rows'][number]): string => `${row.service} ${row.action} | ${row.caller} | ${row.resource}`;
  const steadyRows = new Map((steady?.rows ?? []).map((row) => [keyOf(row), row]));
  const keys = [...new Set([...burst.rows.map(keyOf), ...steadyRows.keys()])].sort();
  const burstRows = new Map(burst.rows.map((row) => [keyOf(row), row]));
  const lines = [
    `| service action | caller | resource | per order, steady ${steady === undefined ? '' : `(${steady.orders} orders)`} | per order, burst (${burst.orders} orders) | entries or messages per request (burst) | empty receives (burst) | request units per order (burst) |`,
    '|---|---|---|--:|--:|--:|--:|--:|',
  ];
  for (const key of keys) {
    const row = burstRows.get(key);
    const steadyRow = steadyRows.get(key);
    const perRequest = row === undefined ? '–' : row.action === 'ReceiveMessage' ? num(row.messagesPerReceive, 2) : row.entriesPerRequest > 0 ? num(row.entriesPerRequest, 2) : '';
    lines.push(
      `| ${key} | ${num(steadyRow?.perOrder, 3)} | ${num(row?.perOrder, 3)} | ${perRequest} | ${row?.action === 'ReceiveMessage' ? `${num(row.emptyReceiveFraction * 100, 0)} %` : ''} | ${row !== undefined && row.capacityPerOrder > 0 ? num(row.capacityPerOrder, 2) : ''} |`,
    );
  }
  return lines;
}

export function renderMarkdown(results: BenchResults): string {
  const out: string[] = [];
  out.push('# Order pipeline benchmark (local stack)', '');
  out.push(
    `Run ${results.startedAt}, profile **${results.profile}**, ${clock(results.durationMs)} (m:ss), ` +
      `Node ${results.machine.node}, ${results.machine.cpus} CPUs, load average ${results.machine.loadAverageAtStart.map((value) => value.toFixed(2)).join(' ')} at start and ` +
      `${results.machine.loadAverageAtEnd.map((value) => value.toFixed(2)).join(' ')} at end, LOCAL_TIME_SCALE ${results.timeScale}` +
      `${results.useRunning ? ', against an already running stack' : ''}.`,
    '',
    'Every figure stands beside a baseline measured in the same run: on a shared 2-core machine absolute times drift, ratios much less.',
    '',
  );

  out.push('## Targets', '', '| target | goal | measured | met |', '|---|---|---|:-:|');
  for (const target of results.targets) {
    out.push(`| ${target.name} | ${target.goal} | ${target.measured} | ${target.met === undefined ? '–' : target.met ? 'yes' : '**no**'} |`);
  }
  out.push('');
  if (results.comparedWith !== undefined) out.push(...renderComparison(results.comparedWith.comparison, `\`${results.comparedWith.file}\``));

  if (results.api !== undefined) {
    out.push(
      '## 1. POST /orders beside the raw TransactWriteItems',
      '',
      `Closed loop, ${results.api.rounds} × ${seconds(results.api.blockMs)} per side and level, API and raw blocks alternating. The raw request is the order Lambda's own ` +
        'TransactWriteItems (order + outbox item + Idempotency-Key claim, same conditions, same bytes), sent by a tight HTTP client straight to DynamoDB Local. ' +
        (results.api.isolated
          ? 'Both write to a copy of the tables that no stream mapping reads (the order API through LOCAL_FUNCTION_ENV), so the relay and consumers do not share the cores with ' +
            'the API here: the gap is the API path itself (API Gateway, the Lambda runtime, the handler). Sections 2 and 4 measure the API with the pipeline running.'
          : 'The API\'s orders flow through the pipeline (each block starts drained); the raw ones go to a copy of the tables.'),
      '',
      '| concurrency | API p50 | API p95 | API p99 | API orders/s | raw p50 | raw p95 | raw p99 | raw transactions/s | p50 gap | API errors |',
      '|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    );
    for (const level of results.api.levels) {
      out.push(
        `| ${level.concurrency} | ${latencyCells(level.api.latency)} | ${num(level.api.perSecond, 0)} | ${latencyCells(level.rawTransaction.latency)} | ${num(level.rawTransaction.perSecond, 0)} | ` +
          `${num(level.api.latency.p50 - level.rawTransaction.latency.p50)} ms | ${level.api.errors} |`,
      );
    }
    const cpuComponents: readonly CpuComponent[] = ['dynamodb-local', 'runtime', 'lambda-environments', 'bench'];
    out.push(
      '',
      'CPU milliseconds per request, by process group (all levels; CPU time is what the request costs, whatever else runs on the machine):',
      '',
      `| concurrency | ${cpuComponents.map((component) => `API: ${component}`).join(' | ')} | raw: dynamodb-local | raw: bench |`,
      `|--:|${cpuComponents.map(() => '--:').join('|')}|--:|--:|`,
      ...results.api.levels.map(
        (level) =>
          `| ${level.concurrency} | ${cpuComponents.map((component) => num(level.api.cpuPerRequest[component], 2)).join(' | ')} | ` +
          `${num(level.rawTransaction.cpuPerRequest['dynamodb-local'], 2)} | ${num(level.rawTransaction.cpuPerRequest.bench, 2)} |`,
      ),
    );
    const c8 = apiCpuCeiling(results, 8, TARGET_API_GAP_MS);
    if (c8 !== undefined) {
      out.push(
        '',
        `What the cores allow at concurrency 8: ${num(c8.cpuMsPerOrder, 2)} CPU ms per request in all, so ${results.machine.cpus} cores serve at most ` +
          `${num(c8.ceilingPerSecond, 0)} orders/s; the API served ${num(c8.measuredPerSecond, 0)} (${num((c8.measuredPerSecond / c8.ceilingPerSecond) * 100, 0)} % of that). ` +
          `With 8 clients and no think time, a p50 within ${TARGET_API_GAP_MS} ms of the raw p50 means about ${num(c8.targetPerSecond, 0)} orders/s ` +
          `(Little's law, the p50 taken as the mean), which leaves at most ${num(c8.cpuBudgetMsPerOrder, 2)} CPU ms per request.`,
      );
      const writerCores = rawWriterCores(results, 8);
      const c8Level = results.api.levels.find((level) => level.concurrency === 8);
      const outside = apiOutsideDynamoDb(results, 8, c8);
      if (writerCores !== undefined && c8Level !== undefined && outside !== undefined) {
        out.push(
          '',
          `DynamoDB Local kept ${num(writerCores, 2)} cores busy with the raw writes at concurrency 8 (${num(c8Level.rawTransaction.perSecond, 0)}/s × ` +
            `${num(c8Level.rawTransaction.cpuPerRequest['dynamodb-local'], 2)} ms): it runs these transactions one at a time, so the raw rate is its one-core ceiling. ` +
            `The API comes close to it only if the rest of its path leaves DynamoDB Local a core: at ${num(c8.targetPerSecond, 0)} orders/s that is at most ` +
            `${num(outside.budgetMsPerRequest, 2)} CPU ms per request for the client, the API emulation and the function; they took ${num(outside.tookMsPerRequest, 2)}.`,
        );
      }
    }
    out.push('');
  }

  if (results.steady !== undefined) {
    const steady = results.steady;
    const floor = results.limit?.criticalPath;
    const publish = unloadedPublishMs(results);
    out.push(
      `## 2. End to end at a steady ${steady.ratePerSecond} orders/s`,
      '',
      `Open loop for ${seconds(steady.durationMs)}: ${steady.accepted}/${steady.sent} accepted` +
        `${Object.keys(steady.rejected).length > 0 ? ` (not accepted: ${Object.entries(steady.rejected).map(([reason, count]) => `${reason} ${count}`).join(', ')})` : ''}` +
        `, ${steady.confirmed} CONFIRMED${steady.drained ? '' : ' (**not drained in time**)'}.`,
      '',
      '| measure | p50 | p95 | p99 | baseline |',
      '|---|--:|--:|--:|---|',
      `| POST /orders | ${latencyCells(steady.apiLatency)} | raw transaction: see section 1 |`,
      `| 202 → CONFIRMED | ${latencyCells(steady.completion)} | critical-path requests back to back at concurrency 1: ${ms(floor?.totalMs)} |`,
      `| relay lag (outbox createdAt → sentAt) | ${latencyCells(steady.relayLag)} | poll interval ${results.relayPollIntervalMs} ms + one PublishBatch ${ms(publish)} = ${ms(publish === undefined ? undefined : results.relayPollIntervalMs + publish)} |`,
      ...(steady.relayLagFrom202 === undefined ? [] : [`| relay lag from the 202 (202 received → sentAt) | ${latencyCells(steady.relayLagFrom202)} | |`]),
      '',
    );
    if (steady.relayLagFrom202 !== undefined) {
      out.push(
        'The outbox item commits while the order Lambda waits for its TransactWriteItems, after it stamped `createdAt` and before the bench receives the 202: ' +
          'the lag from the commit lies between the two relay lag rows (the second is below zero when the relay publishes before the 202 arrives).',
        '',
      );
    }
    if (floor !== undefined) {
      out.push(`Critical-path floor: ${floor.steps.map((step) => `${step.step} ${ms(step.p50Ms)}`).join(' + ')}.`, '');
    }
  }

  if (results.limit !== undefined && results.recording !== undefined) {
    const { limit, unloaded } = results.limit;
    const endToEnd = results.burst?.endToEndPerSecond;
    out.push(
      "## 3. The emulators' limit for this workload",
      '',
      'The runtime ran behind a recording proxy (its DYNAMODB_PORT / SNS_SQS_PORT) for a steady-rate run and a burst; every function was named in its SDK user agent ' +
        '(`AWS_SDK_UA_APP_ID` through LOCAL_FUNCTION_ENV), so requests are attributed to their caller; requests without a name come from the event source mappings. ' +
        "The burst's mix was replayed from a tight client straight at the emulators (no Lambda, no runtime, no waiting).",
      '',
      ...mixTable(results.recording.steady, results.recording.burst),
      '',
      '| | orders/s | requests/s | concurrency | orders |',
      '|---|--:|--:|--:|--:|',
      `| replay of the burst mix (the limit) | ${num(limit.ordersPerSecond)} | ${num(limit.requestsPerSecond, 0)} | ${limit.concurrency} | ${limit.orders} |`,
      `| replay at concurrency 1 | ${num(unloaded.ordersPerSecond)} | ${num(unloaded.requestsPerSecond, 0)} | 1 | ${unloaded.orders} |`,
      `| pipeline end to end (section 4) | ${num(endToEnd)} | | | ${results.burst?.accepted ?? '–'} |`,
      `| **pipeline / limit** | **${endToEnd === undefined ? '–' : `${num((endToEnd / limit.ordersPerSecond) * 100, 0)} %`}** | | | |`,
      '',
    );
    const pipelineCpu = results.burst?.cpuPerOrder;
    const components: readonly CpuComponent[] = ['dynamodb-local', 'fauxqs', 'runtime', 'lambda-environments', 'bench'];
    const totalOf = (cpu: Readonly<Partial<Record<string, number>>> | undefined): number | undefined =>
      cpu === undefined ? undefined : components.reduce((sum, component) => sum + (cpu[component] ?? 0), 0);
    out.push(
      'Where the two cores went, in CPU milliseconds per order (user + system time of each process group, from /proc; CPU time does not grow when other work competes for the cores):',
      '',
      '| component | pipeline (flash sale) | replay at the limit |',
      '|---|--:|--:|',
      ...components.map((component) => `| ${component} | ${num(pipelineCpu?.[component], 1)} | ${num(limit.cpuPerOrder[component], 1)} |`),
      `| **total** | **${num(totalOf(pipelineCpu), 1)}** | **${num(totalOf(limit.cpuPerOrder), 1)}** |`,
      '',
    );
    const byFunction = Object.entries(results.burst?.functionCpuPerOrder ?? {}).sort(([, left], [, right]) => right - left);
    if (byFunction.length > 0) {
      out.push(`The execution environments' share, by function (CPU ms per order): ${byFunction.map(([name, cpu]) => `${name} ${num(cpu, 1)}`).join(', ')}.`, '');
    }
    const cpuCeiling = endToEndCpuCeiling(results, TARGET_LIMIT_FRACTION);
    if (cpuCeiling !== undefined) {
      out.push(
        `What the cores allow: at ${num(cpuCeiling.cpuMsPerOrder, 1)} CPU ms per order, ${results.machine.cpus} cores complete at most ${num(cpuCeiling.ceilingPerSecond, 1)} orders/s; ` +
          `the flash sale completed ${num(cpuCeiling.measuredPerSecond, 1)} (${num((cpuCeiling.measuredPerSecond / cpuCeiling.ceilingPerSecond) * 100, 0)} % of that). ` +
          `${TARGET_LIMIT_FRACTION * 100} % of the limit, ${num(cpuCeiling.targetPerSecond, 1)} orders/s, leaves at most ${num(cpuCeiling.cpuBudgetMsPerOrder, 1)} CPU ms per order.`,
        '',
      );
    }
    if (limit.skipped.length > 0) out.push(`Not replayed: ${limit.skipped.join('; ')}.`, '');
    if (limit.failed > 0) out.push(`${limit.failed} replayed requests failed.`, '');
  }

  if (results.burst !== undefined) {
    const burst = results.burst;
    const rejected = Object.entries(burst.rejected);
    out.push(
      `## 4. Flash sale: ${burst.orders} orders as fast as the API takes them`,
      '',
      '| measure | value | baseline |',
      '|---|--:|---|',
      `| accepted (202) | ${burst.accepted} / ${burst.orders} (${num((burst.accepted / burst.orders) * 100, 1)} %)${rejected.length > 0 ? `; ${rejected.map(([reason, count]) => `${reason} ${count}`).join(', ')}` : ''} | |`,
      `| API throughput while consumers lag | ${num(burst.apiPerSecond, 0)} orders/s (${burst.concurrency} outstanding) | raw transactions/s at concurrency 32: ${num(results.api?.levels.find((level) => level.concurrency === 32)?.rawTransaction.perSecond, 0)} |`,
      `| API latency p50 / p99 | ${ms(burst.apiLatency.p50)} / ${ms(burst.apiLatency.p99)} | |`,
      `| peak consumer backlog (visible + in flight) | ${burst.peakBacklog} messages | |`,
      `| every queue drained, nothing PENDING | ${seconds(burst.drainMs)} after the first order | ingest took ${seconds(burst.ingestMs)} |`,
      `| relay lag (outbox createdAt → sentAt) p50 / p99 | ${ms(burst.relayLag.p50)} / ${ms(burst.relayLag.p99)} | the backlog waits in the stream (one batch per shard at a time); what bounds the rate is CPU (section 3) |`,
      `| last order CONFIRMED | ${seconds(burst.lastConfirmedMs)} (${burst.confirmed} CONFIRMED) | |`,
      `| end to end | ${num(burst.endToEndPerSecond)} orders/s | emulator limit ${num(results.limit?.limit.ordersPerSecond)} orders/s |`,
      `| invariant checker | ${results.invariants === undefined ? 'not run' : results.invariants.ok ? `**no violation** over ${results.invariants.orderCount} orders (every order the bench placed in this run)` : `**${Object.entries(results.invariants.violationsByRule).map(([rule, count]) => `${rule}: ${count}`).join(', ')}**`} | |`,
      '',
    );
    if (results.invariants !== undefined && !results.invariants.ok) {
      out.push('First violations:', '', ...results.invariants.firstViolations.map((violation) => `- [${violation.rule}] ${violation.orderId ?? '-'}: ${violation.detail}`), '');
    }
  }

  if (results.cost !== undefined) {
    const { steady, burst } = results.cost;
    const seedLines = new Map(steady.seed.lines.map((line) => [line.component, line]));
    out.push(
      '## 5. Cost per million orders on AWS',
      '',
      `From the steady-rate mix (${results.recording?.steady.orders ?? '–'} orders at ${results.steady?.ratePerSecond ?? 20}/s); prices ${PRICE_TABLE.region}, on-demand, checked ${PRICE_TABLE.checkedOn} (bench/aws-prices.ts).`,
      '',
      '| component | outbox: per order | outbox: $ per million | seed design: per order | seed design: $ per million |',
      '|---|--:|--:|--:|--:|',
    );
    const components = [...new Set([...steady.ours.lines.map((line) => line.component), ...steady.seed.lines.map((line) => line.component)])];
    const ourLines = new Map(steady.ours.lines.map((line) => [line.component, line]));
    for (const component of components) {
      const ours = ourLines.get(component);
      const seed = seedLines.get(component);
      out.push(`| ${component} | ${num(ours?.quantityPerOrder, 3)} | ${num(ours?.usdPerMillionOrders, 2)} | ${num(seed?.quantityPerOrder, 3)} | ${num(seed?.usdPerMillionOrders, 2)} |`);
    }
    out.push(
      `| **total** | | **$${num(steady.ours.usdPerMillionOrders, 2)}** | | **$${num(steady.seed.usdPerMillionOrders, 2)}** |`,
      '',
      `The outbox's guarantees (and the Idempotency-Key) cost **$${num(steady.ours.usdPerMillionOrders - steady.seed.usdPerMillionOrders, 2)}** per million orders ` +
        `(${num(((steady.ours.usdPerMillionOrders - steady.seed.usdPerMillionOrders) / steady.seed.usdPerMillionOrders) * 100, 0)} % over the seed design). ` +
        `With the burst's fuller batches: $${num(burst.ours.usdPerMillionOrders, 2)} vs $${num(burst.seed.usdPerMillionOrders, 2)}.`,
      '',
      'Assumptions:',
      '',
      ...steady.assumptions.map((assumption) => `- ${assumption}`),
      '',
    );
  }

  if (results.coldStart !== undefined) {
    out.push(
      '## 6. Cold start proxy',
      '',
      `Bundled as \`cdk deploy\` bundles them (infra/local/runtime/function-bundler.ts FUNCTION_BUNDLE_OPTIONS), beside a bundle built the same way holding only the SDK clients the function uses; ` +
        `load = median of ${results.coldStart.runs} \`require\`s of the bundle in a fresh Node process with the function's environment (wall time, which the target uses, and CPU time, which other work on the machine does not inflate).`,
      '',
      '| function | memory | bundle | SDK-only | size ratio | load | SDK-only load | load ratio | load CPU | SDK-only load CPU | CPU ratio | largest parts |',
      '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|',
    );
    for (const fn of results.coldStart.functions) {
      out.push(
        `| ${fn.functionId} | ${fn.memorySizeMb} MB | ${kb(fn.bundleBytes)} | ${kb(fn.baselineBytes)} (${fn.sdkClients.join(', ')}) | ${num(fn.bundleBytes / fn.baselineBytes, 2)}× | ` +
          `${ms(fn.loadMs)} | ${ms(fn.baselineLoadMs)} | ${num(fn.loadMs / fn.baselineLoadMs, 2)}× | ` +
          `${ms(fn.loadCpuMs)} | ${ms(fn.baselineLoadCpuMs)} | ${num(fn.loadCpuMs / fn.baselineLoadCpuMs, 2)}× | ${fn.topPackages.slice(0, 5).map((entry) => `${entry.name} ${kb(entry.bytes)}`).join(', ')} |`,
      );
    }
    out.push('');
    out.push(...requiredFloorLines(results.coldStart.functions));
  }

  if (results.notes.length > 0) out.push('## Notes', '', ...results.notes.map((note) => `- ${note}`), '');
  return `${out.join('\n')}\n`;
}

/** `; the required libraries alone: min–max` over the functions whose floor was measured (section 6). */
function floorRange(
  bundles: readonly BundleMeasurement[],
  value: (fn: BundleMeasurement, floor: NonNullable<BundleMeasurement['requiredFloor']>) => number,
  format: (value: number) => string,
): string {
  const values = bundles.flatMap((fn) => (fn.requiredFloor === undefined ? [] : [value(fn, fn.requiredFloor)]));
  if (values.length === 0) return '';
  return `; the required libraries alone (section 6): ${format(Math.min(...values))}–${format(Math.max(...values))}`;
}

/**
 * The floor the required libraries set, beside the targets: a target the floor already misses is
 * out of reach for any bundle that carries those libraries, whatever is trimmed from our own code.
 */
function requiredFloorLines(functions: readonly BundleMeasurement[]): string[] {
  const measured = functions.flatMap((fn) => (fn.requiredFloor === undefined ? [] : [{ fn, floor: fn.requiredFloor }]));
  if (measured.length === 0) return [];
  const lines = [
    'The floor the required libraries set: the SDK-only bundle plus the libraries every function must carry (Powertools logger, metrics, and tracer wrapping the clients with the X-Ray SDK; Powertools batch for the queue consumers), built and loaded the same way. "Ours" is what the function adds on top: its code, zod and the schemas.',
    '',
    '| function | required libraries | floor | floor ÷ SDK-only | floor load | floor load ÷ SDK-only | ours on top | ours, load |',
    '|---|---|--:|--:|--:|--:|--:|--:|',
  ];
  for (const { fn, floor } of measured) {
    lines.push(
      `| ${fn.functionId} | ${floor.libraries.join(', ')} | ${kb(floor.bytes)} | ${num(floor.bytes / fn.baselineBytes, 2)}× | ${ms(floor.loadMs)} | ${num(floor.loadMs / fn.baselineLoadMs, 2)}× | ` +
        `${kb(fn.bundleBytes - floor.bytes)} | ${ms(fn.loadMs - floor.loadMs)} |`,
    );
  }
  const floorsOverSize = measured.filter(({ floor }) => floor.bytes >= TARGET_BUNDLE_BYTES).map(({ fn }) => fn);
  const floorsOverLoad = measured.filter(({ fn, floor }) => floor.loadMs > TARGET_LOAD_RATIO * fn.baselineLoadMs).map(({ fn }) => fn);
  lines.push(
    '',
    `The required libraries alone exceed the ${kb(TARGET_BUNDLE_BYTES)} size target in ${floorsOverSize.length} of ${measured.length} functions` +
      `${floorsOverSize.length > 0 ? ` (${floorsOverSize.map((fn) => fn.functionId).join(', ')})` : ''}, and the ${TARGET_LOAD_RATIO} × load target in ${floorsOverLoad.length} of ${measured.length}` +
      `${floorsOverLoad.length > 0 ? ` (${floorsOverLoad.map((fn) => fn.functionId).join(', ')})` : ''}.`,
    '',
  );
  return lines;
}

export function renderSvg(
  results: BenchResults,
  runs: { readonly steady?: SteadyRateResult | undefined; readonly burst?: FlashSaleResult | undefined; readonly api?: ApiLatencyResult | undefined },
): string {
  const panels: Panel[] = [];
  const toPoints = (buckets: ReturnType<typeof bucketize>, pick: 'p50' | 'p99'): [number, number][] =>
    buckets.map((bucket) => [bucket.startMs / 1000, bucket[pick]]);
  if (runs.steady !== undefined) {
    const api = bucketize(runs.steady.apiSamples, 1000);
    const completion = bucketize(runs.steady.completionSamples, 1000);
    const lag = bucketize(runs.steady.relayLagSamples, 1000);
    panels.push({
      title: `Steady ${runs.steady.ratePerSecond} orders/s: latency by second of arrival`,
      yLabel: 'ms',
      logY: true,
      series: [
        { name: 'POST /orders p50', color: '#1f77b4', points: toPoints(api, 'p50') },
        { name: 'POST /orders p99', color: '#1f77b4', points: toPoints(api, 'p99'), dashed: true },
        { name: '202 → CONFIRMED p50', color: '#d62728', points: toPoints(completion, 'p50') },
        { name: '202 → CONFIRMED p99', color: '#d62728', points: toPoints(completion, 'p99'), dashed: true },
        { name: 'relay lag p50', color: '#2ca02c', points: toPoints(lag, 'p50') },
      ],
    });
  }
  if (runs.api !== undefined) {
    const buckets = bucketize(runs.api.apiSamples, 1000);
    panels.push({
      title: `POST /orders at concurrency ${runs.api.levels.map((level) => level.concurrency).join(' → ')} (API blocks only; gaps are raw blocks)`,
      yLabel: 'ms',
      logY: true,
      series: [
        { name: 'p50', color: '#1f77b4', points: toPoints(buckets, 'p50') },
        { name: 'p99', color: '#1f77b4', points: toPoints(buckets, 'p99'), dashed: true },
      ],
    });
  }
  if (runs.burst !== undefined) {
    const buckets = bucketize(runs.burst.apiSamples, 1000);
    const relayLag = bucketize(runs.burst.relayLagSamples, 1000);
    panels.push({
      title: `Flash sale (${runs.burst.orders} orders): POST /orders latency and relay lag, by second of the request`,
      yLabel: 'ms',
      logY: true,
      series: [
        { name: 'POST /orders p50', color: '#1f77b4', points: toPoints(buckets, 'p50') },
        { name: 'POST /orders p99', color: '#1f77b4', points: toPoints(buckets, 'p99'), dashed: true },
        { name: 'relay lag p50', color: '#2ca02c', points: toPoints(relayLag, 'p50') },
      ],
    });
    const colors = ['#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22'];
    const consumers = runs.burst.queueObservations[0]?.depths.map((depth) => depth.consumerId) ?? [];
    panels.push({
      title: 'Flash sale: messages waiting or in flight per consumer queue',
      yLabel: 'messages',
      series: consumers.map((consumerId, index) => ({
        name: consumerId,
        color: colors[index % colors.length] ?? '#333',
        points: (runs.burst?.queueObservations ?? []).map((observation) => {
          const depth = observation.depths.find((candidate) => candidate.consumerId === consumerId);
          return [observation.atMs / 1000, (depth?.visible ?? 0) + (depth?.inFlight ?? 0)] as [number, number];
        }),
      })),
    });
  }
  return renderChart(`Order pipeline benchmark (${results.profile}, ${results.startedAt})`, panels);
}
