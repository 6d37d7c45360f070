// CDISC ODM import: msct's own export (round trip) and ODM from another system, whose items map to
// msct's by OID (msct's OIDs are I.<form>.<item>; other systems' are mapped with `oidMap`). Every
// value is checked as at entry; nothing is written unless the whole file is valid. Of a value's
// history (Transactional files) the last ItemData is the value imported; msct's own audit trail
// records the import. The file is parsed whole (fast-xml-parser has no streaming mode): memory grows
// with the file, unlike the CSV import and the export.
import type { Readable } from 'node:stream';
import {
  type Actor,
  createSite,
  createSubject,
  type Db,
  inTransaction,
  type SubjectStatus,
} from '@msct/store';
import { XMLParser } from 'fast-xml-parser';
import {
  addProblem,
  checkValue,
  emptyReport,
  type ImportReport,
  type SubjectRef,
  subjectIndex,
} from './import-check.js';
import { ImportWriter } from './import-writer.js';
import { loadMetadata, SUBJECT_EVENT, SUBJECT_FORM, VISIT_FORM } from './study-metadata.js';

export interface OdmImportOptions {
  actor: Actor;
  dryRun?: boolean;
  skipInvalid?: boolean;
  /** ItemOID → `form.item` for files from other systems; StudyEventOID → visit code likewise. */
  oidMap?: Record<string, string>;
  reason?: string;
}

type Node = Record<string, unknown>;
const ARRAYS = new Set([
  'SubjectData',
  'StudyEventData',
  'FormData',
  'ItemGroupData',
  'ItemData',
  'Location',
  'MeasurementUnit',
  'ClinicalData',
  'AdminData',
  'Study',
]);
const list = (n: unknown): Node[] => (Array.isArray(n) ? (n as Node[]) : n ? [n as Node] : []);
const str = (n: unknown): string | undefined => (n === undefined || n === null ? undefined : String(n));
const afterPrefix = (oid: string, prefix: string) =>
  oid.startsWith(prefix) ? oid.slice(prefix.length) : oid;

interface OdmSubject {
  key: string;
  siteCode: string | undefined;
  facts: Record<string, string>;
  visitDates: Map<string, string>;
  values: Map<
    string,
    {
      row: number;
      column: string;
      visit: string;
      cycle: string;
      form: string;
      item: string;
      value: string | null;
      unit: string | null;
    }
  >;
}

export async function importOdm(
  db: Db,
  studyId: string,
  input: Readable | string,
  opts: OdmImportOptions,
): Promise<ImportReport> {
  const text = typeof input === 'string' ? input : await readAll(input);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    removeNSPrefix: true,
    parseAttributeValue: false,
    parseTagValue: false,
    isArray: (name) => ARRAYS.has(name),
  });
  const odm = (parser.parse(text) as Node).ODM as Node | undefined;
  const report = emptyReport(!!opts.dryRun);
  if (!odm) {
    addProblem(report, {
      row: 0,
      column: 'ODM',
      rule: 'row-malformed',
      message: 'the file has no ODM root element',
    });
    return report;
  }
  const meta = await loadMetadata(db, studyId);
  const units = new Map<string, string>();
  for (const st of list(odm.Study))
    for (const mu of list((st.BasicDefinitions as Node | undefined)?.MeasurementUnit))
      units.set(String(mu.OID), String(mu.Name));
  const locations = new Map<string, string>();
  for (const ad of list(odm.AdminData))
    for (const l of list(ad.Location)) locations.set(String(l.OID), String(l.Name));

  // Collect the last version of each value, subject by subject.
  const subjects: OdmSubject[] = [];
  let row = 0;
  for (const cd of list(odm.ClinicalData))
    for (const sd of list(cd.SubjectData)) {
      const key = String(sd.SubjectKey);
      const siteOid = str((sd.SiteRef as Node | undefined)?.LocationOID);
      const s: OdmSubject = {
        key,
        siteCode: siteOid && afterPrefix(siteOid, 'LOC.'),
        facts: {},
        visitDates: new Map(),
        values: new Map(),
      };
      subjects.push(s);
      for (const se of list(sd.StudyEventData)) {
        const seOid = String(se.StudyEventOID);
        const visit = opts.oidMap?.[seOid] ?? afterPrefix(seOid, 'SE.');
        const cycle = str(se.StudyEventRepeatKey) ?? '1';
        for (const fd of list(se.FormData))
          for (const ig of list(fd.ItemGroupData))
            for (const id of list(ig.ItemData)) {
              row++;
              const itemOid = String(id.ItemOID);
              const target = opts.oidMap?.[itemOid] ?? afterPrefix(itemOid, 'I.');
              const dot = target.lastIndexOf('.');
              const form = dot < 0 ? String(fd.FormOID) : target.slice(0, dot);
              const item = dot < 0 ? target : target.slice(dot + 1);
              const value = id.IsNull === 'Yes' ? null : (str(id.Value) ?? null);
              const unitOid = str((id.MeasurementUnitRef as Node | undefined)?.MeasurementUnitOID);
              const unit = unitOid ? (units.get(unitOid) ?? unitOid) : null;
              if (visit === SUBJECT_EVENT && form === SUBJECT_FORM.formCode) {
                if (value !== null) s.facts[item] = value;
              } else if (form === VISIT_FORM.formCode) {
                if (item === 'VISIT_DATE' && value) s.visitDates.set(`${visit}|${cycle}`, value);
              } else {
                const column = `${key}/${seOid}[${cycle}]/${String(fd.FormOID)}/${itemOid}`;
                s.values.set(`${visit}|${cycle}|${form}|${item}`, {
                  row,
                  column,
                  visit,
                  cycle,
                  form,
                  item,
                  value,
                  unit,
                });
              }
            }
      }
    }

  const known = await subjectIndex(db, studyId);
  const sites = new Map(
    (
      await db.kysely.selectFrom('sites').select(['id', 'code']).where('study_id', '=', studyId).execute()
    ).map((s) => [s.code, s.id]),
  );
  // Subjects not yet in the database are created at their site; a placeholder stands in for the check.
  const candidates = new Map<string, SubjectRef>(known);
  for (const s of subjects)
    if (!known.has(s.key) && s.siteCode && (sites.has(s.siteCode) || locations.has(`LOC.${s.siteCode}`)))
      candidates.set(s.key, { id: `new:${s.key}`, siteId: `new:${s.siteCode}` });
  const invalid = new Set<string>();
  for (const s of subjects)
    for (const v of s.values.values()) {
      report.values++;
      const c = checkValue(
        meta,
        candidates,
        { subject: s.key, ...v },
        {
          subject: v.column,
          visit: v.column,
          cycle: v.column,
          form: v.column,
          item: v.column,
          value: v.column,
          unit: v.column,
        },
      );
      if (!c.ok) {
        invalid.add(`${s.key}|${v.row}`);
        addProblem(report, { row: v.row, ...c.problem });
      }
    }
  report.rows = row;
  report.invalidRows = invalid.size;
  if (opts.dryRun || (invalid.size > 0 && !opts.skipInvalid)) return report;

  const reason = opts.reason ?? 'imported from ODM';
  const counts = await inTransaction(db, opts.actor, async (tx) => {
    const writer = new ImportWriter(tx, opts.actor, studyId, reason);
    const ids = new Map(known);
    for (const s of subjects) {
      let ref = ids.get(s.key);
      if (!ref) {
        if (!candidates.has(s.key)) continue;
        ref = await createImportedSubject(tx, opts.actor, studyId, s, sites, locations);
        ids.set(s.key, ref);
      }
      for (const v of s.values.values()) {
        if (invalid.has(`${s.key}|${v.row}`)) continue;
        await writer.write({
          subjectId: ref.id,
          siteId: ref.siteId,
          visitCode: v.visit,
          cycle: Number(v.cycle),
          visitDate: s.visitDates.get(`${v.visit}|${v.cycle}`) ?? null,
          formCode: v.form,
          itemCode: v.item,
          value: v.value,
          unit: v.unit,
        });
      }
    }
    await writer.flush();
    return writer.counts;
  });
  return { ...report, ...counts, written: true };
}

async function createImportedSubject(
  tx: Db,
  actor: Actor,
  studyId: string,
  s: OdmSubject,
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
    status: (s.facts.STATUS as SubjectStatus | undefined) ?? 'screening',
    sex: s.facts.SEX ?? null,
    birthDate: s.facts.BIRTH_DATE ?? null,
    day0Date: s.facts.DAY0_DATE ?? null,
    // An imported subject keeps the key it had in the file.
    subjectCode: s.key,
  });
  return { id: created.id, siteId };
}

async function readAll(input: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of input) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
