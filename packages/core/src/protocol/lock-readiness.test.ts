import { describe, expect, it } from 'vitest';
import { lockReadiness, readinessSummary } from './lock-readiness.js';

const v = (visitId: string, visitCode: string, status = 'open') => ({
  visitId,
  visitCode,
  subjectId: 's1',
  subjectCode: 'SA-001',
  status,
});
const f = (formId: string, formCode: string, visitId: string, signed: boolean, verified: boolean) => ({
  formId,
  formCode,
  visitId,
  signed,
  verified,
});
const expectedForms = [
  { id: 'labs', visitCodes: ['D0', 'M1'] },
  { id: 'vital-signs', visitCodes: ['D0'] },
  { id: 'end-of-study', visitCodes: ['M12', 'UNSCHEDULED'] },
];

describe('lockReadiness (issue #21: ready to lock)', () => {
  it('is clean when every expected form is there, signed and verified and no query is open', () => {
    const r = lockReadiness({
      plan: { mode: 'all' },
      expectedForms,
      visits: [v('v0', 'D0')],
      forms: [f('f1', 'labs', 'v0', true, true), f('f2', 'vital-signs', 'v0', true, true)],
      queries: [],
    });
    expect(r.clean).toBe(true);
    expect(readinessSummary(r)).toBe(
      '0 open queries, 0 forms not source verified, 0 forms not signed, 0 forms missing',
    );
  });

  it('lists each kind of gap; the SDV plan decides which unverified forms count; a missed visit expects nothing', () => {
    const r = lockReadiness({
      plan: { mode: 'subset', rules: [{ formCode: 'labs' }] },
      expectedForms,
      visits: [v('v0', 'D0'), v('v1', 'M1'), v('v3', 'M3', 'missed')],
      forms: [f('f1', 'labs', 'v0', false, false), f('f2', 'vital-signs', 'v0', true, false)],
      queries: [{ queryId: 'q', subjectId: 's1', subjectCode: 'SA-001', status: 'answered', text: 'x' }],
    });
    expect(r.clean).toBe(false);
    expect(r.counts).toEqual({ openQueries: 1, unverifiedForms: 1, unsignedForms: 1, missingForms: 1 });
    expect(r.unverifiedForms.map((x) => x.formId)).toEqual(['f1']);
    expect(r.missingForms).toEqual([
      {
        subjectId: 's1',
        subjectCode: 'SA-001',
        visitId: 'v1',
        visitCode: 'M1',
        formCode: 'labs',
        formId: null,
      },
    ]);
  });

  it('an ad-hoc study (no definition) has no missing forms; lists are cut at the limit, counts are not', () => {
    const forms = Array.from({ length: 5 }, (_, i) => f(`f${i}`, `x${i}`, 'v0', false, true));
    const r = lockReadiness({
      plan: { mode: 'all' },
      expectedForms: undefined,
      visits: [v('v0', 'D0')],
      forms,
      queries: [],
      limit: 2,
    });
    expect(r.counts.unsignedForms).toBe(5);
    expect(r.unsignedForms).toHaveLength(2);
    expect(r.counts.missingForms).toBe(0);
  });

  it('every list is cut at the limit in order and counted in full; the plan is asked per visit and form', () => {
    const visits = [v('v0', 'D0'), v('v1', 'M1'), v('v2', 'D0'), v('v3', 'M1')];
    const forms = [
      f('a', 'labs', 'v0', false, false),
      f('b', 'vital-signs', 'v0', false, false),
      f('c', 'labs', 'v1', false, false),
      f('d', 'labs', 'v2', false, false),
      f('e', 'vital-signs', 'v2', true, false),
    ];
    const r = lockReadiness({
      plan: { mode: 'subset', rules: [{ formCode: 'labs', visitCode: 'D0' }] },
      expectedForms,
      visits,
      forms,
      queries: [],
      limit: 1,
    });
    // labs at D0 needs SDV (a, d); labs at M1 (c) and vital signs (b, e) do not.
    expect(r.counts).toEqual({ openQueries: 0, unverifiedForms: 2, unsignedForms: 4, missingForms: 1 });
    expect(r.unverifiedForms.map((x) => x.formId)).toEqual(['a']);
    expect(r.unsignedForms.map((x) => x.formId)).toEqual(['a']);
    expect(r.missingForms.map((x) => `${x.visitId}:${x.formCode}`)).toEqual(['v3:labs']);
    const all = lockReadiness({ plan: { mode: 'all' }, expectedForms, visits, forms, queries: [], limit: 3 });
    expect(all.counts).toEqual({ openQueries: 0, unverifiedForms: 5, unsignedForms: 4, missingForms: 1 });
    expect(all.unverifiedForms.map((x) => x.formId)).toEqual(['a', 'b', 'c']);
    expect(all.unsignedForms.map((x) => x.formId)).toEqual(['a', 'b', 'c']);
  });

  it('an unscheduled visit expects no form, not even the end-of-study form it allows (issue #22)', () => {
    const r = lockReadiness({
      plan: { mode: 'all' },
      expectedForms,
      visits: [v('u1', 'UNSCHEDULED'), v('v12', 'M12')],
      forms: [],
      queries: [],
    });
    expect(r.missingForms.map((m) => `${m.visitCode}:${m.formCode}`)).toEqual(['M12:end-of-study']);
  });
});
