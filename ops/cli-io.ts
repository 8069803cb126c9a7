import { createInterface } from 'node:readline/promises';

export interface OutputStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** Everything the CLI touches of its process, so tests can run it in-process with fakes. */
export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: NodeJS.ProcessEnv;
  /** Someone can answer a question: stdin and stdout are both terminals. */
  readonly interactive: boolean;
  ask(question: string): Promise<string>;
  now(): Date;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    interactive: process.stdin.isTTY === true && process.stdout.isTTY === true,
    ask: async (question) => {
      const prompt = createInterface({ input: process.stdin, output: process.stdout });
      try {
        return await prompt.question(question);
      } finally {
        prompt.close();
      }
    },
    now: () => new Date(),
  };
}
