import {
  formatViolations,
  waitForPipelineToSettle,
  withoutTolerated,
  type AcceptedOrder,
  type InvariantReport,
  type InvariantRule,
} from '../../support/invariants';
import type { StateSource } from '../../support/pipeline-state';

/**
 * Waits until the pipeline's invariants hold for every order accepted so far, and fails with the
 * checker's own words if they still do not at the deadline. Redeliveries after a crash take a
 * visibility timeout (seconds at the test time scale), so the default deadline is generous.
 * Returns the full report, tolerated violations included, for the test to count them.
 */
export async function expectPipelineSettled(
  stack: StateSource,
  orders: readonly AcceptedOrder[],
  timeoutMs = 60_000,
  tolerate: readonly InvariantRule[] = [],
): Promise<InvariantReport> {
  const report = await waitForPipelineToSettle(stack, { orders }, { timeoutMs, intervalMs: 1_000, tolerate });
  expect(formatViolations(withoutTolerated(report, tolerate))).toBe('');
  expect(report.orderCount).toBe(new Set(orders.map((order) => order.orderId)).size);
  return report;
}
