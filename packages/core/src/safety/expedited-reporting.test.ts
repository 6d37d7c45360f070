import { describe, expect, it } from 'vitest';
import { type SaeClockInput, saeReportingClock } from './expedited-reporting.js';

const base: SaeClockInput = {
  seriousness: ['hospitalisation'],
  relatedness: 'possible',
  sponsorRelatedness: null,
  expectedness: 'unexpected',
  siteAwareAt: '2026-03-01T10:00:00Z',
  sponsorNotifiedAt: '2026-03-01T12:00:00Z',
  reportedDate: null,
};
const at = (iso: string) => new Date(iso);

describe('saeReportingClock: which events are expedited (ICH E2A §III.A, §III.B)', () => {
  it.each([
    // seriousness, investigator, sponsor, expectedness → expedited, days
    [['death'], 'definite', null, 'unexpected', true, 7],
    [['life_threatening'], 'possible', null, 'unexpected', true, 7],
    [['hospitalisation'], 'probable', null, 'unexpected', true, 15],
    [['medically_important'], 'possible', null, null, true, 15],
    [['hospitalisation', 'life_threatening'], 'possible', null, 'unexpected', true, 7],
    [['hospitalisation'], 'unlikely', 'possible', 'unexpected', true, 15],
    [['hospitalisation'], 'possible', 'not_related', 'unexpected', true, 15],
    [['hospitalisation'], 'unlikely', null, 'unexpected', false, null],
    [['hospitalisation'], 'not_related', 'unlikely', 'unexpected', false, null],
    [['death'], 'definite', null, 'expected', false, null],
    [[], 'definite', null, 'unexpected', false, null],
  ] as const)('%j inv=%s sponsor=%s %s → expedited %s, %s days', (ser, inv, sp, exp, expedited, days) => {
    const c = saeReportingClock(
      { ...base, seriousness: ser, relatedness: inv, sponsorRelatedness: sp, expectedness: exp },
      at('2026-03-02T00:00:00Z'),
    );
    expect(c.expedited).toBe(expedited);
    expect(c.deadlineDays).toBe(days);
    if (!expedited) expect(c.report).toBe('not_applicable');
  });

  it('flags an unassessed expectedness as assumed unexpected', () => {
    const c = saeReportingClock({ ...base, expectedness: null }, at('2026-03-02T00:00:00Z'));
    expect(c.expectednessAssumed).toBe(true);
    expect(c.reasons.join(' ')).toMatch(/treated as unexpected/);
  });
});

describe('saeReportingClock: the 7- and 15-day boundaries (day 0 = sponsor first knowledge)', () => {
  const fatal = { ...base, seriousness: ['death'] };
  it.each([
    // today, expected state, days left
    ['2026-03-01T23:00:00Z', 'due', 7],
    ['2026-03-08T23:59:59Z', 'due', 0],
    ['2026-03-09T00:00:00Z', 'overdue', -1],
  ] as const)('fatal, sponsor knew 2026-03-01: on %s → %s (%s days left)', (now, state, left) => {
    const c = saeReportingClock(fatal, at(now));
    expect(c.reportDueDate).toBe('2026-03-08');
    expect(c.report).toBe(state);
    expect(c.daysLeft).toBe(left);
    expect(c.overdue).toBe(state === 'overdue');
  });
  it.each([
    ['2026-03-08', 'on_time'],
    ['2026-03-09', 'late'],
  ] as const)('fatal reported on %s (day 7 vs day 8) → %s', (reported, state) => {
    const c = saeReportingClock({ ...fatal, reportedDate: reported }, at('2026-04-01T00:00:00Z'));
    expect(c.report).toBe(state);
    expect(c.daysLeft).toBeNull();
    expect(c.overdue).toBe(false);
  });
  it.each([
    ['2026-03-16', 'on_time'],
    ['2026-03-17', 'late'],
  ] as const)('other serious reported on %s (day 15 vs day 16) → %s', (reported, state) => {
    const c = saeReportingClock({ ...base, reportedDate: reported }, at('2026-04-01T00:00:00Z'));
    expect(c.reportDueDate).toBe('2026-03-16');
    expect(c.report).toBe(state);
  });
  it.each([
    ['2026-03-16T12:00:00Z', 'due', 0],
    ['2026-03-17T00:00:00Z', 'overdue', -1],
  ] as const)('other serious, unreported on %s → %s', (now, state, left) => {
    const c = saeReportingClock(base, at(now));
    expect(c.report).toBe(state);
    expect(c.daysLeft).toBe(left);
  });
  it('has not started while the sponsor does not know', () => {
    const c = saeReportingClock({ ...base, sponsorNotifiedAt: null }, at('2026-03-01T11:00:00Z'));
    expect(c.report).toBe('pending');
    expect(c.reportDueDate).toBeNull();
    expect(c.daysLeft).toBeNull();
  });
});

describe("saeReportingClock: the site's 24 h initial notice (Reg. (EU) 536/2014 Art. 41(2))", () => {
  it.each([
    ['2026-03-02T10:00:00Z', 'on_time'],
    ['2026-03-02T10:00:01Z', 'late'],
  ] as const)('aware 2026-03-01T10:00Z, notified %s → %s', (notified, state) => {
    const c = saeReportingClock({ ...base, sponsorNotifiedAt: notified }, at('2026-03-03T00:00:00Z'));
    expect(c.siteNoticeDueAt).toBe('2026-03-02T10:00:00.000Z');
    expect(c.siteNotice).toBe(state);
  });
  it.each([
    ['2026-03-02T10:00:00Z', 'due', false],
    ['2026-03-02T10:00:01Z', 'overdue', true],
  ] as const)('not yet notified at %s → %s', (now, state, overdue) => {
    const c = saeReportingClock({ ...base, sponsorNotifiedAt: null }, at(now));
    expect(c.siteNotice).toBe(state);
    expect(c.overdue).toBe(overdue);
  });
  it('applies to every SAE, related or not, and to no non-serious AE', () => {
    const unrelated = saeReportingClock(
      { ...base, relatedness: 'not_related', sponsorNotifiedAt: null },
      at('2026-03-05T00:00:00Z'),
    );
    expect(unrelated.siteNotice).toBe('overdue');
    expect(unrelated.report).toBe('not_applicable');
    const mild = saeReportingClock({ ...base, seriousness: [] }, at('2026-03-05T00:00:00Z'));
    expect(mild.siteNotice).toBe('not_applicable');
    expect(mild.overdue).toBe(false);
  });
  it('is pending while awareness is not recorded', () => {
    const c = saeReportingClock({ ...base, siteAwareAt: null }, at('2026-03-05T00:00:00Z'));
    expect(c.siteNotice).toBe('pending');
  });
});
