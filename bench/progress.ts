/**
 * Where a long run is, on stderr: a redrawn bar on a terminal, a plain line every few seconds
 * otherwise (CI logs, `| tee`), so a piped run neither floods nor goes silent.
 */

const BAR_WIDTH = 28;
const PLAIN_LINE_INTERVAL_MS = 10_000;
/** Redraws are cheap but not free: a load generator calls `update` per request. */
const TTY_REDRAW_INTERVAL_MS = 100;

function clock(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

export class Progress {
  private readonly tty = process.stderr.isTTY;
  private readonly startedAt = performance.now();
  private phase = '';
  private phaseIndex = 0;
  private done = 0;
  private total = 0;
  private detail = '';
  private lastPlainAt = 0;
  private lastDrawAt = 0;
  private drawn = false;


  /** Starts the next phase; `total` is in the phase's own unit (requests, orders, seconds). */
  startPhase(name: string, total = 0): void {
    this.finishLine();
    this.phaseIndex += 1;
    this.phase = name;
    this.done = 0;
    this.total = total;
    this.detail = '';
    this.lastPlainAt = 0;
    this.render(true);
  }

  update(done: number, detail = '', total = this.total): void {
    this.done = done;
    this.total = total;
    this.detail = detail;
    this.render(false);
  }

  /** A line that stays (results as they come). */
  note(line: string): void {
    this.finishLine();
    process.stderr.write(`${line}\n`);
  }

  finish(): void {
    this.finishLine();
    process.stderr.write(`bench finished in ${clock(performance.now() - this.startedAt)}\n`);
  }

  private render(force: boolean): void {
    const now = performance.now();
    if (this.tty && !force && now - this.lastDrawAt < TTY_REDRAW_INTERVAL_MS) return;
    if (!this.tty && !force && now - this.lastPlainAt < PLAIN_LINE_INTERVAL_MS) return;
    const elapsed = clock(performance.now() - this.startedAt);
    const fraction = this.total > 0 ? Math.min(this.done / this.total, 1) : 0;
    const head = `[${this.phaseIndex}] ${this.phase}`;
    const count = this.total > 0 ? ` ${this.done}/${this.total}` : '';
    const detail = this.detail === '' ? '' : ` · ${this.detail}`;
    if (this.tty) {
      const filled = Math.round(fraction * BAR_WIDTH);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
      const line = `${elapsed} ${bar} ${head}${count}${detail}`;
      const width = process.stderr.columns > 0 ? process.stderr.columns - 1 : 120;
      process.stderr.write(`\r\x1b[2K${line.slice(0, width)}`);
      this.drawn = true;
      this.lastDrawAt = now;
      return;
    }
    this.lastPlainAt = now;
    const percent = this.total > 0 ? ` ${Math.round(fraction * 100)}%` : '';
    process.stderr.write(`${elapsed} ${head}${count}${percent}${detail}\n`);
  }

  private finishLine(): void {
    if (this.tty && this.drawn) process.stderr.write('\n');
    this.drawn = false;
  }
}
