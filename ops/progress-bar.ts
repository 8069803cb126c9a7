import type { OutputStream } from './cli-io';

export interface ProgressBar {
  update(done: number, total: number | undefined): void;
  /** Ends the bar's line; nothing was drawn unless the stream is a terminal. */
  finish(): void;
}

const WIDTH = 30;

/**
 * `[██████░░░░…] 12/40 label`, redrawn in place with `\r`. Drawn only on a terminal (a log file
 * gets the final summary line instead of hundreds of redraws).
 */
export function progressBar(stream: OutputStream, label: string): ProgressBar {
  if (stream.isTTY !== true) return { update: () => undefined, finish: () => undefined };
  let drawn = false;
  return {
    update(done, total) {
      const share = total === undefined || total === 0 ? 0 : Math.min(done / total, 1);
      const filled = Math.round(share * WIDTH);
      stream.write(`\r[${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}] ${done}/${total ?? '?'} ${label}`);
      drawn = true;
    },
    finish() {
      if (drawn) stream.write('\n');
    },
  };
}
