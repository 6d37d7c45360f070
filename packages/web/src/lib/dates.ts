// One way to write dates and times in the web app (issue 22): ISO 8601 dates `YYYY-MM-DD`, and
// instants as `YYYY-MM-DD HH:mm UTC`. Nothing here reads the browser's locale or time zone, so a
// user in Shanghai with a German browser sees exactly what a user in London sees, and what the
// exports and the audit trail store (the API keeps instants in UTC).
//
// Entry follows the same rule: date fields are text inputs `YYYY-MM-DD` (not `<input type=date>`,
// whose displayed order follows the browser's language: 06.12.2026 in German, 12/06/2026 in US
// English) and time fields are `YYYY-MM-DD HH:mm` in UTC, the zone every time is shown in.

import { t } from '../i18n/index.js';

export const DATE_PATTERN = '\\d{4}-\\d{2}-\\d{2}';
export const DATE_TIME_PATTERN = '\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}';

const DATE_RE = new RegExp(`^${DATE_PATTERN}$`);
const DATE_TIME_RE = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})$/;

/** `YYYY-MM-DD` of a date or of an instant (its UTC date); `—` when absent. */
export function dateText(iso: string | null | undefined): string {
  if (!iso) return '—';
  if (DATE_RE.test(iso)) return iso;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().slice(0, 10);
}

/** `YYYY-MM-DD HH:mm UTC` of an instant (any offset it was written with); `—` when absent. */
export function dateTimeText(iso: string | null | undefined): string {
  if (!iso) return '—';
  if (DATE_RE.test(iso)) return iso;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** True when `s` is a real calendar date written `YYYY-MM-DD` (2026-02-30 is not). */
export function isIsoDate(s: string): boolean {
  if (!DATE_RE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** An instant as the value of a UTC time field (`YYYY-MM-DDTHH:mm`); '' when absent. */
export function toUtcInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString().slice(0, 16);
}

/** A UTC time field's value (`YYYY-MM-DD HH:mm` or with `T`) as an ISO instant; null when blank. */
export function fromUtcInput(v: string): string | null {
  const m = DATE_TIME_RE.exec(v.trim());
  if (!m) return v.trim() === '' ? null : v.trim();
  return `${m[1]}T${m[2]}:00.000Z`;
}

/** What is wrong with a typed date/time, in words, or undefined when it is fine or blank. */
export function dateInputProblem(kind: 'date' | 'datetime', v: string): string | undefined {
  const s = v.trim();
  if (s === '') return undefined;
  if (kind === 'date') {
    return isIsoDate(s) ? undefined : t('dates.badDate', { typed: s });
  }
  const m = DATE_TIME_RE.exec(s);
  if (!m || !isIsoDate(m[1] as string) || Number(m[2]?.slice(0, 2)) > 23 || Number(m[2]?.slice(3)) > 59) {
    return t('dates.badDateTime', { typed: s });
  }
  return undefined;
}
