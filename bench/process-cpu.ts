/**
 * Where the CPU went: user + system time of every process in the stack's process groups, read from
 * /proc (Linux), grouped into DynamoDB Local, fauxqs, the runtime's own process (API Gateway,
 * event source mappings) and the Lambda execution environments. CPU time, unlike wall time, does
 * not grow when other work on the machine competes for the cores, so a per-order CPU budget stays
 * comparable between a quiet and a busy machine.
 */
import { readFileSync, readdirSync } from 'node:fs';

export type CpuComponent = 'dynamodb-local' | 'fauxqs' | 'runtime' | 'lambda-environments' | 'bench' | 'other';

export type CpuSnapshot = Readonly<Record<CpuComponent, number>>;

const CLOCK_TICKS_PER_SECOND = 100;

interface ProcessStat {
  readonly pid: number;
  readonly pgrp: number;
  readonly seconds: number;
  readonly command: string;
}

function readProcessStat(pid: string): ProcessStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command is in parentheses and may contain spaces: fields are counted after its end.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    return { pid: Number(pid), pgrp: Number(fields[2]), seconds: ticks / CLOCK_TICKS_PER_SECOND, command };
  } catch {
    // Gone between the listing and the read.
    return undefined;
  }
}

function componentOf(stat: ProcessStat, groups: { readonly cloud?: number; readonly runtime?: number }): CpuComponent {
  if (stat.pid === process.pid) return 'bench';
  if (stat.pgrp === groups.cloud) return stat.command.includes('DynamoDBLocal') ? 'dynamodb-local' : stat.command.includes('fauxqs') ? 'fauxqs' : 'other';
  if (stat.pgrp === groups.runtime) return stat.command.includes('environment-worker') ? 'lambda-environments' : 'runtime';
  return 'other';
}

const functionNames = new Map<number, string>();

/** The function an execution environment runs, from its environment (AWS_LAMBDA_FUNCTION_NAME). */
function functionNameOf(pid: number): string {
  let name = functionNames.get(pid);
  if (name === undefined) {
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      name = environ.find((entry) => entry.startsWith('AWS_LAMBDA_FUNCTION_NAME='))?.slice('AWS_LAMBDA_FUNCTION_NAME='.length) ?? 'unknown';
    } catch {
      name = 'unknown';
    }
    functionNames.set(pid, name);
  }
  return name;
}

/** The ids of every process on the machine; none where /proc cannot be read (not Linux). */
function processIds(): string[] {
  try {
    return readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
}

/** CPU seconds of the Lambda execution environments, by function (processes still alive). */
export function cpuByFunction(groups: { readonly runtime?: number }): Record<string, number> {
  const totals: Record<string, number> = {};
  if (groups.runtime === undefined) return totals;
  for (const pid of processIds()) {
    const stat = readProcessStat(pid);
    if (stat === undefined || stat.pgrp !== groups.runtime || !stat.command.includes('environment-worker')) continue;
    const name = functionNameOf(stat.pid);
    totals[name] = (totals[name] ?? 0) + stat.seconds;
  }
  return totals;
}

/** CPU milliseconds per order of each function between two `cpuByFunction` readings. */
export function functionCpuPerOrder(before: Readonly<Record<string, number>>, after: Readonly<Record<string, number>>, orders: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after).map(([name, seconds]) => [name, orders === 0 ? 0 : (Math.max(seconds - (before[name] ?? 0), 0) * 1000) / orders]),
  );
}

/** CPU seconds used so far by each component (processes still alive). */
export function cpuSnapshot(groups: { readonly cloud?: number; readonly runtime?: number }): CpuSnapshot {
  const totals: Record<CpuComponent, number> = { 'dynamodb-local': 0, fauxqs: 0, runtime: 0, 'lambda-environments': 0, bench: 0, other: 0 };
  for (const pid of processIds()) {
    const stat = readProcessStat(pid);
    if (stat === undefined) continue;
    const component = componentOf(stat, groups);
    // Only the stack's processes and the bench: "other" would count the other tenants of the machine.
    if (component !== 'other') totals[component] += stat.seconds;
  }
  return totals;
}

/** CPU milliseconds per order spent by each component between two snapshots. */
export function cpuPerOrder(before: CpuSnapshot, after: CpuSnapshot, orders: number): Record<CpuComponent, number> {
  const result = {} as Record<CpuComponent, number>;
  for (const component of Object.keys(after) as CpuComponent[]) {
    result[component] = orders === 0 ? 0 : (Math.max(after[component] - before[component], 0) * 1000) / orders;
  }
  return result;
}
