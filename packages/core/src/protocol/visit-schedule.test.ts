import { describe, expect, test } from 'vitest';
import { addDays } from './iso-date.js';
import { msctSleVisits } from './msct-sle-trial.js';
import {
  checkVisitWindow,
  countOverdueVisits,
  expectedVisits,
  type RecordedVisit,
  visitStatuses,
} from './visit-schedule.js';

const byCode = (day0: string, cycle = 1) =>
  Object.fromEntries(expectedVisits(msctSleVisits, day0, cycle).map((v) => [v.code, v]));

describe('expected visit dates', () => {
  test('day 0 = 2024-02-28 (leap year): month ends and 29 February', () => {
    const v = byCode('2024-02-28');
    expect(v.SCR).toMatchObject({ earliestDate: '2024-01-31', latestDate: '2024-02-27', targetDay: -1 });
    expect(v.D0).toMatchObject({
      targetDate: '2024-02-28',
      earliestDate: '2024-02-28',
      latestDate: '2024-02-28',
    });
    expect(v.D7).toMatchObject({
      targetDate: '2024-03-06',
      earliestDate: '2024-03-05',
      latestDate: '2024-03-07',
    });
    expect(v.M1).toMatchObject({
      targetDate: '2024-03-29',
      earliestDate: '2024-03-22',
      latestDate: '2024-04-05',
    });
    expect(v.M3).toMatchObject({
      targetDate: '2024-05-29',
      earliestDate: '2024-05-15',
      latestDate: '2024-06-12',
    });
    expect(v.M6).toMatchObject({ targetDate: '2024-08-28' });
    expect(v.M9).toMatchObject({ targetDate: '2024-11-27' });
    // 365 days after 2024-02-28 is 2025-02-27 (the year contains 29 Feb 2024).
    expect(v.M12).toMatchObject({
      targetDate: '2025-02-27',
      earliestDate: '2025-02-13',
      latestDate: '2025-03-13',
    });
  });

  test('day 0 = 2023-12-31: across the year end into a leap February', () => {
    const v = byCode('2023-12-31');
    expect(v.SCR).toMatchObject({ earliestDate: '2023-12-03', latestDate: '2023-12-30' });
    expect(v.D7?.targetDate).toBe('2024-01-07');
    expect(v.M1?.targetDate).toBe('2024-01-30');
    expect(v.M3).toMatchObject({
      targetDate: '2024-03-31',
      earliestDate: '2024-03-17',
      latestDate: '2024-04-14',
    });
    expect(v.M12?.targetDate).toBe('2024-12-30');
  });

  test('day 0 = 2023-01-31 (no leap day): month 1 lands on 2 March', () => {
    const v = byCode('2023-01-31');
    expect(v.M1).toMatchObject({
      targetDate: '2023-03-02',
      earliestDate: '2023-02-23',
      latestDate: '2023-03-09',
    });
    expect(v.M12?.targetDate).toBe('2024-01-31');
  });

  test('a re-treatment cycle repeats the visits from its own day 0, without screening', () => {
    const cycle2 = expectedVisits(msctSleVisits, '2025-03-01', 2);
    expect(cycle2.map((v) => v.code)).toEqual(['D0', 'D7', 'M1', 'M3', 'M6', 'M9', 'M12']);
    expect(cycle2.every((v) => v.cycle === 2)).toBe(true);
    expect(cycle2.find((v) => v.code === 'D7')?.targetDate).toBe('2025-03-08');
  });
});

describe('window check', () => {
  const d7 = msctSleVisits.find((v) => v.code === 'D7')!;
  const m6 = msctSleVisits.find((v) => v.code === 'M6')!;
  test.each([
    ['2024-03-04', 'early', 1, -2],
    ['2024-03-05', 'in_window', 0, -1],
    ['2024-03-06', 'in_window', 0, 0],
    ['2024-03-07', 'in_window', 0, 1],
    ['2024-03-09', 'late', 2, 3],
  ])('day 7 ±1 from 2024-02-28, visit on %s → %s', (date, position, outside, fromTarget) => {
    const w = checkVisitWindow(d7, '2024-02-28', date);
    expect(w.position).toBe(position);
    expect(w.daysOutside).toBe(outside);
    expect(w.daysFromTarget).toBe(fromTarget);
  });

  test('month 6 ±14: day 196 in window, day 197 one day late, day 167 one day early', () => {
    expect(checkVisitWindow(m6, '2024-01-01', '2024-07-15').studyDay).toBe(196);
    expect(checkVisitWindow(m6, '2024-01-01', '2024-07-15').position).toBe('in_window');
    expect(checkVisitWindow(m6, '2024-01-01', '2024-07-16')).toMatchObject({
      position: 'late',
      daysOutside: 1,
    });
    expect(checkVisitWindow(m6, '2024-01-01', '2024-06-16')).toMatchObject({
      position: 'early',
      daysOutside: 1,
    });
  });
});

describe('visit status', () => {
  const day0 = '2024-02-28';
  const statuses = (today: string, recorded: Parameters<typeof visitStatuses>[0]['recorded'] = []) =>
    Object.fromEntries(
      visitStatuses({ visits: msctSleVisits, day0, today, recorded }).visits.map((v) => [v.code, v.status]),
    );

  test('not due, due and overdue follow the windows', () => {
    const s = statuses('2024-03-06', [
      { code: 'SCR', date: '2024-02-20' },
      { code: 'D0', date: '2024-02-28' },
    ]);
    expect(s).toMatchObject({ SCR: 'done', D0: 'done', D7: 'due', M1: 'not_due', M12: 'not_due' });
    expect(statuses('2024-03-08', [{ code: 'D0', date: day0 }]).D7).toBe('overdue');
  });

  test('a visit is missed when declared so or superseded by a later done visit', () => {
    const s = statuses('2024-04-10', [
      { code: 'D0', date: day0 },
      { code: 'D7', missed: true, reason: 'patient febrile' },
      { code: 'M1', date: '2024-03-30' },
    ]);
    expect(s.D7).toBe('missed');
    expect(s.M1).toBe('done');
    const superseded = statuses('2024-06-01', [
      { code: 'D0', date: day0 },
      { code: 'D7', date: '2024-03-06' },
      { code: 'M3', date: '2024-05-29' },
    ]);
    expect(superseded.M1).toBe('missed');
    expect(superseded.M6).toBe('not_due');
  });

  test('each status says why as a code and parameters that carry the same as its English (issue 22)', () => {
    type P = Readonly<Record<string, string | number>>;
    const days = (n: string | number | undefined) => `${n} day${n === 1 ? '' : 's'}`;
    const english: Record<string, (p: P) => string> = {
      visit_early: (p) =>
        `${p.visit} on day ${p.day} is ${days(p.days)} early (window days ${p.earliestDay}…${p.latestDay})`,
      visit_late: (p) =>
        `${p.visit} on day ${p.day} is ${days(p.days)} late (window days ${p.earliestDay}…${p.latestDay})`,
      visit_in_window: (p) =>
        `${p.visit} on day ${p.day} is within its window (days ${p.earliestDay}…${p.latestDay})`,
      declared_missed: (p) => `declared missed${p.reason ? `: ${p.reason}` : ''}`,
      window_opens: (p) => `window opens ${p.date}`,
      window_open: (p) => `window ${p.from}…${p.to}`,
      window_closed_later_done: (p) => `window closed ${p.closed} and ${p.later} is already done`,
      window_closed: (p) => `window closed ${p.closed}; not recorded`,
    };
    const seen = new Set<string>();
    for (const [today, recorded] of [
      [
        '2024-04-10',
        [
          { code: 'D0', date: day0 },
          { code: 'D7', missed: true, reason: 'patient febrile' },
        ],
      ],
      [
        '2024-06-01',
        [
          { code: 'D0', date: day0 },
          { code: 'D7', date: '2024-03-30' },
          { code: 'M3', date: '2024-05-29' },
        ],
      ],
      [
        '2024-03-06',
        [
          { code: 'SCR', date: '2024-01-01' },
          { code: 'D0', date: day0 },
        ],
      ],
    ] as const) {
      for (const e of visitStatuses({ visits: msctSleVisits, day0, today, recorded }).visits) {
        seen.add(e.why.code);
        expect(english[e.why.code]?.(e.why.params), `${today} ${e.code}`).toBe(e.reason);
      }
    }
    expect([...seen].sort()).toEqual(Object.keys(english).sort());
  });

  test('a done visit carries its window check; unscheduled visits are listed apart', () => {
    const r = visitStatuses({
      visits: msctSleVisits,
      day0,
      today: '2024-05-01',
      recorded: [
        { code: 'D0', date: day0 },
        { code: 'D7', date: '2024-03-09' },
        { code: 'UNSCHEDULED', date: '2024-04-15' },
      ],
    });
    expect(r.visits.find((v) => v.code === 'D7')?.window).toMatchObject({ position: 'late', daysOutside: 2 });
    expect(r.unscheduled).toEqual([{ code: 'UNSCHEDULED', cycle: 1, date: '2024-04-15', studyDay: 47 }]);
  });

  test('statuses of a second cycle use its own day 0 and records', () => {
    const r = visitStatuses({
      visits: msctSleVisits,
      day0: '2025-03-01',
      today: '2025-03-08',
      cycle: 2,
      recorded: [
        { code: 'D0', date: '2024-02-28' },
        { code: 'D0', date: '2025-03-01', cycle: 2 },
      ],
    });
    const s = Object.fromEntries(r.visits.map((v) => [v.code, v.status]));
    expect(s).toEqual({
      D0: 'done',
      D7: 'due',
      M1: 'not_due',
      M3: 'not_due',
      M6: 'not_due',
      M9: 'not_due',
      M12: 'not_due',
    });
  });
});

describe('overdue count', () => {
  // The study home counts overdue visits over every subject with countOverdueVisits; it must say
  // exactly what visitStatuses says, visit by visit, whatever was recorded.
  test('equals the number of overdue entries of visitStatuses over 3 000 random courses', () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    let overdueSeen = 0;
    for (let i = 0; i < 3000; i++) {
      const day0 = addDays('2024-01-01', Math.floor(rand() * 700));
      const today = addDays(day0, Math.floor(rand() * 500) - 20);
      const cycle = rand() < 0.8 ? 1 : 2;
      const recorded: RecordedVisit[] = [];
      for (const v of msctSleVisits) {
        const r = rand();
        const c = rand() < 0.85 ? cycle : 3 - cycle;
        if (r < 0.45)
          recorded.push({
            code: v.code,
            date: addDays(day0, v.targetDay + Math.floor(rand() * 20) - 10),
            cycle: c,
          });
        else if (r < 0.55) recorded.push({ code: v.code, missed: true, cycle: c });
        else if (r < 0.6) recorded.push({ code: v.code, cycle: c });
      }
      if (rand() < 0.2) recorded.push({ code: 'UNSCHEDULED', date: addDays(day0, 40), cycle });
      const input = { visits: msctSleVisits, day0, today, recorded, cycle };
      const expected = visitStatuses(input).visits.filter((v) => v.status === 'overdue').length;
      expect(countOverdueVisits(input)).toBe(expected);
      overdueSeen += expected;
    }
    // The random courses do reach overdue visits (the comparison is not all zeros).
    expect(overdueSeen).toBeGreaterThan(1000);
  });
});
