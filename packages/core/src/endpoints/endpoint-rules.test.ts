import { describe, expect, test } from 'vitest';
import {
  CLASSIC_BILAG_SYSTEMS,
  type ClassicBilagGrades,
  type ClassicBilagSystem,
} from '../instruments/bilag-classic/index.js';
import { msctSleTrial } from '../protocol/msct-sle-trial.js';
import { validateStudyDefinition } from '../protocol/validate-definition.js';
import { assessment, CLASSIC, history } from '../testing/test-histories.js';
import { adjudicate } from './adjudicate.js';
import { type Assessment, newGrades } from './assessment.js';
import { isVeryHighBaseline } from './response.js';
import { endpointRuleSets, getEndpointRuleSet, msctSleBilag2014 } from './rule-set.js';

describe('rule set msct-sle-bilag-2014 pins endpoints.md', () => {
  test('named and versioned, registered by id', () => {
    expect(getEndpointRuleSet('msct-sle-bilag-2014')).toBe(msctSleBilag2014);
    expect(Object.keys(endpointRuleSets)).toEqual(['msct-sle-bilag-2014']);
    expect(msctSleBilag2014.version).toBe('2.0.0');
    expect(adjudicate(history({ baseline: 'ren:A' })).ruleSet).toEqual({
      id: 'msct-sle-bilag-2014',
      version: '2.0.0',
    });
  });

  test('thresholds', () => {
    const r = msctSleBilag2014;
    expect(r.responseVisits.map((v) => v.month)).toEqual([6, 9, 12]);
    expect(r.endOfFollowUp).toEqual({ visitCode: 'M12', earliestDay: 351, latestDay: 379 });
    expect(r.pcr1MaintainedDays).toBe(122);
    expect([r.pcr2MaxB, r.pcr3MaxB]).toEqual([1, 2]);
    expect(r.veryHighBaseline).toEqual({ minA: 2, oneAMinB: 2, minB: 4 });
    expect(r.flare).toEqual({ minNewA: 1, minNewB: 2 });
    expect(r.relapseSledai).toEqual({ sledaiRise: 4, minNewB: 1 });
    expect(r.retreatment).toEqual({
      afterVisitCode: 'M6',
      afterStudyDay: 196,
      flagOnRelapse: true,
      sledaiRise: 3,
      consecutiveAssessments: 2,
    });
  });
});

describe('Notation: new A / new B', () => {
  const v = (g: string) => assessment('M9', g);
  test('new A = A where the reference was not A; new B = B where the reference was C, D or E', () => {
    expect(newGrades(v('ren:A muc:B hae:B'), v('ren:C muc:D hae:A'), CLASSIC)).toEqual({
      newA: ['renal'],
      newB: ['mucocutaneous'],
    });
    expect(newGrades(v('ren:A'), v('ren:A'), CLASSIC)).toEqual({ newA: [], newB: [] });
  });

  test('after a response a new A also needs the previous assessment not to be A', () => {
    const previous: Assessment<(typeof CLASSIC)[number]> = v('ren:A');
    expect(newGrades(v('ren:A'), v('ren:C'), CLASSIC, previous).newA).toEqual([]);
    expect(newGrades(v('ren:A'), v('ren:C'), CLASSIC, v('ren:B')).newA).toEqual(['renal']);
  });

  test('very high baseline activity', () => {
    const rule = msctSleBilag2014.veryHighBaseline;
    const vh = (g: string) => isVeryHighBaseline(assessment('D0', g), CLASSIC, rule);
    expect([vh('ren:A hae:A'), vh('ren:A hae:B muc:B'), vh('ren:B hae:B muc:B msk:B')]).toEqual([
      true,
      true,
      true,
    ]);
    expect([vh('ren:A hae:B'), vh('ren:B hae:B muc:B'), vh('ren:A')]).toEqual([false, false, false]);
  });
});

describe('traces are structured data', () => {
  test('an MCR → relapse trace names the rule, visit and systems', () => {
    const v = adjudicate(history({ baseline: 'ren:A', visits: { M6: 'ren:C', M9: 'ren:C muc:A' } })).primary;
    const relapse = v.trace.find((t) => t.rule === 'relapse.bilag-flare');
    expect(relapse).toMatchObject({
      outcome: 'met',
      visitCode: 'M9',
      studyDay: 273,
      systems: ['mucocutaneous'],
    });
    expect(relapse?.text).toContain('new A in mucocutaneous');
    expect(v.trace.map((t) => t.rule)).toEqual([
      'response.visit-missing',
      'mcr.c-or-better',
      'mcr.no-new-a-or-b',
      'mcr.maintained',
      'response.established',
      'relapse.bilag-flare',
      'relapse.final',
      'retreatment.relapse',
    ]);
    expect(v.relapse).toEqual({
      visitCode: 'M9',
      studyDay: 273,
      date: '2024-09-30',
      rule: 'relapse.bilag-flare',
      systems: ['mucocutaneous'],
    });
  });

  test('an imputed NR says why in its trace and summary', () => {
    const v = adjudicate(history({ baseline: 'ren:A', visits: { M3: 'ren:B' }, deathDay: 100 })).primary;
    expect(v.trace.at(-1)).toMatchObject({ rule: 'nri.death', outcome: 'met' });
    expect(v.summary).toBe('NR by non-responder imputation: patient died on day 100.');
  });
});

describe('rule sets are data: variants change verdicts without code changes', () => {
  test('response months 3, 6, 9, 12 → MCR established at month 3', () => {
    const early = {
      ...msctSleBilag2014,
      id: 'example-early',
      responseVisits: [{ month: 3, visitCode: 'M3' }, ...msctSleBilag2014.responseVisits],
    };
    const h = history({ baseline: 'ren:A', visits: { M3: 'ren:C', M6: 'ren:C', M9: 'ren:C', M12: 'ren:C' } });
    expect(adjudicate(h).primary.firstResponseMonth).toBe(6);
    const r = adjudicate(h, { ruleSet: early });
    expect(r.primary.firstResponseMonth).toBe(3);
    expect(r.ruleSet.id).toBe('example-early');
  });

  test('flare threshold: a rule set needing 3 new B turns an MCR → relapse by 2 new B into a PCR', () => {
    const h = history({ baseline: 'ren:A', visits: { M6: 'ren:C', M9: 'ren:C', M12: 'muc:B hae:B' } });
    expect(adjudicate(h).primary.label).toBe('MCR → relapse');
    const lenient = adjudicate(h, {
      ruleSet: { ...msctSleBilag2014, flare: { minNewA: 1, minNewB: 3 } },
    }).primary;
    expect(lenient.label).toBe('PCR');
    expect(lenient.pcrRoutes).toEqual([1, 2]);
  });

  test('a study re-treatment rule overrides the rule set default', () => {
    const h = history({ baseline: 'ren:A', visits: { M6: 'ren:C', M9: 'ren:A' } });
    expect(adjudicate(h).primary.retreatment.flagged).toBe(true);
    const off = { afterStudyDay: 196, flagOnRelapse: false, sledaiRise: 3, consecutiveAssessments: 2 };
    expect(adjudicate(h, { retreatment: off }).primary.retreatment.flagged).toBe(false);
  });
});

describe('BILAG-2004 (9 systems) works through the same generic input', () => {
  const B2004 = [
    'constitutional',
    'mucocutaneous',
    'neuropsychiatric',
    'musculoskeletal',
    'cardiorespiratory',
    'gastrointestinal',
    'ophthalmic',
    'renal',
    'haematological',
  ] as const;
  type S = (typeof B2004)[number];
  const all = (overrides: Partial<Record<S, 'A' | 'B' | 'C' | 'D' | 'E'>>) => {
    const g: Partial<Record<S, 'A' | 'B' | 'C' | 'D' | 'E'>> = {};
    for (const s of B2004) g[s] = 'D';
    return { ...g, ...overrides };
  };
  const a = (visitCode: string, studyDay: number, grades: ReturnType<typeof all>): Assessment<S> => ({
    visitCode,
    studyDay,
    date: '2024-01-01',
    grades,
  });

  test('ophthalmic A at baseline, C from month 6 → MCR; ophthalmic new A at 9 → relapse', () => {
    const base = { systems: B2004, baseline: a('D0', 0, all({ ophthalmic: 'A' })) };
    const ok = adjudicate({
      ...base,
      assessments: [a('M6', 182, all({})), a('M9', 273, all({})), a('M12', 365, all({ ophthalmic: 'C' }))],
    });
    expect(ok.primary.label).toBe('MCR');
    const relapse = adjudicate({
      ...base,
      assessments: [a('M6', 182, all({})), a('M9', 273, all({ gastrointestinal: 'A' }))],
    });
    expect(relapse.primary.label).toBe('MCR → relapse');
    expect(relapse.primary.relapse?.systems).toEqual(['gastrointestinal']);
  });
});

describe('input compatibility with the instruments', () => {
  test('classic BILAG grades from the instruments are assessment grades', () => {
    const fromInstruments: ClassicBilagGrades = {
      general: 'E',
      mucocutaneous: 'C',
      neurological: 'E',
      musculoskeletal: 'E',
      cardiorespiratory: 'E',
      vasculitis: 'E',
      renal: 'C',
      haematological: 'D',
    };
    const a: Assessment<ClassicBilagSystem> = {
      visitCode: 'M6',
      studyDay: 182,
      date: '2024-07-01',
      grades: fromInstruments,
    };
    expect(CLASSIC_BILAG_SYSTEMS).toEqual(CLASSIC);
    expect(
      adjudicate({
        systems: CLASSIC_BILAG_SYSTEMS,
        baseline: { ...a, grades: { ...fromInstruments, renal: 'A' } },
        assessments: [a, { ...a, visitCode: 'M12', studyDay: 365 }],
      }).primary.outcome,
    ).toBe('MCR');
  });
});

describe('the built-in trial and its rule set agree', () => {
  test('msctSleTrial names a known rule set and the same re-treatment rule', () => {
    expect(validateStudyDefinition(msctSleTrial, { knownRuleSetIds: Object.keys(endpointRuleSets) }).ok).toBe(
      true,
    );
    expect(getEndpointRuleSet(msctSleTrial.endpointRuleSetId)?.retreatment).toEqual(msctSleTrial.retreatment);
    const m12 = msctSleTrial.visits.find((v) => v.code === 'M12')!;
    expect([m12.targetDay - 14, m12.targetDay + 14]).toEqual([
      msctSleBilag2014.endOfFollowUp.earliestDay,
      msctSleBilag2014.endOfFollowUp.latestDay,
    ]);
  });
});
