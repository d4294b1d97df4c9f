// Summarises a V8 .cpuprofile (from `npm run bench -- --cpu-prof`): self time per function and
// inclusive time of named hot-path functions, as shares of the non-idle time.
//   node bench/analyze-profile.js FILE.cpuprofile [--top 30] [--focus 'tokenMatches,lookup dist/http/peer']
// A focus entry matches a frame whose `name file:line` label starts with it (names alone collide:
// find-my-way also has a `lookup`).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '30' }, focus: { type: 'string', default: '' } } });
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Time per sample = the delta that follows it.
const selfUs = new Map();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0)));
const label = (n) => {
  const f = n.callFrame;
  const where = f.url ? `${f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/')}:${f.lineNumber + 1}` : '';
  return `${f.functionName || '(anonymous)'} ${where}`.trim();
};
let busy = 0;
const self = new Map();
for (const [id, us] of selfUs) {
  const n = byId.get(id);
  if (n.callFrame.functionName !== '(idle)') busy += us;
  self.set(label(n), (self.get(label(n)) ?? 0) + us);
}
const pct = (us) => ((100 * us) / busy).toFixed(1).padStart(5) + ' %';
console.log(`busy (non-idle) time: ${(busy / 1e6).toFixed(2)} s`);
console.log('\nself time, top functions:');
const ranked = [...self].filter(([name]) => name !== '(idle)').sort((a, b) => b[1] - a[1]);
for (const [name, us] of ranked.slice(0, Number(values.top))) console.log(`${pct(us)}  ${name}`);

// Inclusive: a sample counts once for every distinct focus name on its stack.
const focus = values.focus.split(',').filter(Boolean);
if (focus.length) {
  const incl = new Map(focus.map((f) => [f, 0]));
  for (const [id, us] of selfUs) {
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label(byId.get(cur));
      for (const f of focus) if ((l === f || l.startsWith(`${f} `) || (f.includes(' ') && l.startsWith(f))) && !seen.has(f)) (seen.add(f), incl.set(f, incl.get(f) + us));
    }
  }
  console.log('\ninclusive time of focus functions:');
  for (const [f, us] of incl) console.log(`${pct(us)}  ${f}`);
}
