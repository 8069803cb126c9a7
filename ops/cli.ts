/** Entry point of `npm run ops -- …`; everything else is in run-cli.ts. */
import { processIo } from './cli-io';
import { runCli } from './run-cli';

runCli(process.argv.slice(2), processIo()).then(
  (exitCode) => {
    process.exitCode = exitCode;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
