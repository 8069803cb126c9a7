/**
 * ANSI colours, by hand: only on a terminal and never when `NO_COLOR` is set (no-color.org), so
 * piped output and `--json` stay plain.
 */
export interface TerminalStyle {
  readonly enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
}

const CODES = { bold: [1, 22], dim: [2, 22], red: [31, 39], yellow: [33, 39], green: [32, 39] } as const;

export function terminalStyle(options: { readonly isTTY: boolean; readonly env: NodeJS.ProcessEnv }): TerminalStyle {
  const noColor = options.env.NO_COLOR !== undefined && options.env.NO_COLOR !== '';
  const enabled = options.isTTY && !noColor;
  const paint =
    (name: keyof typeof CODES) =>
    (text: string): string =>
      enabled ? `\u001b[${CODES[name][0]}m${text}\u001b[${CODES[name][1]}m` : text;
  return { enabled, bold: paint('bold'), dim: paint('dim'), red: paint('red'), yellow: paint('yellow'), green: paint('green') };
}

/** The printed width of a string: colour codes take no columns. */
export function visibleWidth(text: string): number {
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}
