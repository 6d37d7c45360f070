// Issue 21: "the worklists answer in < 300 ms for the 40-patient demo (bench, not a timed test)".
// The demo with every form unsigned and nothing source verified (bench/demo-server.ts), so the
// investigator's worklist lists every form and the monitor's every form the SDV plan (100 %) needs.
// Each worklist as a study-wide user of its role, median of 9 after one warm-up, with its size:
// monitor (GET /worklist), investigator (GET /signature-worklist), safety (GET /adverse-events, the
// study's AE/SAE listing with its clocks), and the administrator's ready-to-lock report.
import { type BenchRole, timeGet, withUnsignedDemo } from './demo-server.js';
import type { BenchResult } from './types.js';

export default async function run(): Promise<BenchResult[]> {
  const roles = ['monitor', 'investigator', 'safety', 'admin'] as const;
  return withUnsignedDemo(roles, async (demo) => {
    const [forms, aes] = [await demo.count('form_instances'), await demo.count('adverse_events')];
    const s = `/api/studies/${demo.studyId}`;
    const cases: [role: BenchRole, what: string, path: string][] = [
      ['monitor', `monitor's worklist, ${forms} forms unverified`, `${s}/worklist`],
      [
        'investigator',
        `investigator's worklist, ${forms} forms awaiting a signature`,
        `${s}/signature-worklist`,
      ],
      ['safety', `safety's AE/SAE listing, ${aes} AEs with their clocks`, `${s}/adverse-events`],
      ['admin', 'ready-to-lock report of the study', `${s}/lock-readiness`],
    ];
    const results: BenchResult[] = [];
    for (const [role, what, path] of cases) {
      const { ms, bytes } = await timeGet(await demo.login(role), path);
      results.push({
        name: `GET ${path.replace(s, '/studies/:id')} — ${what} (demo, ${Math.round(bytes / 1024)} KB; median of 9)`,
        value: ms,
        unit: 'ms',
        target: '< 300 ms',
        ok: ms < 300,
      });
    }
    return results;
  });
}
