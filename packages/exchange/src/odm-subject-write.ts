// The write of one checked ODM subject's records (odm-import.ts, inside the import's transaction):
// a subject the file brings is created with its key as code (and its site, from AdminData, if new);
// infusions and adverse events are entered or updated through the store's repositories, audited.
// Item values go through the store's ItemWriter, in odm-import.ts.
import {
  type Actor,
  createSite,
  createSubject,
  createSubjectRecord,
  type Db,
  listSubjectRecords,
  type SubjectStatus,
  updateSubjectRecord,
} from '@msct/store';
import type { SubjectRef } from './import-check.js';
import { AE_FORM, aeColumns, INFUSION_FORM, infusionColumns } from './odm-records.js';
import type { OdmSubject, RecordRow } from './odm-subject.js';

export interface RecordCounts {
  entered: number;
  changed: number;
  unchanged: number;
}

/** Infusions (keyed by cycle and number) and adverse events (by term and onset) of one subject. */
export async function writeRecords(
  tx: Db,
  actor: Actor,
  subjectId: string,
  records: RecordRow[],
  reason: string,
  report: { infusions: RecordCounts; adverseEvents: RecordCounts },
) {
  if (records.length === 0) return;
  const infusions = await listSubjectRecords(tx, 'infusions', subjectId);
  const infusionKey = (cycle: unknown, n: unknown) => `${Number(cycle)}|${Number(n)}`;
  const byKey = new Map(infusions.map((i) => [infusionKey(i.cycle, i.infusion_number), i]));
  for (const r of records.filter((x) => x.form === INFUSION_FORM)) {
    const cols = infusionColumns(r.values);
    const key = infusionKey(cols.cycle, cols.infusion_number);
    const before = byKey.get(key);
    if (!before) {
      byKey.set(key, await createSubjectRecord(tx, actor, 'infusions', subjectId, cols));
      report.infusions.entered++;
      continue;
    }
    const after = await updateSubjectRecord(
      tx,
      actor,
      'infusions',
      before.id,
      Number(before.version),
      cols,
      reason,
    );
    byKey.set(key, after);
    if (Number(after.version) === Number(before.version)) report.infusions.unchanged++;
    else report.infusions.changed++;
  }
  const aes = await listSubjectRecords(tx, 'adverse_events', subjectId);
  const aeKey = (term: string, onset: string) => `${term}|${onset}`;
  const aeByKey = new Map(aes.map((a) => [aeKey(a.term, a.onset_date), a]));
  for (const r of records.filter((x) => x.form === AE_FORM)) {
    const link = r.values.INFUSION_CYCLE
      ? byKey.get(infusionKey(r.values.INFUSION_CYCLE, r.values.INFUSION_NUMBER))
      : undefined;
    const cols = { ...aeColumns(r.values), infusion_id: link?.id ?? null };
    const before = aeByKey.get(aeKey(cols.term, cols.onset_date));
    if (!before) {
      await createSubjectRecord(tx, actor, 'adverse_events', subjectId, cols);
      report.adverseEvents.entered++;
      continue;
    }
    const after = await updateSubjectRecord(
      tx,
      actor,
      'adverse_events',
      before.id,
      Number(before.version),
      cols,
      reason,
    );
    if (Number(after.version) === Number(before.version)) report.adverseEvents.unchanged++;
    else report.adverseEvents.changed++;
  }
}

export async function createImportedSubject(
  tx: Db,
  actor: Actor,
  studyId: string,
  s: OdmSubject,
  /** The subject's own facts that passed their check (a fact left out is not written). */
  facts: Record<string, string>,
  sites: Map<string, string>,
  locations: Map<string, string>,
): Promise<SubjectRef> {
  const code = s.siteCode!;
  let siteId = sites.get(code);
  if (!siteId) {
    siteId = (await createSite(tx, actor, { studyId, code, name: locations.get(`LOC.${code}`) ?? code })).id;
    sites.set(code, siteId);
  }
  const created = await createSubject(tx, actor, {
    studyId,
    siteId,
    status: (facts.STATUS as SubjectStatus | undefined) ?? 'screening',
    sex: facts.SEX ?? null,
    birthDate: facts.BIRTH_DATE ?? null,
    day0Date: facts.DAY0_DATE ?? null,
    // An imported subject keeps the key it had in the file.
    subjectCode: s.key,
  });
  return { id: created.id, siteId };
}
