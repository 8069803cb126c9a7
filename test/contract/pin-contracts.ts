/**
 * Pins the published shape of every event version that is not pinned yet (`npm run contracts:pin`).
 * It never rewrites an existing file: a pinned version is a promise to consumers, so changing its
 * shape means publishing a new version, not editing the old one.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EVENT_DEFINITIONS } from '../../src/common/events';
import { contractFileName, PINNED_DIR, publishedShape } from './contract-files';

for (const definition of EVENT_DEFINITIONS) {
  const file = path.join(PINNED_DIR, contractFileName(definition));
  if (existsSync(file)) continue;
  writeFileSync(file, `${JSON.stringify(publishedShape(definition), null, 2)}\n`);
  console.warn(`pinned ${path.relative(process.cwd(), file)}`);
}
