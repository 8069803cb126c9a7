import { functionEnvironment, mapTableRoles } from '../../../../infra/function-environment';
import { localFunctions, sweeperScheduleOf } from '../../../../infra/local/runtime/local-functions';
import { OUTBOX_SWEEPER } from '../../../../src/common/settings';
import { parseOutboxSweepRequest } from '../../../../src/outbox-relay/outbox-sweep-request';

const RESOURCES = {
  tableNames: mapTableRoles((role) => `order-pipeline-${role}`),
  topicArn: 'arn:aws:sns:us-east-1:000000000000:order-pipeline-order-events',
};

describe('sweeperScheduleOf', () => {
  it('runs at production values with a time scale of 1', () => {
    // Act
    const schedule = sweeperScheduleOf(OUTBOX_SWEEPER, 1);

    // Assess
    expect(schedule).toEqual({
      functionName: OUTBOX_SWEEPER.id,
      intervalMs: OUTBOX_SWEEPER.scheduleMinutes * 60_000,
      input: { pendingThresholdSeconds: OUTBOX_SWEEPER.pendingThresholdSeconds },
    });
  });

  it('scales both the interval and the threshold, keeping the threshold above the interval', () => {
    // Act
    const schedule = sweeperScheduleOf(OUTBOX_SWEEPER, 0.01);

    // Assess
    expect(schedule.intervalMs).toBe(3_000);
    expect(schedule.input).toEqual({ pendingThresholdSeconds: 9 });
    expect(parseOutboxSweepRequest(schedule.input).pendingThresholdSeconds ?? 0).toBeGreaterThan(schedule.intervalMs / 1000);
  });
});

describe('localFunctions', () => {
  it('runs the sweeper with the environment the stack gives it, one run at a time', () => {
    // Act
    const sweeper = localFunctions({ resources: RESOURCES, awsEnvironment: {}, timeScale: 0.1 }).find(
      (fn) => fn.name === OUTBOX_SWEEPER.id,
    );

    // Assess
    expect(sweeper).toMatchObject({
      entry: OUTBOX_SWEEPER.entry,
      environment: functionEnvironment(OUTBOX_SWEEPER, RESOURCES),
      maxConcurrency: 1,
    });
  });
});
