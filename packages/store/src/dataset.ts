// Reads a study's raw data for the core: subject by subject from a stream (streamTrialSubjects), so
// a caller can derive each subject and keep the result, not the items (issue 16: a 20 000-patient
// trial is ~9 million item values), or all at once as a TrialDataset (loadTrialDataset).
// Subjects come in pages; each page is read with one query per table, ordered on stable keys.
//
// The data snapshot hash is a streaming hash over a canonical serialisation: SHA-256 of the study
// header's JSON, then, subject by subject in subject-code order, the SHA-256 of that subject's JSON
// (DatasetSubject: fields, visits, forms and items in the order read here), one per line. The same
// data always give the same hash, whoever reads it and however it is read (all at once, streamed,
// or from a cache of per-subject hashes: snapshotHash), and any change to one value changes it.
import { createHash } from 'node:crypto';
import type { DatasetSubject, DatasetVisit, TrialDataset } from '@msct/core/dataset';
import type { Selectable } from 'kysely';
import type { Db } from './database.js';
import { getStudy } from './repositories/studies.js';
import type { AdverseEventTable, InfusionTable, SubjectTable, VisitTable } from './schema.js';

export interface LoadDatasetOptions {
  /** Use pseudonyms for subject codes and drop birth dates (the statistician's view). */
  pseudonymise?: boolean;
  /** Only these subjects. */
  subjectIds?: readonly string[];
  /** Only these sites. */
  siteIds?: readonly string[];
}

export interface TrialHeader {
  study: TrialDataset['study'];
  sites: TrialDataset['sites'];
}

/**
 * Subjects per page of the stream: ~11 000 item rows at the demo's ~446 items per subject. Small
 * pages keep the garbage between collections small: on 5 000 patients, deriving and keeping the
 * records peaked at 442 MB RSS with pages of 200, 321 MB with 50 and 256 MB with 25, in about the
 * same time (four indexed queries a page).
 */
export const SUBJECT_PAGE = 25;
/** Ids per `in (…)` list, under SQLite's and PostgreSQL's parameter limits. */
const ID_CHUNK = 5000;

export async function loadTrialHeader(db: Db, studyId: string): Promise<TrialHeader> {
  const study = await getStudy(db, studyId);
  const sites = await db.kysely
    .selectFrom('sites')
    .select(['id', 'code', 'name'])
    .where('study_id', '=', studyId)
    .orderBy('code')
    .execute();
  return {
    study: { id: study.id, code: study.code, title: study.title },
    sites: sites.map((s) => ({ id: s.id, code: s.code, name: s.name })),
  };
}

/** SHA-256 (hex) of one subject's canonical serialisation. */
export function subjectDataHash(subject: DatasetSubject): string {
  return createHash('sha256').update(JSON.stringify(subject)).digest('hex');
}

/** The snapshot hash of a header and its subjects' hashes, in subject order (see the top of this file). */
export function snapshotHash(header: TrialHeader, subjectHashes: Iterable<string>): string {
  const h = createHash('sha256').update(JSON.stringify({ study: header.study, sites: header.sites }));
  h.update('\n');
  for (const s of subjectHashes) h.update(`${s}\n`);
  return h.digest('hex');
}

/**
 * The subjects of a study (one row each), in subject-code order, or in pseudonym order when
 * pseudonymised: in code order (site code, enrolment number) a list's positions would map each
 * pseudonym back to its code (issue 17, Medium 3).
 */
export async function listDatasetSubjects(
  db: Db,
  studyId: string,
  opts: LoadDatasetOptions = {},
): Promise<Selectable<SubjectTable>[]> {
  const key = opts.pseudonymise ? 'pseudonym' : 'subject_code';
  const query = (ids?: readonly string[]) => {
    let sq = db.kysely.selectFrom('subjects').selectAll().where('study_id', '=', studyId);
    if (ids) sq = ids.length ? sq.where('id', 'in', ids) : sq.where('id', '=', '');
    if (opts.siteIds)
      sq = opts.siteIds.length ? sq.where('site_id', 'in', opts.siteIds) : sq.where('id', '=', '');
    return sq.orderBy(key).execute();
  };
  if (!opts.subjectIds || opts.subjectIds.length <= ID_CHUNK) return query(opts.subjectIds);
  const out: Selectable<SubjectTable>[] = [];
  for (let i = 0; i < opts.subjectIds.length; i += ID_CHUNK)
    for (const r of await query(opts.subjectIds.slice(i, i + ID_CHUNK))) out.push(r);
  return out.sort((a, b) => (a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : 0));
}

/** The item query of a page of subjects (exported so tests can EXPLAIN it). */
export function itemRowsQuery(db: Db, subjectIds: readonly string[]) {
  return db.kysely
    .selectFrom('form_instances')
    .innerJoin('item_values', 'item_values.form_instance_id', 'form_instances.id')
    .select([
      'form_instances.visit_id',
      'form_instances.form_code',
      'item_values.item_code',
      'item_values.value',
      'item_values.unit',
    ])
    .where('form_instances.subject_id', 'in', subjectIds)
    .orderBy('form_instances.visit_id')
    .orderBy('form_instances.form_code')
    .orderBy('item_values.item_code');
}

/** One item row as read: visit id, form code, item code, value, unit. */
type ItemRow = [string, string, string, string | null, string | null];

/**
 * The item rows of a page of subjects. On SQLite the compiled item query runs as a prepared
 * better-sqlite3 statement returning raw rows (arrays, not one object per row through Kysely):
 * the item read is most of the time of a derivation at scale (issue 16). Same SQL, same order.
 */
async function readItemRows(
  db: Db,
  subjectIds: readonly string[],
  statements: Map<string, { all: (...params: unknown[]) => unknown[] }>,
): Promise<ItemRow[]> {
  const query = itemRowsQuery(db, subjectIds);
  if (!db.sqlite)
    return (await query.execute()).map((r) => [r.visit_id, r.form_code, r.item_code, r.value, r.unit]);
  const { sql, parameters } = query.compile();
  let statement = statements.get(sql);
  if (!statement) {
    statement = db.sqlite.prepare(sql).raw(true);
    statements.set(sql, statement);
  }
  return statement.all(...parameters) as ItemRow[];
}

function groupBy<T extends { subject_id: string }>(rows: readonly T[]): Map<string, T[]> {
  const by = new Map<string, T[]>();
  for (const r of rows) {
    const list = by.get(r.subject_id);
    if (list) list.push(r);
    else by.set(r.subject_id, [r]);
  }
  return by;
}

/**
 * The study's subjects one by one, each with its visits, items, infusions and adverse events, read
 * a page of SUBJECT_PAGE subjects at a time: memory holds one page of rows, whatever the trial size.
 */
export async function* streamTrialSubjects(
  db: Db,
  studyId: string,
  opts: LoadDatasetOptions & { header?: TrialHeader; pageSize?: number } = {},
): AsyncGenerator<DatasetSubject> {
  const header = opts.header ?? (await loadTrialHeader(db, studyId));
  const siteCode = new Map(header.sites.map((s) => [s.id, s.code]));
  const subjects = await listDatasetSubjects(db, studyId, opts);
  const pageSize = opts.pageSize ?? SUBJECT_PAGE;
  const statements = new Map<string, { all: (...params: unknown[]) => unknown[] }>();
  for (let p = 0; p < subjects.length; p += pageSize) {
    const page = subjects.slice(p, p + pageSize);
    const ids = page.map((s) => s.id);
    const visits: Selectable<VisitTable>[] = await db.kysely
      .selectFrom('visits')
      .selectAll()
      .where('subject_id', 'in', ids)
      .orderBy('subject_id')
      .orderBy('cycle')
      .orderBy('visit_date')
      .orderBy('id')
      .execute();
    const items = await readItemRows(db, ids, statements);
    const infusions: Selectable<InfusionTable>[] = await db.kysely
      .selectFrom('infusions')
      .selectAll()
      .where('subject_id', 'in', ids)
      .orderBy('cycle')
      .orderBy('infusion_number')
      .execute();
    const aes: Selectable<AdverseEventTable>[] = await db.kysely
      .selectFrom('adverse_events')
      .selectAll()
      .where('subject_id', 'in', ids)
      .orderBy('onset_date')
      .orderBy('id')
      .execute();
    const itemsByVisit = new Map<
      string,
      Record<string, Record<string, { value: string | null; unit: string | null }>>
    >();
    // Rows arrive ordered by visit, form and item: consecutive rows share their visit and form.
    let lastVisit: string | undefined;
    let lastForm: string | undefined;
    let form: Record<string, { value: string | null; unit: string | null }> = {};
    for (const [visitId, formCode, itemCode, value, unit] of items) {
      if (visitId !== lastVisit || formCode !== lastForm) {
        let forms = itemsByVisit.get(visitId);
        if (!forms) {
          forms = {};
          itemsByVisit.set(visitId, forms);
        }
        const existing = forms[formCode];
        if (existing) form = existing;
        else {
          form = {};
          forms[formCode] = form;
        }
        lastVisit = visitId;
        lastForm = formCode;
      }
      form[itemCode] = { value, unit };
    }
    const visitsBy = groupBy(visits);
    const infBy = groupBy(infusions);
    const aeBy = groupBy(aes);
    for (const s of page)
      yield {
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
      };
  }
}

/**
 * Streams the study's subjects through `each` (in subject-code order) and returns the header and
 * the snapshot: what a caller needs to derive subject by subject without holding the items.
 */
export async function forEachTrialSubject(
  db: Db,
  studyId: string,
  opts: LoadDatasetOptions,
  each: (subject: DatasetSubject, hash: string) => void | Promise<void>,
): Promise<TrialHeader & { snapshot: TrialDataset['snapshot'] }> {
  const takenAt = new Date().toISOString();
  const header = await loadTrialHeader(db, studyId);
  const hashes: string[] = [];
  for await (const s of streamTrialSubjects(db, studyId, { ...opts, header })) {
    const h = subjectDataHash(s);
    hashes.push(h);
    await each(s, h);
  }
  return { ...header, snapshot: { takenAt, hash: snapshotHash(header, hashes) } };
}

/** The whole study in memory (small trials, tests, exports that need it). Same snapshot hash as the stream. */
export async function loadTrialDataset(
  db: Db,
  studyId: string,
  opts: LoadDatasetOptions = {},
): Promise<TrialDataset> {
  const subjects: DatasetSubject[] = [];
  const { snapshot, ...header } = await forEachTrialSubject(db, studyId, opts, (s) => {
    subjects.push(s);
  });
  return { ...header, subjects, snapshot };
}
