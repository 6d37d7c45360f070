// "Ready to lock" (issue #21, Signatures and locks): before a study or site is locked for analysis
// the administrator sees what is still open — open or answered queries, forms the SDV plan needs
// verified that are not, forms not signed by the investigator, and forms the visit schedule expects
// that were never entered (ICH E6(R3) 4.2 / 5.5: the database is locked once data are complete,
// verified and queries resolved). Pure: the store reads the rows, this judges them.
import { expectedFormCodesAt } from './entry-rules.js';
import { needsSdv, type SdvPlan } from './sdv-plan.js';

export interface ReadinessVisit {
  visitId: string;
  visitCode: string;
  subjectId: string;
  subjectCode: string;
  /** 'missed': declared not done, no form is expected of it. */
  status: string;
}

export interface ReadinessForm {
  formId: string;
  formCode: string;
  visitId: string;
  signed: boolean;
  verified: boolean;
}

export interface ReadinessQuery {
  queryId: string;
  subjectId: string;
  subjectCode: string;
  status: string;
  text: string;
}

/** A form of the report: where it is. `formId` is null for a missing form. */
export interface ReadinessEntry {
  subjectId: string;
  subjectCode: string;
  visitId: string;
  visitCode: string;
  formCode: string;
  formId: string | null;
}

export interface LockReadiness {
  /** True when nothing is open: the lock needs no override reason. */
  clean: boolean;
  counts: { openQueries: number; unverifiedForms: number; unsignedForms: number; missingForms: number };
  /** The first `limit` of each list (the counts are complete). */
  openQueries: ReadinessQuery[];
  unverifiedForms: ReadinessEntry[];
  unsignedForms: ReadinessEntry[];
  missingForms: ReadinessEntry[];
}

/** The forms of the definition (id and the visit codes it is expected at). */
export interface ExpectedForm {
  id: string;
  visitCodes: readonly string[];
}

export function lockReadiness(input: {
  plan: SdvPlan;
  /** The definition's forms; absent (an ad-hoc study): no form is expected, none is missing. */
  expectedForms: readonly ExpectedForm[] | undefined;
  visits: readonly ReadinessVisit[];
  forms: readonly ReadinessForm[];
  /** Queries not closed (open or answered). */
  queries: readonly ReadinessQuery[];
  limit?: number;
}): LockReadiness {
  const limit = input.limit ?? 200;
  const visits = new Map(input.visits.map((v) => [v.visitId, v]));
  // Each list keeps its first `limit` entries and counts the rest without building them: at 20 000
  // patients a study has 737 000 forms, and an entry object per form was most of the report's time
  // (garbage collection) and memory (docs/validation.md, scale2).
  const unverified: ReadinessEntry[] = [];
  const unsigned: ReadinessEntry[] = [];
  const missing: ReadinessEntry[] = [];
  const counts = { openQueries: input.queries.length, unverifiedForms: 0, unsignedForms: 0, missingForms: 0 };
  const present = new Map<string, Set<string>>();
  // needsSdv by visit and form code: the plan's answer depends on nothing else.
  const sdv = new Map<string, boolean>();
  for (const f of input.forms) {
    const v = visits.get(f.visitId);
    if (!v) continue;
    let codes = present.get(v.visitId);
    if (!codes) {
      codes = new Set();
      present.set(v.visitId, codes);
    }
    codes.add(f.formCode);
    if (!f.verified) {
      const key = `${v.visitCode}\u0000${f.formCode}`;
      let needs = sdv.get(key);
      if (needs === undefined) {
        needs = needsSdv(input.plan, f.formCode, v.visitCode);
        sdv.set(key, needs);
      }
      if (needs && counts.unverifiedForms++ < limit)
        unverified.push({ ...where(v), formCode: f.formCode, formId: f.formId });
    }
    if (!f.signed && counts.unsignedForms++ < limit)
      unsigned.push({ ...where(v), formCode: f.formCode, formId: f.formId });
  }
  const expectedAt = new Map<string, readonly string[]>();
  for (const v of input.visits) {
    if (v.status === 'missed' || !input.expectedForms) continue;
    const codes = present.get(v.visitId);
    let expected = expectedAt.get(v.visitCode);
    if (!expected) {
      expected = expectedFormCodesAt(input.expectedForms, v.visitCode);
      expectedAt.set(v.visitCode, expected);
    }
    for (const formCode of expected)
      if (!codes?.has(formCode) && counts.missingForms++ < limit)
        missing.push({ ...where(v), formCode, formId: null });
  }
  return {
    clean: Object.values(counts).every((n) => n === 0),
    counts,
    openQueries: input.queries.slice(0, limit),
    unverifiedForms: unverified,
    unsignedForms: unsigned,
    missingForms: missing,
  };
}

const where = (v: ReadinessVisit) => ({
  subjectId: v.subjectId,
  subjectCode: v.subjectCode,
  visitId: v.visitId,
  visitCode: v.visitCode,
});

/** The report in a sentence, for the refusal and the audit trail. */
export function readinessSummary(r: LockReadiness): string {
  const c = r.counts;
  return `${c.openQueries} open queries, ${c.unverifiedForms} forms not source verified, ${c.unsignedForms} forms not signed, ${c.missingForms} forms missing`;
}
