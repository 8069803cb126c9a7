import type { CliIo } from './cli-io';
import type { OpsClients } from './ops-clients';
import type { OpsTarget } from './ops-target';
import type { TerminalStyle } from './terminal-style';

/** What every command gets: where it runs, its clients, and how to print. */
export interface CommandContext {
  readonly io: CliIo;
  readonly target: OpsTarget;
  readonly clients: OpsClients;
  readonly style: TerminalStyle;
  readonly json: boolean;
}

export function printLines(io: CliIo, lines: readonly string[]): void {
  io.stdout.write(`${lines.join('\n')}\n`);
}

export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
