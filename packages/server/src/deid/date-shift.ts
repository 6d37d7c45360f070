// De-identified dates for pseudonymised readers (issue 17, finding 3). A statistician sees pseudonyms,
// and since then no calendar date of the data either: every date or instant in what they read is
// shifted by a whole number of days that is secret and fixed per subject (HIPAA Safe Harbor
// §164.514(b)(2)(i)(C) removes all date elements below the year; a per-subject shift keeps every
// interval within a subject, so study days, durations and time-to-event are unchanged).
//   API and UI: every answer to a request the policy pseudonymises passes through shiftDatesDeep
//   (the app's preSerialization hook, app.ts), so no route can forget it.
//   ODM: the study-day export (dates as days from day 0: the same numbers as from the shifted dates).
//   SDTM: the CLI's --pseudonymise export, study days.
// The secret is per installation (the `meta` table), so offsets cannot be recomputed from the source;
// without it a shifted date does not reveal the real one, and with the same secret every answer
// shifts a subject's dates by the same offset (consistent across routes and over time).
import { createHmac, randomBytes } from 'node:crypto';
import type { Db } from '@msct/store';

const SECRET_KEY = 'deid.date_shift_secret';
/** Offsets lie in [-MAX_DAYS, -1] ∪ [1, MAX_DAYS]: never 0, so no date is ever shown unshifted. */
const MAX_DAYS = 365;

const secrets = new WeakMap<object, Promise<Buffer>>();

/** The installation's date-shift secret, created (32 random bytes) on first use. */
export function dateShiftSecret(db: Db): Promise<Buffer> {
  const key = db.sqlite ?? db.kysely;
  let p = secrets.get(key);
  if (!p) {
    p = (async () => {
      await db.kysely
        .insertInto('meta')
        .values({ key: SECRET_KEY, value: randomBytes(32).toString('hex') })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
      const row = await db.kysely
        .selectFrom('meta')
        .select('value')
        .where('key', '=', SECRET_KEY)
        .executeTakeFirstOrThrow();
      return Buffer.from(row.value, 'hex');
    })();
    p.catch(() => secrets.delete(key));
    secrets.set(key, p);
  }
  return p;
}

/** The secret offset in days of one subject (or of a study, for dates that belong to no subject). */
export function offsetDays(secret: Buffer, key: string): number {
  const n = createHmac('sha256', secret).update(key, 'utf8').digest().readUInt32BE(0);
  const d = (n % (2 * MAX_DAYS)) - MAX_DAYS; // -365 … 364
  return d >= 0 ? d + 1 : d; // -365 … -1, 1 … 365
}

const DATE = /^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Whether a string is an ISO-8601 date or date-time (what the API and the database carry). */
export const isIsoDate = (s: string): boolean => DATE.test(s) && !Number.isNaN(Date.parse(s.slice(0, 10)));

/** Shifts an ISO date or date-time by whole days, keeping its form (time of day and zone unchanged). */
export function shiftIsoDate(s: string, days: number): string {
  const m = DATE.exec(s);
  if (!m) return s;
  const t = Date.parse(`${m[1]}T00:00:00Z`);
  if (Number.isNaN(t)) return s;
  return new Date(t + days * 86_400_000).toISOString().slice(0, 10) + (m[2] ?? '');
}

export interface ShiftContext {
  secret: Buffer;
  /** The subject a value belongs to when no enclosing object names one (the route's subject). */
  defaultKey: string;
  /** The subject an object stands for or belongs to, if it names one. */
  subjectOf(obj: Record<string, unknown>): string | undefined;
}

/**
 * A copy of `value` with every ISO date or date-time string shifted by the offset of the subject it
 * belongs to: the nearest enclosing object that names a subject (`subjectOf`), else `defaultKey`.
 */
export function shiftDatesDeep(value: unknown, ctx: ShiftContext): unknown {
  const offsets = new Map<string, number>();
  const offset = (key: string) => {
    let d = offsets.get(key);
    if (d === undefined) {
      d = offsetDays(ctx.secret, key);
      offsets.set(key, d);
    }
    return d;
  };
  const walk = (v: unknown, key: string): unknown => {
    if (typeof v === 'string') return isIsoDate(v) ? shiftIsoDate(v, offset(key)) : v;
    if (Array.isArray(v)) return v.map((x) => walk(x, key));
    if (v && typeof v === 'object' && !(v instanceof Date) && !Buffer.isBuffer(v)) {
      const obj = v as Record<string, unknown>;
      const own = ctx.subjectOf(obj) ?? key;
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(obj)) out[k] = walk(x, own);
      return out;
    }
    if (v instanceof Date) return new Date(v.getTime() + offset(key) * 86_400_000);
    return v;
  };
  return walk(value, ctx.defaultKey);
}

const NAMING_KEYS = ['subject', 'subjectCode', 'pseudonym'] as const;

/** The strings an answer uses to name subjects (candidate pseudonyms), collected in one walk. */
function namedSubjects(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) namedSubjects(v, out);
  else if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    for (const k of NAMING_KEYS) if (typeof obj[k] === 'string') out.add(obj[k] as string);
    for (const v of Object.values(obj)) if (v && typeof v === 'object') namedSubjects(v, out);
  }
  return out;
}

/**
 * The subject resolver for a study's answers: an object with `subjectId`, a subject itself (`id`
 * beside `subjectCode`), or one that names a subject by its pseudonym (`subject`, `subjectCode`).
 * Only the pseudonyms the answer names are looked up (a page of a 20 000-subject study names 50,
 * not 20 000).
 */
export async function studySubjectResolver(
  db: Db,
  studyId: string | undefined,
  answer: unknown,
): Promise<(obj: Record<string, unknown>) => string | undefined> {
  const byPseudonym = new Map<string, string>();
  if (studyId) {
    const names = [...namedSubjects(answer)];
    for (let i = 0; i < names.length; i += 500) {
      const rows = await db.kysely
        .selectFrom('subjects')
        .select(['id', 'pseudonym'])
        .where('study_id', '=', studyId)
        .where('pseudonym', 'in', names.slice(i, i + 500))
        .execute();
      for (const r of rows) byPseudonym.set(r.pseudonym, r.id);
    }
  }
  return (obj) => {
    if (typeof obj.subjectId === 'string') return obj.subjectId;
    if (typeof obj.id === 'string' && typeof obj.subjectCode === 'string' && 'siteId' in obj) return obj.id;
    for (const k of NAMING_KEYS) {
      const s = obj[k];
      if (typeof s === 'string') {
        const hit = byPseudonym.get(s);
        if (hit) return hit;
      }
    }
    return undefined;
  };
}

/** Shifts the dates of an answer for a pseudonymised reader of `studyId` (default subject: `subjectId`). */
export async function deidentifyDates(
  db: Db,
  value: unknown,
  where: { studyId: string; subjectId?: string },
): Promise<unknown> {
  // An answer about one subject needs no pseudonym lookup: whatever it holds is that subject's.
  const [secret, subjectOf] = await Promise.all([
    dateShiftSecret(db),
    studySubjectResolver(db, where.subjectId ? undefined : where.studyId, value),
  ]);
  return shiftDatesDeep(value, {
    secret,
    defaultKey: where.subjectId ?? `study:${where.studyId}`,
    subjectOf,
  });
}
