/**
 * Calendar-date arithmetic on ISO `YYYY-MM-DD` strings.
 *
 * Dates are counted as whole days since 1970-01-01 through `Date.UTC`, so month ends, leap years and
 * daylight-saving changes cannot shift a visit by a day (DESIGN.md: "Dates are ISO dates").
 */

/** An ISO calendar date, `YYYY-MM-DD`. */
export type IsoDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

/** Whole days since 1970-01-01 for a valid ISO date, or `null` for anything else (e.g. 2023-02-29). */
export function isoDateToDayNumber(date: string): number | null {
  const match = ISO_DATE.exec(date);
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1) return null;
  if (day > daysInMonth(year, month)) return null;
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0–99 to 1900–1999.
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return d.getTime() / MS_PER_DAY;
}

/** The ISO date of a day number produced by {@link isoDateToDayNumber}. */
export function dayNumberToIsoDate(dayNumber: number): IsoDate {
  const d = new Date(dayNumber * MS_PER_DAY);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export function isIsoDate(value: unknown): value is IsoDate {
  return typeof value === 'string' && isoDateToDayNumber(value) !== null;
}

function requireDayNumber(date: string): number {
  const n = isoDateToDayNumber(date);
  if (n === null) throw new RangeError(`not an ISO date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  return n;
}

/** `date` plus `days` (negative to go back). Throws RangeError on an invalid date: a programming error. */
export function addDays(date: IsoDate, days: number): IsoDate {
  if (!Number.isInteger(days)) throw new RangeError(`days must be an integer, got ${days}`);
  return dayNumberToIsoDate(requireDayNumber(date) + days);
}

/** Days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return requireDayNumber(to) - requireDayNumber(from);
}

/** Study day of `date` for a cycle whose day 0 is `day0` (day 0 = first infusion, DESIGN.md). */
export function studyDay(day0: IsoDate, date: IsoDate): number {
  return daysBetween(day0, date);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}
