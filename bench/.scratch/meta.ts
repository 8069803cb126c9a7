import { build } from 'esbuild';
import { FUNCTION_BUNDLE_OPTIONS } from '/work/main/infra/local/runtime/function-bundler';
(async () => {
  const entry = process.argv[2]!;
  const r = await build({ ...FUNCTION_BUNDLE_OPTIONS, entryPoints: [entry], outfile: `/work/main/bench/.scratch/b/meta/index.js`, metafile: true, logLevel: 'silent', absWorkingDir: '/work/main', external: (process.argv[3] ?? '').split(',').filter(Boolean) });
  const out = Object.entries(r.metafile.outputs).find(([k]) => k.endsWith('.js'))!;
  const byPkg = new Map<string, number>();
  for (const [file, info] of Object.entries(out[1].inputs)) {
    const m = file.match(/node_modules\/((?:@[^/]+\/)?[^/]+)(\/dist-es\/submodules\/[^/]+|\/dist-es\/[^/]+|\/[^/]+)?/);
    const k = m ? m[1] + (m[1].startsWith('@smithy/core') || m[1].includes('nested') || m[1]==='zod' || m[1].includes('aws-sdk/core') ? (m[2] ?? '') : '') : 'src';
    byPkg.set(k, (byPkg.get(k) ?? 0) + info.bytesInOutput);
  }
  console.log(out[1].bytes);
  console.log([...byPkg].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}:${(v / 1024).toFixed(1)}K`).join('\n'));
})();
