import { describe, expect, it } from 'vitest';
import { previousAssessment } from './previous-assessment.js';

const v = (id: string, visitDate: string | null, hasAssessment = true) => ({ id, visitDate, hasAssessment });

describe('previousAssessment (BILAG-2004 renal change rules)', () => {
  it('is the latest earlier visit by date that has an assessment', () => {
    const visits = [
      v('D0', '2013-01-10'),
      v('M1', '2013-02-10'),
      v('M3', '2013-04-10', false),
      v('M6', '2013-07-10'),
    ];
    expect(previousAssessment(visits, 'M6')?.id).toBe('M1');
    expect(previousAssessment(visits, 'M1')?.id).toBe('D0');
    expect(previousAssessment(visits, 'D0')).toBeUndefined();
  });
  it('orders by date, not by list position, when both visits have dates', () => {
    const visits = [v('late', '2013-05-01'), v('current', '2013-04-01'), v('early', '2013-03-01')];
    expect(previousAssessment(visits, 'current')?.id).toBe('early');
  });
  it('falls back to the list order when a date is missing, and is undefined for an unknown visit', () => {
    const visits = [v('a', null), v('b', '2013-03-01'), v('c', null)];
    expect(previousAssessment(visits, 'c')?.id).toBe('b');
    expect(previousAssessment(visits, 'a')).toBeUndefined();
    expect(previousAssessment(visits, 'zz')).toBeUndefined();
  });
});
