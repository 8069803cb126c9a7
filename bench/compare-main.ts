/**
 * `npm run bench:compare -- <baseline.json> <current.json>`: the "Against the baseline" section of
 * the report for any two runs' bench-results.json (a run with `--out` elsewhere, an older commit's).
 */
import { readFileSync } from 'node:fs';
import type { BenchResults } from './bench-results';
import { compareRuns, renderComparison } from './compare';

const [baselineFile, currentFile] = process.argv.slice(2);
if (baselineFile === undefined || currentFile === undefined) {
  console.error('usage: npm run bench:compare -- <baseline bench-results.json> <current bench-results.json>');
  process.exit(2);
}
const read = (file: string): BenchResults => JSON.parse(readFileSync(file, 'utf8')) as BenchResults;
process.stdout.write(`${renderComparison(compareRuns(read(baselineFile), read(currentFile)), `\`${baselineFile}\``).join('\n')}\n`);
