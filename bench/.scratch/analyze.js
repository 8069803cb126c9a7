const fs = require('fs'); const path = require('path'); const { SourceMap } = require('module');
const dir = process.argv[2]; const filter = process.argv[3] ?? '';
const maps = new Map();
function mapOf(url) {
  if (maps.has(url)) return maps.get(url);
  let m = null;
  try { const file = url.replace('file://', ''); m = new SourceMap(JSON.parse(fs.readFileSync(file + '.map', 'utf8'))); } catch {}
  maps.set(url, m); return m;
}
const byFn = {};
for (const f of fs.readdirSync(dir)) {
  if (!f.startsWith(filter)) continue;
  const fn = f.split('-')[0];
  const p = JSON.parse(fs.readFileSync(path.join(dir, f)));
  const total = p.endTime - p.startTime;
  const interval = total / p.samples.length;
  const agg = byFn[fn] ??= { total: 0, groups: {} };
  for (const node of p.nodes) {
    if (!node.hitCount) continue;
    const cf = node.callFrame; let key;
    if (cf.url.includes('/index.js') && cf.url.includes('local-lambda')) {
      const m = mapOf(cf.url); const e = m?.findEntry(cf.lineNumber, cf.columnNumber);
      const src = e?.originalSource ?? '?';
      const mm = src.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
      key = mm ? mm[1] : src.replace(/^.*\/work\/main\//, '').replace(/^(\.\.\/)+/, '');
    } else if (cf.url === '') key = `(${cf.functionName || 'native'})`;
    else key = cf.url.startsWith('node:') ? cf.url + ' ' + (process.env.FN ? cf.functionName : '') : cf.url.replace(/^.*\//, '');
    if (['(idle)', '(program)'].includes(key) && false) continue;
    agg.groups[key] = (agg.groups[key] ?? 0) + node.hitCount * interval / 1000;
    agg.total += node.hitCount * interval / 1000;
  }
}
for (const [fn, agg] of Object.entries(byFn)) {
  const busy = Object.entries(agg.groups).filter(([k]) => k !== '(idle)').reduce((s, [, v]) => s + v, 0);
  console.log(`== ${fn}: busy ${busy.toFixed(0)} ms of ${agg.total.toFixed(0)} ms sampled`);
  for (const [k, v] of Object.entries(agg.groups).filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`  ${(v / busy * 100).toFixed(1).padStart(5)}%  ${v.toFixed(0).padStart(6)} ms  ${k}`);
}
