import { build } from 'esbuild';
import { FUNCTION_BUNDLE_OPTIONS } from '/work/main/infra/local/runtime/function-bundler';
(async () => {
  for (const n of process.argv.slice(2)) {
    const [name, ext] = n.split(':');
    const entry = name.includes('/') ? '/work/main/' + name : `/work/main/bench/.scratch/parts/${name}.ts`;
    const id = name.replace(/[\/.]/g, '_') + (ext ? '_ext' : '');
    await build({ ...FUNCTION_BUNDLE_OPTIONS, entryPoints: [entry], outfile: `/work/main/bench/.scratch/parts/out/${id}/index.js`, logLevel: 'silent', absWorkingDir: '/work/main', external: ext ? ext.split(',') : [] });
    process.stdout.write(id + ' ');
  }
})();
