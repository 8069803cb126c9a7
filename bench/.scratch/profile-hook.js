// Preloaded into Lambda environments: CPU-profiles the process for PROFILE_MS, then writes the profile.
const inspector = require('node:inspector');
const fs = require('node:fs');
const session = new inspector.Session();
session.connect();
session.post('Profiler.enable', () => {
  session.post('Profiler.setSamplingInterval', { interval: 200 }, () => {
    session.post('Profiler.start', () => {
      setTimeout(() => {
        session.post('Profiler.stop', (error, result) => {
          if (!error) fs.writeFileSync(`${process.env.PROFILE_DIR}/${process.env.AWS_LAMBDA_FUNCTION_NAME}-${process.pid}.cpuprofile`, JSON.stringify(result.profile));
        });
      }, Number(process.env.PROFILE_MS)).unref();
    });
  });
});
