// The demo plan as data: deterministic per seed, every item valid on its form at its visit, eligible
// (with the published deviations as waivers), infusions per plan, Table 2 events, published trends.
import { describe, expect, it } from 'vitest';
import { deriveVisitScores } from '../crf/derive.js';
import { itemFormsFor } from '../crf/forms.js';
import { checkItemValue } from '../crf/item-definition.js';
import { screeningFromItems } from '../crf/screening.js';
import { evaluateEligibility } from '../protocol/eligibility.js';
import { checkInfusionDose, checkViability } from '../protocol/infusion.js';
import { daysBetween } from '../protocol/iso-date.js';
import { msctSleTrial } from '../protocol/msct-sle-trial.js';
import { generateDemoTrial } from './generate.js';

const plan = generateDemoTrial({ seed: 2014 });

describe('generateDemoTrial', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    expect(JSON.stringify(generateDemoTrial({ seed: 2014 }))).toBe(JSON.stringify(plan));
    expect(JSON.stringify(generateDemoTrial({ seed: '2014' }))).toBe(JSON.stringify(plan));
    expect(JSON.stringify(generateDemoTrial({ seed: 2015 }))).not.toBe(JSON.stringify(plan));
    expect(generateDemoTrial().seed).toBe(2014);
  });

  it('runs quickly (timing itself is measured in bench/demo.bench.ts)', () => {
    expect(generateDemoTrial({ seed: 99 }).patients).toHaveLength(40);
  });

  it('has the four centres, and a user for every role at each site', () => {
    expect(plan.sites.map((s) => s.code)).toEqual(msctSleTrial.centres.map((c) => c.id));
    for (const site of plan.sites)
      for (const role of ['investigator', 'coordinator', 'monitor', 'safety', 'statistician'])
        expect(plan.users.some((u) => u.role === role && u.siteCode === site.code)).toBe(true);
    expect(plan.users.some((u) => u.role === 'admin' && u.siteCode === null)).toBe(true);
    expect(new Set(plan.users.map((u) => u.username)).size).toBe(plan.users.length);
    expect(JSON.stringify(plan.users)).not.toMatch(/password/i);
  });

  it('every item passes checkItemValue on its form, and each form is scheduled at its visit', () => {
    const forms = itemFormsFor(msctSleTrial);
    const allowed = new Map(msctSleTrial.forms.map((f) => [f.id, new Set(f.visitCodes)]));
    let n = 0;
    for (const p of plan.patients)
      for (const v of p.visits)
        for (const [formCode, items] of Object.entries(v.forms)) {
          const form = forms.get(formCode);
          expect(form, formCode).toBeDefined();
          expect(allowed.get(formCode)?.has(v.visitCode), `${formCode} at ${v.visitCode}`).toBe(true);
          for (const [code, it] of Object.entries(items)) {
            expect(
              checkItemValue(form!, code, it.value, it.unit),
              `patient ${p.number} ${v.visitCode} ${formCode}.${code}`,
            ).toBeUndefined();
            n++;
          }
        }
    expect(n).toBeGreaterThan(10_000);
  });

  it('visits fall inside their windows; death ends the visits', () => {
    const windows = new Map(msctSleTrial.visits.map((v) => [v.code, v]));
    for (const p of plan.patients) {
      const death = p.adverseEvents.find((a) => a.deathDate)?.deathDate ?? null;
      for (const v of p.visits) {
        const day = daysBetween(p.day0Date, v.date);
        if (death) expect(v.date <= death).toBe(true);
        const w = windows.get(v.visitCode);
        if (!w) continue;
        const [before, after] =
          typeof w.windowDays === 'number'
            ? [w.windowDays, w.windowDays]
            : [w.windowDays.before, w.windowDays.after];
        expect(day, `patient ${p.number} ${v.visitCode}`).toBeGreaterThanOrEqual(w.targetDay - before);
        expect(day, `patient ${p.number} ${v.visitCode}`).toBeLessThanOrEqual(w.targetDay + after);
      }
      expect(p.day0Date >= '2012-10-01' && p.day0Date <= '2013-12-31').toBe(true);
    }
  });

  it('every patient is eligible; the published deviations are recorded waivers', () => {
    const waived: string[] = [];
    for (const p of plan.patients) {
      const scr = p.visits.find((v) => v.visitCode === 'SCR')!;
      const { data, waivers } = screeningFromItems(msctSleTrial.eligibility, scr.forms.eligibility!);
      const r = evaluateEligibility(msctSleTrial.eligibility, data, waivers);
      expect({ p: p.number, overall: r.overall, rejected: r.rejectedWaivers }).toEqual({
        p: p.number,
        overall: 'eligible',
        rejected: [],
      });
      for (const w of r.waived) waived.push(`${p.number}:${w.id}`);
    }
    expect(waived).toContain('12:inc-lupus-nephritis');
    expect(waived).toContain('13:inc-sledai');
  });

  it('infusions on day 0 and day 7 at 1e6 cells/kg with viability ≥ 90%', () => {
    for (const p of plan.patients) {
      expect(p.infusions.map((i) => i.infusionNumber)).toEqual([1, 2]);
      for (const i of p.infusions.filter((x) => x.status === 'given')) {
        expect(
          checkInfusionDose(msctSleTrial.infusion, { totalCells: i.totalCells!, weightKg: i.weightKg! })
            .flagged,
        ).toBe(false);
        expect(checkViability(msctSleTrial.infusion, i.viabilityPct!).released).toBe(true);
        expect(i.productLot).toMatch(/^UCMSC-\d{6}-\d{3}$/);
      }
    }
    const notGiven = plan.patients.filter((p) => p.infusions.some((i) => i.status === 'not_given'));
    expect(notGiven.map((p) => p.intended.deathDay)).toEqual([7]);
  });

  it('adverse events follow Table 2, all not related; deaths carry a date', () => {
    const rows = plan.patients.flatMap((p) =>
      p.adverseEvents.map(
        (a) => `${p.number}:${a.term}:${daysBetween(p.day0Date, a.onsetDate)}:${a.relatedness}`,
      ),
    );
    expect(rows).toContain('2:Herpesvirus infection:291:not_related');
    expect(rows).toContain('3:Herpesvirus infection:135:not_related');
    expect(rows).toContain('3:Herpesvirus infection:187:not_related');
    expect(rows).toContain('12:Tuberculosis infection:326:not_related');
    expect(rows).toContain('14:Death:256:not_related');
    expect(rows).toContain('27:Death:192:not_related');
    expect(rows.filter((r) => r.includes(':Death:7:'))).toHaveLength(1);
    expect(rows.some((r) => r.startsWith('9:Death'))).toBe(false);
    expect(rows).toHaveLength(7);
  });

  it('labs follow the published trends (trial.md "Published results")', () => {
    const mean = (
      visit: string,
      key: 'c3GL' | 'albuminGL' | 'antiDsDnaIuMl' | 'creatinineUmolL' | 'proteinuriaG24h',
      ln = false,
    ) => {
      const xs = plan.patients
        .filter((p) => !ln || p.visits[0]!.forms.demographics!.lupus_nephritis!.value === '1')
        .flatMap((p) => p.visits.filter((v) => v.visitCode === visit))
        .map((v) => deriveVisitScores(v.forms).labs[key])
        .filter((x): x is number => x !== undefined);
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    // C3 and albumin rise to a peak at month 6, slightly lower at 9 and 12.
    for (const k of ['c3GL', 'albuminGL'] as const) {
      expect(mean('M6', k)).toBeGreaterThan(mean('D0', k));
      expect(mean('M6', k)).toBeGreaterThan(mean('M12', k));
    }
    // Anti-dsDNA lower by month 3.
    expect(mean('M3', 'antiDsDnaIuMl')).toBeLessThan(mean('D0', 'antiDsDnaIuMl'));
    // LN: proteinuria falls by months 9 and 12; creatinine lowest at month 6.
    // (Non-responders keep their renal A, so the mean falls by about a third, not to normal.)
    for (const v of ['M9', 'M12'])
      expect(mean(v, 'proteinuriaG24h', true)).toBeLessThan(0.75 * mean('D0', 'proteinuriaG24h', true));
    const creat = ['D0', 'M3', 'M6', 'M9', 'M12'].map((v) => mean(v, 'creatinineUmolL', true));
    expect(Math.min(...creat)).toBe(creat[2]);
  });
});
