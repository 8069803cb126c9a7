import { build } from 'esbuild';
import { FUNCTION_BUNDLE_OPTIONS } from '/work/main/infra/local/runtime/function-bundler';
import { ORDER_API_FUNCTION, OUTBOX_RELAY, QUEUE_CONSUMERS } from '/work/main/src/common/settings';
(async () => {
  for (const fn of [ORDER_API_FUNCTION, OUTBOX_RELAY, ...QUEUE_CONSUMERS]) {
    const r = await build({ ...FUNCTION_BUNDLE_OPTIONS, entryPoints: ['/work/main/' + fn.entry], outfile: `/work/main/bench/.scratch/b/${fn.id}/index.js`, metafile: true, logLevel: 'silent', absWorkingDir: '/work/main' });
    const out = Object.entries(r.metafile.outputs).find(([k]) => k.endsWith('.js'))!;
    const byPkg = new Map<string, number>();
    for (const [file, info] of Object.entries(out[1].inputs)) {
      const m = file.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
      const k = m ? m[1] : 'src';
      byPkg.set(k, (byPkg.get(k) ?? 0) + info.bytesInOutput);
    }
    console.log(fn.id, out[1].bytes, [...byPkg].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => `${k}:${(v / 1024).toFixed(0)}K`).join(' '));
  }
})();
