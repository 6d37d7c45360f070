// The investigator's worklist "awaiting my signature" on the 40-patient demo trial (issue 21: the
// worklists answer in < 300 ms for the demo; a bench, not a timed test). The demo with every form
// unsigned (bench/demo-server.ts): every form of the trial awaits a signature. Over the real HTTP
// server on loopback: GET /signature-worklist as a study-wide investigator and as the administrator,
// median of 9 after one warm-up, with the response size; and the one-ceremony signing of one visit
// (POST /signatures).
import { TEST_PASSWORD } from '../packages/server/src/testing/test-server.js';
import { timeGet, withUnsignedDemo } from './demo-server.js';
import type { BenchResult } from './types.js';

export default async function run(): Promise<BenchResult[]> {
  return withUnsignedDemo(['investigator', 'admin'], async (demo) => {
    const results: BenchResult[] = [];
    const forms = await demo.count('form_instances');
    const path = `/api/studies/${demo.studyId}/signature-worklist`;
    for (const role of ['investigator', 'admin'] as const) {
      const { ms, bytes } = await timeGet(await demo.login(role), path);
      results.push({
        name: `GET /signature-worklist as ${role} (demo, ${forms} forms awaiting; ${Math.round(bytes / 1024)} KB; median of 9)`,
        value: ms,
        unit: 'ms',
        target: '< 300 ms',
        ok: ms < 300,
      });
    }
    // One ceremony: the forms of the first visit awaiting, signed with one password.
    const client = await demo.login('investigator');
    const w = await client.get<{
      awaiting: {
        subjectId: string;
        visits: { visitId: string; forms: { formId: string; version: number }[] }[];
      }[];
    }>(path);
    const s = w.body.awaiting[0]!;
    const v = s.visits[0]!;
    const t0 = performance.now();
    const signed = await client.post(`/api/subjects/${s.subjectId}/signatures`, {
      visitId: v.visitId,
      forms: v.forms.map((f) => ({ formId: f.formId, version: f.version })),
      password: TEST_PASSWORD,
    });
    const t = Math.round((performance.now() - t0) * 10) / 10;
    if (signed.status !== 200) throw new Error(`sign: ${signed.status}`);
    results.push({
      name: `POST /signatures: one visit (${v.forms.length} forms) signed in one ceremony (incl. argon2id password check)`,
      value: t,
      unit: 'ms',
    });
    return results;
  });
}
