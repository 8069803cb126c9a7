const fs = require('fs'); const path = require('path'); const { SourceMap } = require('module');
const dir = process.argv[2]; const filter = process.argv[3]; const match = new RegExp(process.argv[4]);
const maps = new Map();
function loc(cf) {
  if (cf.url.includes('local-lambda') && cf.url.endsWith('index.js')) {
    let m = maps.get(cf.url); if (m === undefined) { try { m = new SourceMap(JSON.parse(fs.readFileSync(cf.url.replace('file://','') + '.map','utf8'))); } catch { m = null; } maps.set(cf.url, m); }
    const e = m?.findEntry(cf.lineNumber, cf.columnNumber);
    return `${cf.functionName||'?'}@${(e?.originalSource??'?').replace(/^.*node_modules\//,'').replace(/^.*work\/main\//,'')}:${e?.originalLine}`;
  }
  return `${cf.functionName||'?'}@${cf.url.replace(/^.*\//,'')}`;
}
const stacks = {};
for (const f of fs.readdirSync(dir)) {
  if (!f.startsWith(filter)) continue;
  const p = JSON.parse(fs.readFileSync(path.join(dir, f)));
  const interval = (p.endTime - p.startTime) / p.samples.length / 1000;
  const byId = new Map(p.nodes.map((n) => [n.id, n])); const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  for (const n of p.nodes) {
    if (!n.hitCount) continue;
    const chain = []; let id = n.id;
    while (id !== undefined) { chain.push(byId.get(id).callFrame); id = parent.get(id); }
    if (!chain.some((cf) => match.test(loc(cf)))) continue;
    const key = chain.slice(0, Number(process.env.DEPTH ?? 14)).map(loc).filter(s=>!s.startsWith('?@')).join(' < ');
    stacks[key] = (stacks[key] ?? 0) + n.hitCount * interval;
  }
}
const total = Object.values(stacks).reduce((a,b)=>a+b,0);
console.log('total', total.toFixed(0), 'ms');
for (const [k, v] of Object.entries(stacks).sort((a,b)=>b[1]-a[1]).slice(0, Number(process.argv[5] ?? 8))) console.log(v.toFixed(0).padStart(6), k.slice(0, 900), '\n');
