/**
 * Table-driven tests of the binding Clarifications 1–4 at the end of shared/protocol/endpoints.md and
 * of its "Re-treatment rule" ("after month 6" = after the month-6 assessment). Each row names the
 * clarification it pins; the trace must cite it, so a reviewer can follow the decision.
 */
import { describe, expect, test } from 'vitest';
import { type HistorySpec, history } from '../testing/test-histories.js';
import { adjudicate, type CycleVerdict } from './adjudicate.js';
import { msctSleBilag2014 } from './rule-set.js';

const ACTIVE = 'ren:A muc:C';
const ALL_C = 'ren:C muc:C';

interface Want {
  label: string;
  routes?: number[];
  first?: number | null;
  established?: number | null;
  relapseAt?: string | null;
  reResponse?: string | null;
  provisional?: string | null;
  retreat?: boolean;
  retreatAt?: string;
  /** A trace step citing this text must exist. */
  cites?: string;
  /** And one of its texts must contain this. */
  says?: string;
}

const C1 = 'endpoints.md Clarification 1';
const C2 = 'endpoints.md Clarification 2';
const C3 = 'endpoints.md Clarification 3';
const C4 = 'endpoints.md Clarification 4';

const cases: Array<[string, HistorySpec, Want]> = [
  // ── Clarification 1: reference for "new" ──────────────────────────────────────────────────────
  [
    'C1 example: renal A at baseline, C at 6 (MCR), B at 9 → new B during maintenance → PCR (routes 1, 2)',
    { baseline: 'ren:A', visits: { M6: 'ren:C', M9: 'ren:B', M12: 'ren:C' } },
    { label: 'PCR', routes: [1, 2], established: 6, relapseAt: null, cites: C2, says: 'compared with M6' },
  ],
  [
    'C1 example with renal still B at 12: PCR (routes 1, 2), not MCR, no relapse (one new B is no flare)',
    { baseline: 'ren:A', visits: { M6: 'ren:C', M9: 'ren:B', M12: 'ren:B' } },
    { label: 'PCR', routes: [1, 2], relapseAt: null, cites: C2 },
  ],
  [
    'C1: an improvement A → B is never new (PCR route 2 at 6, renal B through 12)',
    { baseline: ACTIVE, visits: { M3: 'ren:B', M6: 'ren:B', M9: 'ren:B', M12: 'ren:B' } },
    { label: 'PCR', routes: [2], relapseAt: null },
  ],
  [
    'C1: before the response, judged against baseline: one new B at 6 (muc C → B) still allows PCR 2',
    { baseline: 'ren:A muc:C hae:C', visits: { M6: 'ren:C muc:B', M9: 'ren:C muc:B', M12: 'ren:C muc:B' } },
    { label: 'PCR', routes: [2], established: 6 },
  ],
  [
    'C1: after the response, judged against it: a second B at 9 is one new B vs month 6 (no flare), not two vs baseline',
    {
      baseline: 'ren:A muc:C hae:C',
      visits: { M6: 'ren:C muc:B', M9: 'ren:C muc:B hae:B', M12: 'ren:C muc:B hae:B' },
    },
    { label: 'PCR', routes: [2], relapseAt: null, cites: C1 },
  ],
  [
    'C1: relapse judged against the response: renal back to A after B at 6 is a new A',
    { baseline: ACTIVE, visits: { M6: 'ren:B', M9: 'ren:A', M12: 'ren:A' } },
    { label: 'PCR → relapse', relapseAt: 'M9' },
  ],
  // ── Clarification 2: MCR must be maintained ──────────────────────────────────────────────────
  [
    'C2: one new B at 12 without a SLEDAI-2K rise of ≥ 4 turns MCR into PCR (route 1: flare-free 183 days)',
    {
      baseline: { g: ACTIVE, sledai: 14 },
      visits: {
        M6: { g: ALL_C, sledai: 4 },
        M9: { g: ALL_C, sledai: 4 },
        M12: { g: 'ren:C hae:B', sledai: 6 },
      },
    },
    {
      label: 'PCR',
      routes: [1, 2],
      relapseAt: null,
      cites: C2,
      says: 'MCR criteria met at M6 but not maintained',
    },
  ],
  [
    'C2: a flare during maintenance is a relapse: MCR → relapse',
    { baseline: ACTIVE, visits: { M6: ALL_C, M9: ALL_C, M12: 'ren:C muc:B hae:B' } },
    { label: 'MCR → relapse', relapseAt: 'M12', cites: C3 },
  ],
  [
    'C2: one new B with SLEDAI-2K rise ≥ 4 is a relapse, not a downgrade: MCR → relapse',
    {
      baseline: { g: ACTIVE, sledai: 14 },
      visits: {
        M6: { g: ALL_C, sledai: 2 },
        M9: { g: 'ren:C hae:B', sledai: 6 },
        M12: { g: ALL_C, sledai: 2 },
      },
    },
    { label: 'MCR → relapse', relapseAt: 'M9', reResponse: 'M12' },
  ],
  [
    'C2: new B at 9 (MCR lost), flare at 12: PCR route 1 fails (91 days < 4 months), route 2 holds → PCR → relapse',
    { baseline: ACTIVE, visits: { M6: ALL_C, M9: 'ren:C hae:B', M12: 'ren:C hae:B muc:B msk:B' } },
    { label: 'PCR → relapse', routes: [2], relapseAt: 'M12' },
  ],
  // ── Clarification 3: a relapse is never erased ───────────────────────────────────────────────
  [
    'C3: PCR at 6 → relapse at 9 → all C at 12: PCR → relapse, re-response at 12, flagged for re-treatment',
    { baseline: ACTIVE, visits: { M6: 'ren:B', M9: 'ren:A', M12: ALL_C } },
    {
      label: 'PCR → relapse',
      routes: [2],
      first: 6,
      established: 6,
      relapseAt: 'M9',
      reResponse: 'M12',
      retreat: true,
      retreatAt: 'M9',
      cites: C3,
      says: 'shown as a re-response',
    },
  ],
  [
    'C3: PCR at 6 → relapse at an unscheduled visit (day 230) → re-response at 9',
    { baseline: ACTIVE, visits: { M6: 'ren:B', U1: { g: 'ren:A', day: 230 }, M9: 'ren:B', M12: 'ren:B' } },
    { label: 'PCR → relapse', relapseAt: 'UNSCHEDULED', reResponse: 'M9', cites: C3 },
  ],
  [
    'C3: MCR → relapse at 9, PCR criteria again at 12: category and relapse stand',
    { baseline: ACTIVE, visits: { M6: ALL_C, M9: 'ren:A', M12: 'ren:B' } },
    { label: 'MCR → relapse', established: 6, relapseAt: 'M9', reResponse: 'M12', cites: C3 },
  ],
  [
    'C3: relapse at 9 without re-response (still A at 12)',
    { baseline: ACTIVE, visits: { M6: ALL_C, M9: 'ren:A', M12: 'ren:A' } },
    { label: 'MCR → relapse', relapseAt: 'M9', reResponse: null, cites: C3 },
  ],
  [
    'C3: before any relapse a PCR (6) is upgraded to MCR when MCR criteria are met at 9',
    { baseline: ACTIVE, visits: { M6: 'ren:B', M9: ALL_C, M12: ALL_C } },
    { label: 'MCR', first: 6, established: 9, relapseAt: null, cites: C3, says: 'upgraded to MCR at M9' },
  ],
  [
    'C3: PCR (6) upgraded at 12',
    { baseline: ACTIVE, visits: { M6: 'ren:B', M9: 'ren:B', M12: ALL_C } },
    { label: 'MCR', first: 6, established: 12, cites: C3 },
  ],
  [
    'C3: PCR upgraded to MCR at 9, relapse at 12 judged against month 9 → MCR → relapse',
    { baseline: ACTIVE, visits: { M6: 'ren:B', M9: ALL_C, M12: 'ren:C muc:B hae:B' } },
    { label: 'MCR → relapse', first: 6, established: 9, relapseAt: 'M12' },
  ],
  [
    'C3: no upgrade when MCR at 9 is not maintained (new B against month 9 at 12) → PCR',
    { baseline: ACTIVE, visits: { M6: 'ren:B', M9: ALL_C, M12: 'ren:B' } },
    { label: 'PCR', routes: [2], established: 6, says: 'No upgrade of the PCR to MCR at M9' },
  ],
  [
    'C3: no upgrade after a relapse: PCR at 6, new A at 9, all C at 12 (was MCR at 12 in rule set 1.0.0)',
    { baseline: 'ren:A hae:C', visits: { M6: 'ren:B hae:C', M9: 'ren:B hae:A', M12: 'ren:C hae:C' } },
    { label: 'PCR → relapse', relapseAt: 'M9', reResponse: 'M12', retreat: true },
  ],
  // ── Clarification 4: death within follow-up ──────────────────────────────────────────────────
  [
    'C4: MCR → relapse at 9, death on day 300 → NR, the MCR shown as provisional',
    { baseline: ACTIVE, visits: { M6: ALL_C, M9: 'ren:A' }, deathDay: 300 },
    { label: 'NR', provisional: 'M6', relapseAt: null, retreat: false, cites: C4, says: 'relapse at M9' },
  ],
  [
    'C4: MCR criteria at 6, death on day 256 (Table 2) → NR, provisional MCR',
    { baseline: ACTIVE, visits: { M6: ALL_C }, deathDay: 256 },
    { label: 'NR', provisional: 'M6', cites: C4 },
  ],
  [
    'C4: death on day 7 (Table 2) → NR, nothing provisional',
    { baseline: ACTIVE, deathDay: 7 },
    { label: 'NR', provisional: null, cites: C4 },
  ],
  [
    'C4 is about death only: MCR → relapse at 9 then withdrawal on day 300 stands',
    { baseline: ACTIVE, visits: { M6: ALL_C, M9: 'ren:A' }, withdrawalDay: 300 },
    { label: 'MCR → relapse', relapseAt: 'M9' },
  ],
  [
    'C4: withdrawal on day 250, then death on day 300 (within follow-up) → NR, the MCR provisional',
    { baseline: ACTIVE, visits: { M6: ALL_C, M9: 'ren:A' }, withdrawalDay: 250, deathDay: 300 },
    { label: 'NR', provisional: 'M6', relapseAt: null, retreat: false, cites: C4 },
  ],
  [
    'C2/NR: MCR criteria at 6 and 9, no new A or B, withdrawal on day 330 → NR, not PCR route 1 (maintenance never failed)',
    { baseline: ACTIVE, visits: { M6: ALL_C, M9: ALL_C, U1: { g: ALL_C, day: 320 } }, withdrawalDay: 330 },
    { label: 'NR', provisional: 'M6' },
  ],
  // ── Re-treatment rule: "after month 6" = after the month-6 assessment ───────────────────────
  [
    'Re-treatment: M6 done on day 175, relapse at an unscheduled visit on day 190 (≤ 196) → flagged',
    { baseline: ACTIVE, visits: { M6: { g: ALL_C, day: 175 }, U1: { g: 'ren:A', day: 190 }, M12: 'ren:A' } },
    {
      label: 'MCR → relapse',
      relapseAt: 'UNSCHEDULED',
      retreat: true,
      retreatAt: 'UNSCHEDULED',
      says: 'after the M6 assessment (day 175)',
    },
  ],
  [
    'Re-treatment: serology worse at two assessments after an M6 on day 170 (days 185, 190) → flagged',
    {
      baseline: { g: ACTIVE, sledai: 16, c3: 0.5 },
      visits: {
        M6: { g: ALL_C, day: 170, sledai: 2, c3: 1.0 },
        U1: { g: ALL_C, day: 185, sledai: 6, c3: 0.8 },
        U2: { g: ALL_C, day: 190, sledai: 6, c3: 0.8 },
        M9: { g: ALL_C, sledai: 2, c3: 1.0 },
        M12: { g: ALL_C, sledai: 2, c3: 1.0 },
      },
    },
    { label: 'MCR', retreat: true, retreatAt: 'UNSCHEDULED' },
  ],
  [
    'Re-treatment: M6 not done → after day 196 (end of its window); MCR at 9, relapse at 12 → flagged',
    { baseline: ACTIVE, visits: { M3: ACTIVE, M9: ALL_C, M12: 'ren:A' } },
    { label: 'MCR → relapse', retreat: true, says: 'M6 not done' },
  ],
  [
    'Re-treatment: responder without relapse or serological worsening → not flagged',
    { baseline: ACTIVE, visits: { M6: ALL_C, M9: ALL_C, M12: ALL_C } },
    { label: 'MCR', retreat: false },
  ],
];

function check(v: CycleVerdict, want: Want) {
  expect(v.label).toBe(want.label);
  if (want.routes !== undefined) expect(v.pcrRoutes).toEqual(want.routes);
  if (want.first !== undefined) expect(v.firstResponseMonth).toBe(want.first);
  if (want.established !== undefined) expect(v.response?.month ?? null).toBe(want.established);
  if (want.relapseAt !== undefined) expect(v.relapse?.visitCode ?? null).toBe(want.relapseAt);
  if (want.reResponse !== undefined) expect(v.reResponse?.visitCode ?? null).toBe(want.reResponse);
  if (want.provisional !== undefined) expect(v.provisional?.visitCode ?? null).toBe(want.provisional);
  if (want.retreat !== undefined) expect(v.retreatment.flagged).toBe(want.retreat);
  if (want.retreatAt !== undefined) expect(v.retreatment.visitCode).toBe(want.retreatAt);
  if (want.cites !== undefined) {
    const cited = v.trace.filter((t) => t.source === want.cites);
    expect(cited.length).toBeGreaterThan(0);
    for (const t of cited) expect(t.text).toContain(`(${want.cites})`);
  }
  if (want.says !== undefined) {
    const texts = [...v.trace, ...v.retreatment.trace].map((t) => t.text).join('\n');
    expect(texts).toContain(want.says);
  }
}

describe(`endpoints.md Clarifications 1–4 and the re-treatment rule (${msctSleBilag2014.id} v${msctSleBilag2014.version})`, () => {
  test.each(cases)('%s', (_name, spec, want) => {
    check(adjudicate(history(spec)).primary, want);
  });

  test('Clarification 3: the relapse of a PCR → relapse → re-response history is counted and dated, with time to relapse', () => {
    const v = adjudicate(
      history({ baseline: ACTIVE, visits: { M6: 'ren:B', M9: 'ren:A', M12: ALL_C } }),
    ).primary;
    expect(v.relapse).toMatchObject({ visitCode: 'M9', studyDay: 273, rule: 'relapse.bilag-flare' });
    expect(v.reResponse).toMatchObject({ visitCode: 'M12', month: 12, outcome: 'MCR' });
    expect(v.summary).toBe(
      'PCR → relapse: response at month 6 (M6, day 182), relapse at M9 (day 273), re-response at month 12; flagged for re-treatment.',
    );
    expect(v.trace.map((t) => t.rule)).toContain('response.re-response');
  });

  test('Re-treatment "after month 6" with a rule set that accepts month-3 responses: a relapse before the M6 assessment does not flag', () => {
    const early = {
      ...msctSleBilag2014,
      id: 'example-early',
      responseVisits: [{ month: 3, visitCode: 'M3' }, ...msctSleBilag2014.responseVisits],
    };
    // Relapse on day 198 (after day 196, so the 1.0.0 rule flagged it) but before the M6 done on day 205.
    const h = history({
      baseline: ACTIVE,
      visits: { M3: ALL_C, U1: { g: 'ren:A', day: 198 }, M6: { g: 'ren:A', day: 205 }, M12: 'ren:A' },
    });
    const v = adjudicate(h, { ruleSet: early }).primary;
    expect(v.label).toBe('MCR → relapse');
    expect(v.relapse?.studyDay).toBe(198);
    expect(v.retreatment.flagged).toBe(false);
  });
});
