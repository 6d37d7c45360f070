// Lab forms across a study for the monitor's out-of-range list (issue #22 "Labs"): the forms of the
// given codes with their item values, subject (site, sex) and visit, read a page of subjects at a
// time through the (subject_id, visit_id, form_code) index of migration 004, so no request holds a
// trial's lab values in memory at once; the flags are derived by the caller (core/crf/lab-flags.ts).
import type { Db } from '../database.js';
import type { SubjectCodeColumn } from './subject-overview.js';

export interface LabFormItem {
  item_code: string;
  value: string | null;
  unit: string | null;
  missing_code: string | null;
}

export interface LabFormRow {
  form_id: string;
  form_code: string;
  form_status: string;
  visit_id: string;
  visit_code: string;
  visit_date: string | null;
  subject_id: string;
  subject_code: string;
  pseudonym: string;
  sex: string | null;
  site_id: string;
  site_code: string;
  items: LabFormItem[];
}

export interface LabFormFilter {
  studyId: string;
  formCodes: readonly string[];
  /** undefined = every site; [] = none. */
  siteIds?: readonly string[];
  siteId?: string;
  /** The subject as the caller knows it (exact code or pseudonym, per `codeColumn`). */
  subject?: string;
  codeColumn: SubjectCodeColumn;
  /**
   * Only these items of each form (the ranged values, their CS/NCS answers, the sample date and
   * time): a lab form holds more (28 items in the built-in trial's), and at 20 000 patients reading
   * every one was most of the out-of-range list's time. Undefined: every item.
   */
  itemCodes?: readonly string[];
  pageSize?: number;
}

/** Every lab form matching the filter, subject by subject (in subject-code order), a page at a time. */
export async function* streamLabForms(db: Db, f: LabFormFilter): AsyncGenerator<LabFormRow[]> {
  if ((f.siteIds && f.siteIds.length === 0) || f.formCodes.length === 0 || f.itemCodes?.length === 0) return;
  const pageSize = f.pageSize ?? 200;
  let after: string | undefined;
  for (;;) {
    let q = db.kysely
      .selectFrom('subjects')
      .innerJoin('sites', 'sites.id', 'subjects.site_id')
      .select([
        'subjects.id',
        'subjects.subject_code',
        'subjects.pseudonym',
        'subjects.sex',
        'subjects.site_id',
        'sites.code as site_code',
      ])
      .where('subjects.study_id', '=', f.studyId);
    if (f.siteIds) q = q.where('subjects.site_id', 'in', [...f.siteIds]);
    if (f.siteId) q = q.where('subjects.site_id', '=', f.siteId);
    if (f.subject) q = q.where(`subjects.${f.codeColumn}`, '=', f.subject);
    if (after !== undefined) q = q.where(`subjects.${f.codeColumn}`, '>', after);
    const subjects = await q.orderBy(`subjects.${f.codeColumn}`).limit(pageSize).execute();
    if (subjects.length === 0) return;
    after = subjects[subjects.length - 1]![f.codeColumn === 'pseudonym' ? 'pseudonym' : 'subject_code'];
    const forms = await db.kysely
      .selectFrom('form_instances')
      .innerJoin('visits', 'visits.id', 'form_instances.visit_id')
      .select([
        'form_instances.id',
        'form_instances.subject_id',
        'form_instances.form_code',
        'form_instances.status',
        'visits.id as visit_id',
        'visits.visit_code',
        'visits.visit_date',
      ])
      .where(
        'form_instances.subject_id',
        'in',
        subjects.map((s) => s.id),
      )
      .where('form_instances.form_code', 'in', [...f.formCodes])
      .execute();
    const items = new Map<string, LabFormItem[]>();
    for (let i = 0; i < forms.length; i += 500) {
      const ids = forms.slice(i, i + 500).map((x) => x.id);
      if (ids.length === 0) continue;
      let iq = db.kysely
        .selectFrom('item_values')
        .select(['form_instance_id', 'item_code', 'value', 'unit', 'missing_code'])
        .where('form_instance_id', 'in', ids);
      if (f.itemCodes) iq = iq.where('item_code', 'in', [...f.itemCodes]);
      const rows = await iq.execute();
      for (const r of rows) {
        const list = items.get(r.form_instance_id) ?? [];
        list.push({ item_code: r.item_code, value: r.value, unit: r.unit, missing_code: r.missing_code });
        items.set(r.form_instance_id, list);
      }
    }
    const bySubject = new Map(subjects.map((s) => [s.id, s]));
    const page: LabFormRow[] = forms
      .map((x) => {
        const s = bySubject.get(x.subject_id)!;
        return {
          form_id: x.id,
          form_code: x.form_code,
          form_status: x.status,
          visit_id: x.visit_id,
          visit_code: x.visit_code,
          visit_date: x.visit_date,
          subject_id: s.id,
          subject_code: s.subject_code,
          pseudonym: s.pseudonym,
          sex: s.sex,
          site_id: s.site_id,
          site_code: s.site_code,
          items: items.get(x.id) ?? [],
        };
      })
      .sort(
        (a, b) =>
          (a[f.codeColumn] < b[f.codeColumn] ? -1 : a[f.codeColumn] > b[f.codeColumn] ? 1 : 0) ||
          (a.visit_date ?? '').localeCompare(b.visit_date ?? '') ||
          a.visit_code.localeCompare(b.visit_code),
      );
    yield page;
    if (subjects.length < pageSize) return;
  }
}

/** What picks a lab form's reference ranges: the subject's site code and sex, and the visit date. */
export async function labContextOfForm(
  db: Db,
  formId: string,
): Promise<{ siteCode: string; sex: string | null; visitDate: string | null } | undefined> {
  const r = await db.kysely
    .selectFrom('form_instances')
    .innerJoin('visits', 'visits.id', 'form_instances.visit_id')
    .innerJoin('subjects', 'subjects.id', 'form_instances.subject_id')
    .innerJoin('sites', 'sites.id', 'subjects.site_id')
    .select(['sites.code as site_code', 'subjects.sex', 'visits.visit_date'])
    .where('form_instances.id', '=', formId)
    .executeTakeFirst();
  return r && { siteCode: r.site_code, sex: r.sex, visitDate: r.visit_date };
}
