import { startCloudProcess, CLOUD_READY } from '/work/main/infra/local/stack-processes';
(async () => {
  const cloud = startCloudProcess({ env: { DYNAMODB_PORT: '19801', SNS_SQS_PORT: '19802', LOCAL_TIME_SCALE: '1', LOCAL_DATA_DIR: '/tmp/bench-scratch/data' }, args: ['--in-memory'], onLine: (l) => console.log(l) });
  await cloud.waitForLine(CLOUD_READY, 120000);
  console.log('PID', cloud.pid);
  await new Promise(() => undefined);
})();
