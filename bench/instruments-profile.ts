// Where the product path's time goes (issue #19 item 6): the V8 CPU profile (node:inspector, the
// profiler `node --cpu-prof` uses) of deriveVisitScores over the instruments bench's visits as
// stored, trace off, as the analysis scores them; self time by function, scoring only (the pool
// is built before the profiler starts). Not a bench (bench/run.ts runs *.bench.ts only):
//   npx tsx bench/instruments-profile.ts [visits, default 400000]
import { Session } from 'node:inspector/promises';
import { deriveVisitScores } from '../packages/core/src/crf/index.js';
import { pool } from './instruments.bench.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}

const visits = Number(process.argv[2] ?? 400_000);
const { stored } = pool(false);
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 100 });
await session.post('Profiler.start');
let checksum = 0;
const c0 = process.cpuUsage();
for (let i = 0; i < visits; i++) {
  const v = stored[i % stored.length]!;
  const s = deriveVisitScores(v.items, { previousBilag2004: v.previousBilag2004 });
  if (s.sledai?.ok) checksum += s.sledai.value.score;
}
const cpu = process.cpuUsage(c0);
const { profile } = (await session.post('Profiler.stop')) as {
  profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
};
session.disconnect();

const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const frame = nodes.get(id)!.callFrame;
  // The profiler's own Profiler.stop message (node:inspector post → native dispatch), not scoring.
  if (frame.functionName === 'dispatch' && frame.url === '') return;
  const name = `${frame.functionName || '(anonymous)'} ${frame.url.split('/').slice(-2).join('/')}`;
  const dt = profile.timeDeltas[i] ?? 0;
  self.set(name, (self.get(name) ?? 0) + dt);
  total += dt;
});
console.log(
  `${visits} visits, checksum ${checksum}: ${Math.round(visits / ((cpu.user + cpu.system) / 1e6))} visits per CPU-second (profiler on)`,
);
for (const [name, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 15))
  console.log(`${((100 * t) / total).toFixed(1).padStart(5)} %  ${name.trim()}`);
