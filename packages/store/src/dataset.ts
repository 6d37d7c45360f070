// Loads a study's raw data into the core's TrialDataset. Reads each table once, ordered on stable
// keys, and groups in memory: a 40-patient trial is a few thousand rows.
import { createHash } from 'node:crypto';
import type { DatasetSubject, DatasetVisit, TrialDataset } from '@msct/core/dataset';
import type { Selectable } from 'kysely';
import type { Db } from './database.js';
import { getStudy } from './repositories/studies.js';
import type { AdverseEventTable, InfusionTable, VisitTable } from './schema.js';

export interface LoadDatasetOptions {
  /** Use pseudonyms for subject codes and drop birth dates (the statistician's view). */
  pseudonymise?: boolean;
  /** Only these subjects. */
  subjectIds?: readonly string[];
  /** Only these sites. */
  siteIds?: readonly string[];
}

export async function loadTrialDataset(
  db: Db,
  studyId: string,
  opts: LoadDatasetOptions = {},
): Promise<TrialDataset> {
  const study = await getStudy(db, studyId);
  const sites = await db.kysely
    .selectFrom('sites')
    .select(['id', 'code', 'name'])
    .where('study_id', '=', studyId)
    .orderBy('code')
    .execute();
  const siteCode = new Map(sites.map((s) => [s.id, s.code]));
  let sq = db.kysely.selectFrom('subjects').selectAll().where('study_id', '=', studyId);
  if (opts.subjectIds)
    sq = opts.subjectIds.length ? sq.where('id', 'in', opts.subjectIds) : sq.where('id', '=', '');
  if (opts.siteIds)
    sq = opts.siteIds.length ? sq.where('site_id', 'in', opts.siteIds) : sq.where('id', '=', '');
  const subjects = await sq.orderBy('subject_code').execute();
  const ids = subjects.map((s) => s.id);
  const inSubjects = <T>(rows: (T & { subject_id: string })[]) => {
    const by = new Map<string, (T & { subject_id: string })[]>();
    for (const r of rows) {
      const list = by.get(r.subject_id) ?? [];
      list.push(r);
      by.set(r.subject_id, list);
    }
    return by;
  };
  const chunks = <T>(xs: T[], n = 500) =>
    Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

  // Appends row by row: `xs.push(...rows)` passes every row as an argument and overflows the call
  // stack above ~120 000 rows (issue 16: a 500-subject batch holds ~220 000 item rows).
  const append = <T>(xs: T[], rows: readonly T[]) => {
    for (const r of rows) xs.push(r);
  };
  const visits: Selectable<VisitTable>[] = [];
  const items: {
    visit_id: string;
    form_code: string;
    item_code: string;
    value: string | null;
    unit: string | null;
  }[] = [];
  const infusions: Selectable<InfusionTable>[] = [];
  const aes: Selectable<AdverseEventTable>[] = [];
  for (const part of chunks(ids)) {
    if (part.length === 0) continue;
    append(
      visits,
      await db.kysely
        .selectFrom('visits')
        .selectAll()
        .where('subject_id', 'in', part)
        .orderBy('subject_id')
        .orderBy('cycle')
        .orderBy('visit_date')
        .orderBy('id')
        .execute(),
    );
    append(
      items,
      await db.kysely
        .selectFrom('item_values')
        .innerJoin('form_instances', 'form_instances.id', 'item_values.form_instance_id')
        .select([
          'form_instances.visit_id',
          'form_instances.form_code',
          'item_values.item_code',
          'item_values.value',
          'item_values.unit',
        ])
        .where('form_instances.subject_id', 'in', part)
        .orderBy('form_instances.visit_id')
        .orderBy('form_instances.form_code')
        .orderBy('item_values.item_code')
        .execute(),
    );
    append(
      infusions,
      await db.kysely
        .selectFrom('infusions')
        .selectAll()
        .where('subject_id', 'in', part)
        .orderBy('cycle')
        .orderBy('infusion_number')
        .execute(),
    );
    append(
      aes,
      await db.kysely
        .selectFrom('adverse_events')
        .selectAll()
        .where('subject_id', 'in', part)
        .orderBy('onset_date')
        .orderBy('id')
        .execute(),
    );
  }
  const itemsByVisit = new Map<
    string,
    Record<string, Record<string, { value: string | null; unit: string | null }>>
  >();
  for (const it of items) {
    const forms = itemsByVisit.get(it.visit_id) ?? {};
    const form = forms[it.form_code] ?? {};
    form[it.item_code] = { value: it.value, unit: it.unit };
    forms[it.form_code] = form;
    itemsByVisit.set(it.visit_id, forms);
  }
  const visitsBy = inSubjects(visits);
  const infBy = inSubjects(infusions);
  const aeBy = inSubjects(aes);

  const out: DatasetSubject[] = subjects.map((s) => ({
    subjectId: s.id,
    subjectCode: opts.pseudonymise ? s.pseudonym : s.subject_code,
    siteId: s.site_id,
    siteCode: siteCode.get(s.site_id) ?? '',
    status: s.status,
    sex: s.sex,
    birthDate: opts.pseudonymise ? null : s.birth_date,
    day0Date: s.day0_date,
    visits: (visitsBy.get(s.id) ?? []).map(
      (v): DatasetVisit => ({
        visitId: v.id,
        visitCode: v.visit_code,
        cycle: Number(v.cycle),
        date: v.visit_date,
        items: itemsByVisit.get(v.id) ?? {},
      }),
    ),
    infusions: (infBy.get(s.id) ?? []).map((i) => ({
      cycle: Number(i.cycle),
      infusionNumber: Number(i.infusion_number),
      date: i.started_at?.slice(0, 10) ?? i.planned_date,
      productLot: i.product_lot,
      totalCells: i.total_cells === null ? null : Number(i.total_cells),
      viabilityPct: i.viability_pct === null ? null : Number(i.viability_pct),
      weightKg: i.weight_kg === null ? null : Number(i.weight_kg),
      status: i.status,
      reactions: i.reactions,
    })),
    adverseEvents: (aeBy.get(s.id) ?? []).map((a) => ({
      term: a.term,
      onsetDate: a.onset_date,
      resolutionDate: a.resolution_date,
      ctcaeGrade: a.ctcae_grade === null ? null : Number(a.ctcae_grade),
      serious: Number(a.serious) === 1,
      seriousness: JSON.parse(a.seriousness_json) as string[],
      relatedness: a.relatedness,
      outcome: a.outcome,
      deathDate: a.death_date,
      deathCause: a.death_cause,
      infusionLinked: a.infusion_id !== null,
    })),
  }));
  const body = {
    study: { id: study.id, code: study.code, title: study.title },
    sites: sites.map((s) => ({ id: s.id, code: s.code, name: s.name })),
    subjects: out,
  };
  // The snapshot hash covers the data, not the time it was read: the same data gives the same hash.
  const hash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
  return { ...body, snapshot: { takenAt: new Date().toISOString(), hash } };
}
