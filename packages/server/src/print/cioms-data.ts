// The content of a CIOMS-I-style report of one adverse event (issue #21 "a printable CIOMS-I-style
// form"), read with the reader's rights like the casebook (casebook-data.ts): site scoping is the
// caller's (enforceOnSubject), a pseudonymised role gets the pseudonym, no birth date and the
// subject's per-subject shifted dates (deid/date-shift.ts), and a role the study blinds gets no
// infusion record (the arm-revealing form, access/blinding.ts) — the suspect product section says so.
//
// Where the CIOMS-I boxes come from (CIOMS Working Group I, "International reporting of adverse drug
// reactions", 1990; the form's boxes 1–25): patient = the subject; reaction = the AE with its ICH
// E2A seriousness criteria; suspect product = the definition's `infusion` plan (product, route) and
// the subject's infusions given up to the onset (lot, cells, cells/kg, dates); concomitant = the
// `medication` form (trial.md "Intervention": background therapy recorded at every visit) at the
// last visit on or before the onset; history = the `demographics` form ("Demographics and SLE
// history"); manufacturer/sponsor = the study and the product's source; dates and causality as
// recorded by the site and the sponsor; the follow-up entries.
import {
  type Db,
  getStudy,
  getSubject,
  getSubjectRecord,
  listAdverseEventFollowUps,
  listForms,
  listItems,
  listSubjectRecords,
  listVisits,
} from '@msct/store';
import { armRevealingFilter } from '../access/blinding.js';
import { type Principal, seesIdentifiers } from '../access/policy.js';
import { studyDefinition } from '../clinical/study-definition.js';
import { deidentifyDates } from '../deid/date-shift.js';
import { toAe } from '../routes/safety.js';
import { toSubject } from '../routes/subjects.js';

/** The form holding background therapy (msct-sle.json; trial.md "Intervention"). */
export const CONCOMITANT_FORM = 'medication';
/** The form holding the disease history (msct-sle.json "Demographics and SLE history"). */
export const HISTORY_FORM = 'demographics';

export type CiomsReportType = 'initial' | 'follow-up';

/**
 * Whole years between a birth date and a date (ISO dates). HIPAA Safe Harbor
 * §164.514(b)(2)(i)(C): ages over 89 are given as "90 or older" — the caller prints it so.
 */
export function ageInYears(birthDate: string, on: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [y, m, d] = on.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

/**
 * Initial or follow-up (CIOMS-I box 25a): as asked, else "follow-up" once the sponsor has recorded
 * the date its (initial) expedited report went out (`reported_date`), "initial" before.
 */
export function ciomsReportType(
  asked: CiomsReportType | undefined,
  reportedDate: string | null,
): CiomsReportType {
  return asked ?? (reportedDate ? 'follow-up' : 'initial');
}

async function formValues(db: Db, formId: string, keep: (item: string) => boolean) {
  return (await listItems(db, formId))
    .filter((i) => keep(i.item_code))
    .map((i) => ({ itemCode: i.item_code, value: i.value, unit: i.unit }));
}

export async function loadCioms(db: Db, p: Principal, aeId: string, asked?: CiomsReportType) {
  const row = await getSubjectRecord(db, 'adverse_events', aeId);
  const s = await getSubject(db, row.subject_id);
  const { definition } = await studyDefinition(db, s.study_id);
  const study = await getStudy(db, s.study_id);
  const site = await db.kysely
    .selectFrom('sites')
    .select(['code', 'name'])
    .where('id', '=', s.site_id)
    .executeTakeFirst();
  const centre = definition.centres?.find((c) => c.id === site?.code);
  const filter = armRevealingFilter(p, s.study_id, definition);
  const ae = toAe(row);

  // Suspect product: infusions given on or before the onset (and the one the site linked).
  const blindedProduct = !filter.form('infusion');
  const infusions = blindedProduct
    ? []
    : (await listSubjectRecords(db, 'infusions', s.id))
        .filter(
          (i) =>
            i.id === row.infusion_id ||
            (i.status === 'given' && (i.started_at ?? i.planned_date ?? '').slice(0, 10) <= row.onset_date),
        )
        .map((i) => ({
          linked: i.id === row.infusion_id,
          cycle: i.cycle,
          infusionNumber: i.infusion_number,
          status: i.status,
          plannedDate: i.planned_date,
          startedAt: i.started_at,
          endedAt: i.ended_at,
          productLot: i.product_lot,
          totalCells: i.total_cells,
          weightKg: i.weight_kg,
          cellsPerKg: i.total_cells !== null && i.weight_kg ? i.total_cells / i.weight_kg : null,
          viabilityPct: i.viability_pct,
          reactions: i.reactions,
        }));

  // Concomitant therapy at the last visit on or before the onset; history from any visit.
  const visits = (await listVisits(db, s.id)).filter((v) => v.visit_date !== null);
  visits.sort((a, b) => (a.visit_date! < b.visit_date! ? -1 : a.visit_date! > b.visit_date! ? 1 : 0));
  let concomitant: {
    visitCode: string;
    visitDate: string;
    items: Awaited<ReturnType<typeof formValues>>;
  } | null = null;
  let history: Awaited<ReturnType<typeof formValues>> = [];
  for (const v of visits) {
    const forms = await listForms(db, v.id);
    const med = forms.find((f) => f.form_code === CONCOMITANT_FORM);
    if (med && filter.form(CONCOMITANT_FORM) && v.visit_date! <= row.onset_date) {
      const items = await formValues(db, med.id, (i) => filter.item(CONCOMITANT_FORM, i));
      if (items.some((i) => i.value !== null && i.value !== ''))
        concomitant = { visitCode: v.visit_code, visitDate: v.visit_date!, items };
    }
    const hist = forms.find((f) => f.form_code === HISTORY_FORM);
    if (hist && history.length === 0 && filter.form(HISTORY_FORM))
      history = await formValues(db, hist.id, (i) => filter.item(HISTORY_FORM, i));
  }

  const followUps = (await listAdverseEventFollowUps(db, aeId)).map((u) => ({
    entryDate: u.entry_date,
    text: u.text,
    authorName: u.author_name,
  }));
  const age = s.birth_date ? ageInYears(s.birth_date, row.onset_date) : null;
  const content = {
    subject: { ...toSubject(s, p), siteCode: site?.code ?? '', siteName: site?.name ?? '' },
    ae,
    infusions,
    concomitant,
    history,
    followUps,
  };
  const pseudonymised = !seesIdentifiers(p, s.study_id);
  const shown = pseudonymised
    ? ((await deidentifyDates(db, content, { studyId: s.study_id, subjectId: s.id })) as typeof content)
    : content;
  return {
    study: { id: study.id, code: study.code, title: study.title },
    definition,
    country: centre?.country ?? null,
    ageAtOnset: age,
    pseudonymised,
    blindedProduct,
    reportType: ciomsReportType(asked, row.reported_date),
    ...shown,
  };
}

export type Cioms = Awaited<ReturnType<typeof loadCioms>>;
