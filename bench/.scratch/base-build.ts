import { build } from 'esbuild';
import { FUNCTION_BUNDLE_OPTIONS } from '/work/main/infra/local/runtime/function-bundler';
(async () => {
  const r = await build({ ...FUNCTION_BUNDLE_OPTIONS, entryPoints: ['/work/main/bench/.scratch/base.ts'], outfile: `/work/main/bench/.scratch/b/Base/index.js`, metafile: true, logLevel: 'silent', absWorkingDir: '/work/main' });
  const out = Object.entries(r.metafile.outputs).find(([k]) => k.endsWith('.js'))!;
  console.log(out[1].bytes);
})();
