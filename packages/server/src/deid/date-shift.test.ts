import { describe, expect, it } from 'vitest';
import { isIsoDate, offsetDays, shiftDatesDeep, shiftIsoDate } from './date-shift.js';

describe('per-subject date shifting', () => {
  const secret = Buffer.alloc(32, 7);

  it('offsets are whole days in ±1…365, never 0, fixed per key and secret', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 5000; i++) {
      const d = offsetDays(secret, `subject-${i}`);
      expect(Number.isInteger(d)).toBe(true);
      expect(d).not.toBe(0);
      expect(Math.abs(d)).toBeLessThanOrEqual(365);
      seen.add(d);
    }
    expect(seen.size).toBeGreaterThan(600);
    expect(offsetDays(secret, 'a')).toBe(offsetDays(secret, 'a'));
    expect(offsetDays(Buffer.alloc(32, 8), 'a')).not.toBe(offsetDays(secret, 'a'));
  });

  it('shifts dates and instants by days, keeping the time of day, across month and leap days', () => {
    expect(shiftIsoDate('2012-02-28', 1)).toBe('2012-02-29');
    expect(shiftIsoDate('2013-01-10', -10)).toBe('2012-12-31');
    expect(shiftIsoDate('2013-01-10T09:05:00.000Z', 3)).toBe('2013-01-13T09:05:00.000Z');
    expect(shiftIsoDate('2013-01-10T09:05+08:00', 1)).toBe('2013-01-11T09:05+08:00');
    expect(isIsoDate('2013-01-10')).toBe(true);
    expect(isIsoDate('2013-13-45')).toBe(false);
    expect(isIsoDate('P2013-01-10')).toBe(false);
    expect(isIsoDate('12.5')).toBe(false);
  });

  it('shifts every date by the offset of the subject it belongs to, and leaves everything else', () => {
    const out = shiftDatesDeep(
      {
        day0Date: '2013-01-10',
        n: 3,
        note: 'seen 2013-01-10',
        rows: [{ subjectId: 'b', visitDate: '2013-01-10' }],
      },
      {
        secret,
        defaultKey: 'a',
        subjectOf: (o) => (typeof o.subjectId === 'string' ? o.subjectId : undefined),
      },
    ) as { day0Date: string; n: number; note: string; rows: { visitDate: string }[] };
    expect(out.day0Date).toBe(shiftIsoDate('2013-01-10', offsetDays(secret, 'a')));
    expect(out.rows[0]!.visitDate).toBe(shiftIsoDate('2013-01-10', offsetDays(secret, 'b')));
    expect(out.n).toBe(3);
    expect(out.note).toBe('seen 2013-01-10');
  });
});
