import { describe, expect, test } from 'vitest';
import { addDays, daysBetween, isIsoDate, isLeapYear, isoDateToDayNumber } from './iso-date.js';

describe('iso dates', () => {
  test.each([
    ['2024-02-28', 1, '2024-02-29'],
    ['2024-02-28', 2, '2024-03-01'],
    ['2023-02-28', 1, '2023-03-01'],
    ['2023-12-31', 1, '2024-01-01'],
    ['2023-12-31', 365, '2024-12-30'],
    ['2024-01-31', 30, '2024-03-01'],
    ['2024-03-01', -1, '2024-02-29'],
    ['2000-02-28', 1, '2000-02-29'],
    ['1900-02-28', 1, '1900-03-01'],
    ['2024-03-31', 1, '2024-04-01'],
  ])('%s + %i days = %s', (from, n, to) => {
    expect(addDays(from, n)).toBe(to);
    expect(daysBetween(from, to)).toBe(n);
  });

  test('rejects impossible dates and formats', () => {
    for (const bad of ['2023-02-29', '2024-13-01', '2024-04-31', '2024-1-01', '2024-01-01T00:00Z', '', 'x']) {
      expect(isIsoDate(bad)).toBe(false);
      expect(isoDateToDayNumber(bad)).toBeNull();
    }
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(() => addDays('2023-02-29', 1)).toThrow(RangeError);
  });

  test('leap years', () => {
    expect([1900, 2000, 2023, 2024].map(isLeapYear)).toEqual([false, true, false, true]);
  });

  test('years below 100 are not mapped to the 1900s', () => {
    expect(addDays('0099-12-31', 1)).toBe('0100-01-01');
  });
});
