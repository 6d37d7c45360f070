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
  const unverified: ReadinessEntry[] = [];
  const unsigned: ReadinessEntry[] = [];
  const missing: ReadinessEntry[] = [];
  const present = new Map<string, Set<string>>();
  for (const f of input.forms) {
    const v = visits.get(f.visitId);
    if (!v) continue;
    let codes = present.get(v.visitId);
    if (!codes) {
      codes = new Set();
      present.set(v.visitId, codes);
    }
    codes.add(f.formCode);
    const entry = { ...where(v), formCode: f.formCode, formId: f.formId };
    if (!f.verified && needsSdv(input.plan, f.formCode, v.visitCode)) unverified.push(entry);
    if (!f.signed) unsigned.push(entry);
  }
  for (const v of input.visits) {
    if (v.status === 'missed' || !input.expectedForms) continue;
    const codes = present.get(v.visitId);
    for (const formCode of expectedFormCodesAt(input.expectedForms, v.visitCode))
      if (!codes?.has(formCode)) missing.push({ ...where(v), formCode, formId: null });
  }
  const counts = {
    openQueries: input.queries.length,
    unverifiedForms: unverified.length,
    unsignedForms: unsigned.length,
    missingForms: missing.length,
  };
  return {
    clean: Object.values(counts).every((n) => n === 0),
    counts,
    openQueries: input.queries.slice(0, limit),
    unverifiedForms: unverified.slice(0, limit),
    unsignedForms: unsigned.slice(0, limit),
    missingForms: missing.slice(0, limit),
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
