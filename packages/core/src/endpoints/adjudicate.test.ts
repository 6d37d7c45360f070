import { describe, expect, test } from 'vitest';
import { type HistorySpec, history } from '../testing/test-histories.js';
import { adjudicate, type ImputationReason, type ResponseOutcome } from './adjudicate.js';
import { msctSleBilag2014 } from './rule-set.js';

interface Expected {
  outcome: ResponseOutcome;
  label?: string;
  /** Month of first response. */
  first?: number | null;
  /** Month at which the reported response was established. */
  established?: number;
  routes?: number[];
  relapseAt?: string | null;
  relapseRule?: string;
  imputation?: ImputationReason | null;
  provisional?: string | null;
  retreat?: boolean;
}

const ACTIVE = 'ren:A muc:C';
const ALL_C = 'ren:C muc:C';

// Each row is one constructed patient history and the verdict endpoints.md requires for it.
const cases: Array<[string, HistorySpec, Expected]> = [
  // ── response at 3, 6, 9, 12 months ───────────────────────────────────────────────────────────
  [
    'improved by month 3, maintained → MCR counted at month 6',
    { baseline: ACTIVE, visits: { M1: 'ren:B muc:C', M3: ALL_C, M6: ALL_C, M9: ALL_C, M12: 'ren:D muc:D' } },
    { outcome: 'MCR', label: 'MCR', first: 6, established: 6, relapseAt: null, imputation: null },
  ],
  [
    'MCR at month 6 without month-3 improvement',
    { baseline: ACTIVE, visits: { M3: ACTIVE, M6: ALL_C, M9: ALL_C, M12: ALL_C } },
    { outcome: 'MCR', first: 6, established: 6 },
  ],
  [
    'first response at month 9: still A at 6, all C at 9 and 12 → MCR at 9',
    { baseline: ACTIVE, visits: { M3: ACTIVE, M6: ACTIVE, M9: ALL_C, M12: ALL_C } },
    { outcome: 'MCR', first: 9, established: 9 },
  ],
  [
    'first response at month 12: all C only at 12 → MCR at 12',
    { baseline: ACTIVE, visits: { M6: ACTIVE, M9: ACTIVE, M12: ALL_C } },
    { outcome: 'MCR', first: 12, established: 12 },
  ],
  [
    'PCR at month 6 (route 2: one B, no flare) then all C at 9 → MCR established at 9, first response 6',
    { baseline: ACTIVE, visits: { M6: 'ren:B', M9: ALL_C, M12: ALL_C } },
    { outcome: 'MCR', first: 6, established: 9 },
  ],
  [
    'PCR route 2 at month 12 only',
    { baseline: 'ren:A hae:C', visits: { M6: 'ren:A', M9: 'ren:A', M12: 'ren:B hae:C' } },
    { outcome: 'PCR', routes: [2], first: 12 },
  ],
  // ── PCR routes ──────────────────────────────────────────────────────────────────────────────
  [
    'PCR route 2: one B (was A) at 6, no flare through 12',
    { baseline: ACTIVE, visits: { M3: 'ren:B', M6: 'ren:B', M9: 'ren:B', M12: 'ren:B' } },
    { outcome: 'PCR', label: 'PCR', routes: [2], first: 6 },
  ],
  [
    'PCR routes 1 and 2: all C at 6, one new B at 9 breaks MCR maintenance but is no flare',
    { baseline: ACTIVE, visits: { M6: ALL_C, M9: 'ren:C muc:B', M12: 'ren:C muc:B' } },
    { outcome: 'PCR', routes: [1, 2], relapseAt: null },
  ],
  [
    'PCR route 1 only: new B at 9, flare-free to an unscheduled visit ≥ 4 months later, then withdrawal',
    {
      baseline: ACTIVE,
      visits: { M6: ALL_C, M9: 'ren:C muc:B', U1: { g: 'ren:C muc:B', day: 310 } },
      withdrawalDay: 320,
    },
    { outcome: 'PCR', routes: [1], established: 6 },
  ],
  [
    'PCR route 3: very high baseline (2 A), two B at 6 through 12',
    { baseline: 'ren:A hae:A', visits: { M6: 'ren:B hae:B', M9: 'ren:B hae:B', M12: 'ren:B hae:C' } },
    { outcome: 'PCR', routes: [3] },
  ],
  [
    'PCR route 3: very high baseline (1 A and 2 B)',
    { baseline: 'ren:A hae:B muc:B', visits: { M6: 'ren:B hae:B', M9: 'ren:B hae:B', M12: 'ren:B hae:B' } },
    { outcome: 'PCR', routes: [3] },
  ],
  [
    'PCR route 3: very high baseline (4 B)',
    {
      baseline: 'ren:B hae:B muc:B msk:B',
      visits: {
        M6: 'ren:B hae:B muc:C msk:C',
        M9: 'ren:B hae:B muc:C msk:C',
        M12: 'ren:B hae:C muc:C msk:C',
      },
    },
    { outcome: 'PCR', routes: [3] },
  ],
  [
    'not very high (1 A, 1 B): two B at every visit → NR',
    { baseline: 'ren:A hae:B', visits: { M6: 'ren:B hae:B', M9: 'ren:B hae:B', M12: 'ren:B hae:B' } },
    { outcome: 'NR', imputation: null },
  ],
  [
    'very high baseline but three B at 6, 9, 12 → NR',
    {
      baseline: 'ren:A hae:A',
      visits: { M6: 'ren:B hae:B muc:B', M9: 'ren:B hae:B muc:B', M12: 'ren:B hae:B muc:B' },
    },
    { outcome: 'NR', imputation: null },
  ],
  // ── relapse after response ──────────────────────────────────────────────────────────────────
  [
    'MCR then relapse at 9 by a new A → MCR → relapse, flagged for re-treatment',
    { baseline: ACTIVE, visits: { M6: ALL_C, M9: 'ren:A muc:C', M12: 'ren:A muc:C' } },
    {
      outcome: 'MCR',
      label: 'MCR → relapse',
      relapseAt: 'M9',
      relapseRule: 'relapse.bilag-flare',
      retreat: true,
    },
  ],
  [
    'MCR then relapse at 12 by two new B',
    { baseline: ACTIVE, visits: { M6: ALL_C, M9: ALL_C, M12: 'ren:C muc:B msk:B' } },
    { outcome: 'MCR', label: 'MCR → relapse', relapseAt: 'M12', retreat: true },
  ],
  [
    'MCR then relapse at 12 by SLEDAI-2K rise ≥ 4 with one new B',
    {
      baseline: { g: ACTIVE, sledai: 14 },
      visits: {
        M6: { g: ALL_C, sledai: 4 },
        M9: { g: ALL_C, sledai: 4 },
        M12: { g: 'ren:C muc:B', sledai: 8 },
      },
    },
    { outcome: 'MCR', label: 'MCR → relapse', relapseAt: 'M12', relapseRule: 'relapse.sledai-rise' },
  ],
  [
    'SLEDAI rise of 3 with one new B is no relapse (breaks MCR maintenance only)',
    {
      baseline: { g: ACTIVE, sledai: 14 },
      visits: {
        M6: { g: ALL_C, sledai: 4 },
        M9: { g: ALL_C, sledai: 4 },
        M12: { g: 'ren:C muc:B', sledai: 7 },
      },
    },
    { outcome: 'PCR', routes: [1, 2], relapseAt: null },
  ],
  [
    'PCR (route 2) then relapse at 9: renal back to A from B',
    { baseline: ACTIVE, visits: { M6: 'ren:B', M9: 'ren:A', M12: 'ren:A' } },
    { outcome: 'PCR', label: 'PCR → relapse', routes: [2], relapseAt: 'M9', retreat: true },
  ],
  [
    'PCR (route 3) then relapse at 12 by two new B',
    {
      baseline: 'ren:A hae:A',
      visits: { M6: 'ren:B hae:B', M9: 'ren:B hae:B', M12: 'ren:B hae:B muc:B msk:B' },
    },
    { outcome: 'PCR', label: 'PCR → relapse', routes: [3], relapseAt: 'M12' },
  ],
  [
    'relapse at an unscheduled visit between 9 and 12',
    { baseline: ACTIVE, visits: { M6: ALL_C, M9: ALL_C, U1: { g: 'ren:A', day: 320 }, M12: 'ren:B' } },
    { outcome: 'MCR', label: 'MCR → relapse', relapseAt: 'UNSCHEDULED' },
  ],
  [
    'Clarification 1 example: renal A → C (MCR state at 6) → B at 9 is a new B against month 6 → PCR (routes 1, 2)',
    { baseline: ACTIVE, visits: { M6: ALL_C, M9: 'ren:B', M12: ALL_C } },
    { outcome: 'PCR', routes: [1, 2], relapseAt: null },
  ],
  // ── flares before the response assessment ──────────────────────────────────────────────────
  [
    'transient new B at month 3, all C at 6: not MCR (new B since baseline), PCR route 2 (one new B is no flare)',
    { baseline: ACTIVE, visits: { M3: 'ren:B muc:B', M6: ALL_C, M9: ALL_C, M12: ALL_C } },
    { outcome: 'PCR', routes: [2] },
  ],
  [
    'flare at month 3 (new A), all C afterwards → NR (flare between baseline and response)',
    { baseline: ACTIVE, visits: { M3: 'ren:B muc:A', M6: ALL_C, M9: ALL_C, M12: ALL_C } },
    { outcome: 'NR', imputation: null },
  ],
  [
    'persistent activity → NR observed',
    { baseline: ACTIVE, visits: { M1: ACTIVE, M3: ACTIVE, M6: ACTIVE, M9: ACTIVE, M12: ACTIVE } },
    { outcome: 'NR', imputation: null, provisional: null },
  ],
  // ── death and withdrawal ───────────────────────────────────────────────────────────────────
  [
    'death before month 6 → NR by imputation (death)',
    { baseline: ACTIVE, visits: { M1: ACTIVE, M3: 'ren:B' }, deathDay: 100 },
    { outcome: 'NR', imputation: 'death' },
  ],
  [
    'death on day 7 (Table 2 patient 9) → NR by imputation (death)',
    { baseline: ACTIVE, deathDay: 7 },
    { outcome: 'NR', imputation: 'death' },
  ],
  [
    'MCR criteria at 6, death on day 256 before confirmation → NR (death), provisional MCR at M6',
    { baseline: ACTIVE, visits: { M3: ALL_C, M6: ALL_C }, deathDay: 256 },
    { outcome: 'NR', imputation: 'death', provisional: 'M6' },
  ],
  [
    'withdrawal at day 120 → NR by imputation (withdrawal)',
    { baseline: ACTIVE, visits: { M1: ACTIVE, M3: ALL_C }, withdrawalDay: 120 },
    { outcome: 'NR', imputation: 'withdrawal' },
  ],
  [
    'MCR → relapse at 9, then withdrawal at day 300: the relapse confirms the response',
    { baseline: ACTIVE, visits: { M6: ALL_C, M9: 'ren:A' }, withdrawalDay: 300 },
    { outcome: 'MCR', label: 'MCR → relapse', relapseAt: 'M9' },
  ],
  // ── missing visits ─────────────────────────────────────────────────────────────────────────
  [
    'month 6 missed, all C at 9 and 12 → MCR at 9',
    { baseline: ACTIVE, visits: { M3: ACTIVE, M9: ALL_C, M12: ALL_C } },
    { outcome: 'MCR', first: 9 },
  ],
  [
    'month 12 missed after MCR criteria at 6 and 9 → NR by imputation (missing visit), provisional MCR',
    { baseline: ACTIVE, visits: { M6: ALL_C, M9: ALL_C } },
    { outcome: 'NR', imputation: 'missing-visit', provisional: 'M6' },
  ],
  [
    'month 9 missed between responses: maintenance confirmed by month 12 → MCR',
    { baseline: ACTIVE, visits: { M6: ALL_C, M12: ALL_C } },
    { outcome: 'MCR', first: 6 },
  ],
  [
    'no assessment after baseline → NR by imputation (missing visit)',
    { baseline: ACTIVE },
    { outcome: 'NR', imputation: 'missing-visit' },
  ],
  [
    'month 6 incomplete (renal not graded), MCR at 9',
    { baseline: ACTIVE, visits: { M6: { g: ALL_C, omit: ['ren'] }, M9: ALL_C, M12: ALL_C } },
    { outcome: 'MCR', first: 9 },
  ],
  [
    'no response and month 12 incomplete → NR by imputation (incomplete assessment)',
    { baseline: ACTIVE, visits: { M6: ACTIVE, M9: ACTIVE, M12: { g: ALL_C, omit: ['hae'] } } },
    { outcome: 'NR', imputation: 'incomplete-assessment' },
  ],
  [
    'incomplete baseline → NR by imputation (incomplete assessment)',
    { baseline: { g: ACTIVE, omit: ['neu'] }, visits: { M6: ALL_C, M9: ALL_C, M12: ALL_C } },
    { outcome: 'NR', imputation: 'incomplete-assessment' },
  ],
  [
    'month 12 late (day 385) still ends follow-up',
    { baseline: ACTIVE, visits: { M6: ALL_C, M9: ALL_C, M12: { g: ALL_C, day: 385 } } },
    { outcome: 'MCR' },
  ],
  // ── data cut (interim) ─────────────────────────────────────────────────────────────────────
  [
    'data cut at day 200 after MCR criteria at 6 → pending, provisional MCR',
    { baseline: ACTIVE, visits: { M3: ALL_C, M6: ALL_C }, asOfStudyDay: 200 },
    { outcome: 'pending', provisional: 'M6', imputation: null },
  ],
  [
    'data cut at day 100 → pending',
    { baseline: ACTIVE, visits: { M3: ACTIVE }, asOfStudyDay: 100 },
    { outcome: 'pending', provisional: null },
  ],
  [
    'data cut at day 280 after MCR → relapse at 9: already final',
    { baseline: ACTIVE, visits: { M6: ALL_C, M9: 'ren:A' }, asOfStudyDay: 280 },
    { outcome: 'MCR', label: 'MCR → relapse' },
  ],
  // ── re-treatment ───────────────────────────────────────────────────────────────────────────
  [
    'serological worsening at two consecutive assessments after month 6 flags re-treatment (no relapse)',
    {
      baseline: { g: ACTIVE, sledai: 16, c3: 0.5, dna: 300 },
      visits: {
        M6: { g: ALL_C, sledai: 2, c3: 1.0, dna: 50 },
        M9: { g: ALL_C, sledai: 6, c3: 0.8, dna: 50 },
        M12: { g: ALL_C, sledai: 6, c3: 0.9, dna: 120 },
      },
    },
    { outcome: 'MCR', label: 'MCR', retreat: true },
  ],
  [
    'serological worsening at one assessment only: no flag',
    {
      baseline: { g: ACTIVE, sledai: 16, c3: 0.5 },
      visits: {
        M6: { g: ALL_C, sledai: 2, c3: 1.0 },
        M9: { g: ALL_C, sledai: 6, c3: 0.8 },
        M12: { g: ALL_C, sledai: 2, c3: 1.1 },
      },
    },
    { outcome: 'MCR', retreat: false },
  ],
  [
    'cycle 2 started on day 250 before cycle-1 response was confirmed → cycle 1 NR (retreated)',
    {
      baseline: ACTIVE,
      visits: { M6: ALL_C },
      cycles: [{ cycle: 2, day0: 250, baseline: 'ren:B' }],
    },
    { outcome: 'NR', imputation: 'retreated', provisional: 'M6' },
  ],
];

describe(`adjudicate (${msctSleBilag2014.id} v${msctSleBilag2014.version})`, () => {
  test('at least 30 constructed histories', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  test.each(cases)('%s', (_name, spec, want) => {
    const v = adjudicate(history(spec)).primary;
    expect(v.outcome).toBe(want.outcome);
    if (want.label !== undefined) expect(v.label).toBe(want.label);
    if (want.first !== undefined) expect(v.firstResponseMonth).toBe(want.first);
    if (want.established !== undefined) expect(v.response?.month).toBe(want.established);
    if (want.routes !== undefined) expect(v.pcrRoutes).toEqual(want.routes);
    if (want.relapseAt !== undefined) expect(v.relapse?.visitCode ?? null).toBe(want.relapseAt);
    if (want.relapseRule !== undefined) expect(v.relapse?.rule).toBe(want.relapseRule);
    if (want.imputation !== undefined) expect(v.imputation?.reason ?? null).toBe(want.imputation);
    if (want.provisional !== undefined) expect(v.provisional?.visitCode ?? null).toBe(want.provisional);
    if (want.retreat !== undefined) expect(v.retreatment.flagged).toBe(want.retreat);
    // Every verdict explains itself.
    expect(v.trace.length).toBeGreaterThan(0);
    expect(v.summary.length).toBeGreaterThan(0);
    if (v.outcome === 'NR' || v.outcome === 'pending') expect(v.response).toBeNull();
  });
});
