// CDISC ODM 1.3.2 export, streamed. Subjects are read a page at a time on their code (a stable key);
// each page's visits, items, infusions, AEs and audit events are read with it and written, the text
// handed to the destination every megabyte (awaiting drain): memory holds one page whatever the size
// of the study (USERS.md: large exports must not crash). Each value carries its history as ItemData
// with AuditRecords (who, where, when, why) in a Transactional file, and each signed form its
// Signature (who, where, which meaning, when: 21 CFR 11.50) referring to a SignatureDef of AdminData;
// de-identified exports are Snapshots without audit records or signatures.
import type { Writable } from 'node:stream';
import type { FormDefinitionItems } from '@msct/core/crf';
import type { AdverseEventTable, Db, InfusionTable, SubjectTable, VisitTable } from '@msct/store';

import {
  AUDIT,
  type AuditRow,
  type FormPlan,
  formPlan,
  type HistoryContext,
  ITEM,
  ItemEvents,
  type ItemRow,
  itemDataText,
  nullableString,
} from './odm-item-history.js';
import { exportedItems, type MetadataOptions, writeStudy } from './odm-metadata.js';
import { AE_FORM, aeValues, INFUSION_FORM, infusionValues } from './odm-records.js';
import {
  type ExchangeMetadata,
  loadMetadata,
  oid,
  SUBJECT_EVENT,
  SUBJECT_FORM,
  studyDay,
  VISIT_FORM,
} from './study-metadata.js';
import { escAttr, XmlStream, type XmlWriter } from './xml-stream.js';

export { splitValueText } from './odm-item-history.js';

export const ODM_NAMESPACE = 'http://www.cdisc.org/ns/odm/v1.3';

export interface DeidentifyOptions {
  /** Pseudonyms instead of subject codes; free text and birth dates left out (the statistician's view). */
  pseudonymise?: boolean;
  /** Dates as study days from day 0 (first infusion); audit records, which carry instants, are left out. */
  shiftDates?: 'study-day';
  /**
   * A blinded export (issue 24), for a role the study's definition blinds: no arm (SDTM DM's arm
   * variables empty), and the forms and items the definition names as revealing the arm left out —
   * with the infusion records when the `infusion` form is one of them. The file says so (ODM
   * Description, define.xml).
   */
  blind?: ArmBlinding;
}

/** The forms and items (`form/item`) a blinded export leaves out (core protocol `armRevealingOf`). */
export interface ArmBlinding {
  forms: ReadonlySet<string>;
  items: ReadonlySet<string>;
}

/** The sentence a blinded export's header carries: what was left out (forms by code, items counted). */
export function blindedExportNote(blind: ArmBlinding): string {
  const forms = [...blind.forms].sort();
  const left = [
    ...(forms.length ? [`the forms ${forms.join(', ')}`] : []),
    ...(blind.items.size ? [`${blind.items.size} item(s) of other forms`] : []),
    ...(blind.forms.has('infusion') ? ['the infusion records'] : []),
  ];
  return `Blinded export: no treatment arm${left.length ? `; ${left.join(', ')} left out as revealing the arm (study definition, randomisation.armRevealing)` : ''}`;
}

export interface OdmExportOptions extends DeidentifyOptions {
  /**
   * Subjects per page (default 10). A page's rows (values, audit events) live until the page is
   * written and so reach V8's old space: at ~300 values a subject, pages of 100 took the export's
   * peak RSS from ~220 to ~550 MB (bench/exchange.bench.ts, 200 000 values); pages of 10 add ~25 MB,
   * in the same time.
   */
  pageSize?: number;
  /** Only these sites (site-scoped users). */
  siteIds?: readonly string[];
  onProgress?: (done: number, total: number) => void;
}

/** Who last wrote an infusion or adverse event, when and why. */
interface RecordEvent {
  at: string;
  actor_name: string;
  reason: string | null;
}

export interface OdmExportReport {
  subjects: number;
  itemValues: number;
  infusions: number;
  adverseEvents: number;
  auditRecords: number;
  /** Values of forms without item definitions (free forms), which ODM metadata cannot describe. */
  skippedValues: number;
  /** Values of arm-revealing forms and items a blinded export left out (issue 24). */
  blindedValues: number;
  bytes: number;
}

/**
 * The study's metadata as a blinded export describes it: without the arm-revealing forms and items,
 * so neither their values nor their definitions appear.
 */
function blindedMetadata(meta: ExchangeMetadata, blind: ArmBlinding): ExchangeMetadata {
  const forms = new Map<string, FormDefinitionItems>();
  for (const [code, form] of meta.forms)
    if (!blind.forms.has(code))
      forms.set(code, { ...form, items: form.items.filter((it) => !blind.items.has(`${code}/${it.code}`)) });
  return {
    ...meta,
    forms,
    visits: meta.visits.map((v) => ({ ...v, formCodes: v.formCodes.filter((f) => !blind.forms.has(f)) })),
  };
}

export async function exportOdm(
  db: Db,
  studyId: string,
  out: Writable,
  opts: OdmExportOptions = {},
): Promise<OdmExportReport> {
  const blind = opts.blind;
  const fullMeta = await loadMetadata(db, studyId);
  const meta = blind ? blindedMetadata(fullMeta, blind) : fullMeta;
  const withoutInfusions = !!blind?.forms.has('infusion');
  const mo: MetadataOptions = {
    dropFreeText: !!opts.pseudonymise,
    studyDays: opts.shiftDates === 'study-day',
    withoutInfusions,
  };
  const withAudit = !mo.studyDays;
  const stream = new XmlStream(out);
  const { xml } = stream;
  const report: OdmExportReport = {
    subjects: 0,
    itemValues: 0,
    infusions: 0,
    adverseEvents: 0,
    auditRecords: 0,
    skippedValues: 0,
    blindedValues: 0,
    bytes: 0,
  };
  const descriptions = [
    ...(mo.dropFreeText || mo.studyDays ? ['De-identified export (statistician view)'] : []),
    ...(blind ? [blindedExportNote(blind)] : []),
  ];

  xml.dec({ version: '1.0', encoding: 'UTF-8' });
  xml.ele('ODM', {
    xmlns: ODM_NAMESPACE,
    ODMVersion: '1.3.2',
    FileType: withAudit ? 'Transactional' : 'Snapshot',
    FileOID: `msct.${meta.studyCode}.${Date.now()}`,
    CreationDateTime: new Date().toISOString(),
    Originator: 'msct',
    SourceSystem: 'msct',
    ...(descriptions.length ? { Description: descriptions.join('. ') } : {}),
  });
  writeStudy(xml, meta, mo);
  const signatureDefs = await writeAdminData(db, xml, meta, withAudit);
  await stream.flush();

  const sites = await db.kysely
    .selectFrom('sites')
    .select(['id', 'code'])
    .where('study_id', '=', studyId)
    .execute();
  const siteCode = new Map(sites.map((s) => [s.id, s.code]));
  let total = db.kysely
    .selectFrom('subjects')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('study_id', '=', studyId);
  if (opts.siteIds) total = total.where('site_id', 'in', opts.siteIds.length ? opts.siteIds : ['']);
  const totalSubjects = Number((await total.executeTakeFirstOrThrow()).n);

  xml.ele('ClinicalData', {
    StudyOID: oid.study(meta.studyCode),
    MetaDataVersionOID: oid.metaDataVersion(meta.definitionVersion),
  });
  const pageSize = opts.pageSize ?? 10;
  const plans = new Map<string, FormPlan>();
  for (const [code, form] of meta.forms)
    plans.set(code, formPlan(code, form, exportedItems(form, mo), mo.studyDays));
  const visitRank = new Map(meta.visits.map((v, i) => [v.code, i]));
  const formRank = new Map([...meta.forms.keys()].map((code, i) => [code, i]));
  const repeatingForms = new Set((meta.definition.forms ?? []).filter((f) => f.repeating).map((f) => f.id));
  const reader = new PageReader(db, studyId, opts, withAudit, pageSize);
  // On PostgreSQL the next page is read while this one is written: the database works on it
  // meanwhile. SQLite reads run on this thread, so there a page is read when it is needed (holding
  // two pages only raised the peak RSS, ~365 → ~405 MB at 1 000 patients).
  const readAhead = db.dialect === 'postgres';
  let next = reader.read();
  for (;;) {
    const page = await next;
    if (!page) break;
    if (readAhead) next = reader.read();
    const { visits, items, infusions, aes, events, lastRecordEvent, signatures } = page;
    const itemsByVisit = groupBy(items, (i) => i[ITEM.visitId]);
    const visitsBySubject = groupBy(visits, (v) => v.subject_id);
    const infusionsBySubject = groupBy(infusions, (i) => i.subject_id);
    const aesBySubject = groupBy(aes, (a) => a.subject_id);
    const infusionById = new Map(infusions.map((i) => [i.id, i]));
    for (const s of page.subjects) {
      const site = siteCode.get(s.site_id) ?? '';
      xml.ele('SubjectData', {
        SubjectKey: opts.pseudonymise ? s.pseudonym : s.subject_code,
        ...(withAudit ? { TransactionType: 'Upsert' } : {}),
      });
      xml.ele('SiteRef', { LocationOID: oid.location(site) }).up();
      const subjectValues: Record<string, string | null> = {
        SEX: s.sex,
        BIRTH_DATE: s.birth_date,
        DAY0_DATE: s.day0_date,
        STATUS: s.status,
      };
      xml.ele('StudyEventData', { StudyEventOID: oid.visit(SUBJECT_EVENT) });
      writeOwnForm(xml, SUBJECT_FORM, subjectValues, mo);
      const recordContext = { mo, day0: s.day0_date, site, withAudit, lastRecordEvent };
      const subjectInfusions = withoutInfusions ? [] : (infusionsBySubject.get(s.id) ?? []);
      if (!withoutInfusions)
        writeRecords(
          xml,
          INFUSION_FORM,
          subjectInfusions.map((r) => ({ id: r.id, values: infusionValues(r) })),
          recordContext,
          report,
        );
      report.infusions += subjectInfusions.length;
      const subjectAes = aesBySubject.get(s.id) ?? [];
      writeRecords(
        xml,
        AE_FORM,
        subjectAes.map((r) => {
          // A blinded export without infusion records names no infusion an event followed.
          const inf = r.infusion_id && !withoutInfusions ? infusionById.get(r.infusion_id) : undefined;
          return {
            id: r.id,
            values: aeValues(
              r,
              inf ? { cycle: Number(inf.cycle), number: Number(inf.infusion_number) } : undefined,
            ),
          };
        }),
        recordContext,
        report,
      );
      report.adverseEvents += subjectAes.length;
      xml.up();
      const rank = (code: string) => visitRank.get(code) ?? meta.visits.length;
      const subjectVisits = (visitsBySubject.get(s.id) ?? []).sort(
        (a, b) => rank(a.visit_code) - rank(b.visit_code) || Number(a.cycle) - Number(b.cycle),
      );
      const history: HistoryContext = {
        withAudit,
        day0: s.day0_date,
        locationRef: `<LocationRef LocationOID="${escAttr(oid.location(site))}"/>`,
        units: meta.units,
        events,
        // ItemData sits in ODM > ClinicalData > SubjectData > StudyEventData > FormData > ItemGroupData.
        indent: `\n${'  '.repeat(xml.depth + 3)}`,
      };
      for (const v of subjectVisits) {
        const def = meta.visits.find((x) => x.code === v.visit_code);
        xml.ele('StudyEventData', {
          StudyEventOID: oid.visit(v.visit_code),
          ...(def?.repeating !== false ? { StudyEventRepeatKey: String(v.cycle) } : {}),
        });
        writeOwnForm(
          xml,
          VISIT_FORM,
          { VISIT_DATE: v.visit_date, STUDY_DAY: nullableString(studyDay(v.visit_date, s.day0_date)) },
          mo,
        );
        // One FormData per form and record: a repeating form's records each with its FormRepeatKey
        // (the definition exports the form as a repeating FormDef, odm-metadata.ts).
        const byForm = groupBy(
          itemsByVisit.get(v.id) ?? [],
          (i) => `${i[ITEM.formCode]}\u0000${i[ITEM.record]}`,
        );
        const formKeys = [...byForm.keys()]
          .map((key) => {
            const rows = byForm.get(key)!;
            return { key, formCode: rows[0]![ITEM.formCode], record: rows[0]![ITEM.record] };
          })
          .sort(
            (a, b) =>
              (formRank.get(a.formCode) ?? meta.forms.size) - (formRank.get(b.formCode) ?? meta.forms.size) ||
              a.record - b.record,
          );
        for (const { key, formCode, record } of formKeys) {
          const rows = byForm.get(key)!;
          const plan = plans.get(formCode);
          if (blind?.forms.has(formCode)) {
            report.blindedValues += rows.length;
            continue;
          }
          if (!plan) {
            report.skippedValues += rows.length;
            continue;
          }
          xml.ele('FormData', {
            FormOID: oid.form(formCode),
            ...(record > 1 || repeatingForms.has(formCode) ? { FormRepeatKey: String(record) } : {}),
          });
          const signed = signatures.get(`${v.id}|${formCode}|${record}`);
          if (signed) writeSignature(xml, signed, site, signatureDefs);
          xml.ele('ItemGroupData', { ItemGroupOID: oid.itemGroup(formCode) });
          // Each value in its item's slot, written in the form's item order.
          const slots: (ItemRow | undefined)[] = new Array(plan.items.length);
          for (const r of rows) {
            const i = plan.slot.get(r[ITEM.itemCode]);
            if (i !== undefined) slots[i] = r;
            else if (blind?.items.has(`${formCode}/${r[ITEM.itemCode]}`)) report.blindedValues++;
            // Values of items the catalog no longer defines (or free text left out) are not exported.
            else if (!plan.defined.has(r[ITEM.itemCode])) report.skippedValues++;
          }
          let text = '';
          for (let i = 0; i < slots.length; i++) {
            const row = slots[i];
            if (row === undefined) continue;
            report.itemValues++;
            if (withAudit) report.auditRecords += 1 + (events.laterOf(row[ITEM.id])?.length ?? 0);
            text += itemDataText(row, plan.items[i]!, history);
          }
          xml.children(text);
          xml.up().up();
        }
        xml.up();
      }
      xml.up();
      report.subjects++;
      // Hand the text over as it grows (1 MB), not once per page: a page's XML as small strings
      // cost ~100 MB of heap at 300 values a subject (bench/exchange.bench.ts).
      await stream.maybeFlush();
    }
    opts.onProgress?.(report.subjects, totalSubjects);
    await stream.flush();
    if (!readAhead) next = reader.read();
  }
  xml.up(); // ClinicalData
  xml.up(); // ODM
  xml.end();
  await stream.flush();
  report.bytes = stream.written;
  return report;
}

/** A signed form's signature (ODM 1.3.2 Signature): who, at which site, with which meaning, when. */
function writeSignature(
  xml: XmlWriter,
  s: SignatureRow,
  site: string,
  defs: ReadonlyMap<string, string>,
): void {
  xml.ele('Signature');
  xml.ele('UserRef', { UserOID: oid.user(s.username) }).up();
  xml.ele('LocationRef', { LocationOID: oid.location(site) }).up();
  xml.ele('SignatureRef', { SignatureOID: defs.get(meaningOf(s)) ?? oid.signatureDef(0) }).up();
  xml.ele('DateTimeStamp').txt(s.signed_at).up();
  xml.up();
}

/** Who signed a form, when and with which meaning (form_instances, migration 009). */
interface SignatureRow {
  visit_id: string;
  form_code: string;
  username: string;
  signed_at: string;
  signature_meaning: string | null;
}
const meaningOf = (s: { signature_meaning: string | null }) => s.signature_meaning ?? 'meaning not recorded';

/**
 * AdminData: the users who wrote or signed (Transactional files), the sites, and one SignatureDef
 * per meaning of a signature given in the study. Returns the SignatureDef OIDs by meaning.
 */
async function writeAdminData(
  db: Db,
  xml: XmlWriter,
  meta: ExchangeMetadata,
  withUsers: boolean,
): Promise<Map<string, string>> {
  const sites = await db.kysely
    .selectFrom('sites')
    .select(['code', 'name', 'created_at'])
    .where('study_id', '=', meta.studyId)
    .orderBy('code')
    .execute();
  xml.ele('AdminData', { StudyOID: oid.study(meta.studyCode) });
  if (withUsers) {
    // Everyone who entered or changed a value of this study, as the audit trail names them.
    const users = await db.kysely
      .selectFrom('audit_events')
      .leftJoin('users', 'users.id', 'audit_events.actor_id')
      .select(['audit_events.actor_name', 'users.display_name'])
      .where('audit_events.study_id', '=', meta.studyId)
      // 'form': signers (form.sign), besides those who created forms by entering values.
      .where('audit_events.entity_type', 'in', ['item', 'form', 'infusion', 'adverse event'])
      .groupBy(['audit_events.actor_name', 'users.display_name'])
      .orderBy('audit_events.actor_name')
      .execute();
    const seen = new Set<string>();
    for (const u of users) {
      if (seen.has(u.actor_name)) continue;
      seen.add(u.actor_name);
      xml.ele('User', { OID: oid.user(u.actor_name) });
      xml.ele('LoginName').txt(u.actor_name).up();
      if (u.display_name) {
        xml.ele('DisplayName').txt(u.display_name).up();
        // The printed name a signature shows (21 CFR 11.50(a)(1)).
        xml.ele('FullName').txt(u.display_name).up();
      }
      xml.up();
    }
  }
  for (const s of sites) {
    xml.ele('Location', { OID: oid.location(s.code), Name: s.name, LocationType: 'Site' });
    xml
      .ele('MetaDataVersionRef', {
        StudyOID: oid.study(meta.studyCode),
        MetaDataVersionOID: oid.metaDataVersion(meta.definitionVersion),
        EffectiveDate: s.created_at.slice(0, 10),
      })
      .up();
    xml.up();
  }
  const defs = new Map<string, string>();
  if (withUsers) {
    const meanings = await db.kysely
      .selectFrom('form_instances')
      .innerJoin('subjects', 'subjects.id', 'form_instances.subject_id')
      .select('form_instances.signature_meaning')
      .where('subjects.study_id', '=', meta.studyId)
      .where('form_instances.signed_at', 'is not', null)
      .groupBy('form_instances.signature_meaning')
      .orderBy('form_instances.signature_meaning')
      .execute();
    for (const m of meanings) {
      const meaning = meaningOf(m);
      if (defs.has(meaning)) continue;
      const defOid = oid.signatureDef(defs.size + 1);
      defs.set(meaning, defOid);
      xml.ele('SignatureDef', { OID: defOid, Methodology: 'Electronic' });
      xml.ele('Meaning').txt(meaning).up();
      xml
        .ele('LegalReason')
        .txt(
          'Electronic signature under 21 CFR Part 11 (11.50, 11.100(c)): the legally binding equivalent of the signer’s handwritten signature',
        )
        .up();
      xml.up();
    }
  }
  xml.up();
  return defs;
}

function writeOwnForm(
  xml: XmlWriter,
  form: FormDefinitionItems,
  values: Record<string, string | null>,
  mo: MetadataOptions,
): void {
  const present = exportedItems(form, mo).filter((i) => values[i.code] != null);
  if (present.length === 0) return;
  xml.ele('FormData', { FormOID: oid.form(form.formCode) });
  xml.ele('ItemGroupData', { ItemGroupOID: oid.itemGroup(form.formCode) });
  for (const it of present)
    xml.ele('ItemData', { ItemOID: oid.item(form.formCode, it.code), Value: values[it.code]! }).up();
  xml.up().up();
}

/**
 * Infusions or adverse events of one subject: one repeating ItemGroupData each (ItemGroupRepeatKey =
 * ordinal), with an AuditRecord of the record's last write in Transactional files.
 */
function writeRecords(
  xml: XmlWriter,
  form: FormDefinitionItems,
  records: { id: string; values: Record<string, string | null> }[],
  c: {
    mo: MetadataOptions;
    day0: string | null;
    site: string;
    withAudit: boolean;
    lastRecordEvent: Map<string, RecordEvent>;
  },
  report: OdmExportReport,
): void {
  if (records.length === 0) return;
  const items = exportedItems(form, c.mo);
  xml.ele('FormData', { FormOID: oid.form(form.formCode) });
  records.forEach((r, i) => {
    xml.ele('ItemGroupData', {
      ItemGroupOID: oid.itemGroup(form.formCode),
      ItemGroupRepeatKey: String(i + 1),
    });
    const last = c.withAudit ? c.lastRecordEvent.get(r.id) : undefined;
    if (last) {
      report.auditRecords++;
      xml.ele('AuditRecord');
      xml.ele('UserRef', { UserOID: oid.user(last.actor_name) }).up();
      xml.ele('LocationRef', { LocationOID: oid.location(c.site) }).up();
      xml.ele('DateTimeStamp').txt(last.at).up();
      if (last.reason) xml.ele('ReasonForChange').txt(last.reason).up();
      xml.up();
    }
    for (const it of items) {
      let value = r.values[it.code] ?? null;
      if (value !== null && it.type === 'date' && c.mo.studyDays)
        value = nullableString(studyDay(value, c.day0));
      if (value === null) continue;
      xml.ele('ItemData', { ItemOID: oid.item(form.formCode, it.code), Value: value }).up();
    }
    xml.up();
  });
  xml.up();
}

function groupBy<T>(rows: T[], key: (r: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = m.get(k);
    if (list) list.push(r);
    else m.set(k, [r]);
  }
  return m;
}

interface Page {
  subjects: SubjectTable[];
  visits: VisitTable[];
  items: ItemRow[];
  infusions: InfusionTable[];
  aes: AdverseEventTable[];
  events: ItemEvents;
  /** The last audit event of each infusion and adverse event: who last wrote it, when and why. */
  lastRecordEvent: Map<string, RecordEvent>;
  /** Signed forms by `visitId|formCode` (Transactional files only). */
  signatures: Map<string, SignatureRow>;
}

/**
 * Reads the subjects a page at a time on their code (a stable key), each page with its visits,
 * items, infusions, adverse events and audit events. The two big reads (items and audit events: ~900
 * rows a subject in the demo trial) come as arrays, not objects: on SQLite from a prepared
 * better-sqlite3 statement in raw mode (the same SQL Kysely compiles), which halved their cost.
 */
class PageReader {
  private after: string | undefined;
  private done = false;
  private readonly statements = new Map<string, { all: (...params: unknown[]) => unknown[] }>();
  // Pseudonymised files list subjects in pseudonym order: in code order (site, enrolment number)
  // their positions would map each pseudonym back to its code (issue 17, Medium 3).
  private readonly key: 'pseudonym' | 'subject_code';

  constructor(
    private readonly db: Db,
    private readonly studyId: string,
    private readonly opts: OdmExportOptions,
    private readonly withAudit: boolean,
    private readonly pageSize: number,
  ) {
    this.key = opts.pseudonymise ? 'pseudonym' : 'subject_code';
  }

  /** The next page, or null after the last. Call again only once the previous call has resolved its subjects. */
  async read(): Promise<Page | null> {
    if (this.done) return null;
    const { db, opts, key } = this;
    let q = db.kysely.selectFrom('subjects').selectAll().where('study_id', '=', this.studyId);
    if (opts.siteIds) q = q.where('site_id', 'in', opts.siteIds.length ? opts.siteIds : ['']);
    if (this.after !== undefined) q = q.where(key, '>', this.after);
    const subjects = await q.orderBy(key).limit(this.pageSize).execute();
    if (subjects.length === 0) {
      this.done = true;
      return null;
    }
    this.after = subjects[subjects.length - 1]![key];
    const ids = subjects.map((s) => s.id);
    const [visits, items, infusions, aes, audit, signed] = await Promise.all([
      db.kysely
        .selectFrom('visits')
        .selectAll()
        .where('subject_id', 'in', ids)
        .orderBy('subject_id')
        .orderBy('cycle')
        .orderBy('visit_code')
        .execute(),
      this.rows(
        db.kysely
          .selectFrom('item_values')
          .innerJoin('form_instances', 'form_instances.id', 'item_values.form_instance_id')
          // Through visits, whose (subject_id, visit_code, cycle) key indexes subject_id.
          .innerJoin('visits', 'visits.id', 'form_instances.visit_id')
          .leftJoin('users', 'users.id', 'item_values.updated_by')
          .select([
            'item_values.id',
            'form_instances.visit_id',
            'form_instances.form_code',
            'item_values.item_code',
            'item_values.value',
            'item_values.unit',
            'item_values.updated_at',
            'users.username as updated_by_name',
            'item_values.missing_code',
            'form_instances.record',
          ])
          .where('visits.subject_id', 'in', ids),
        (r): ItemRow => [
          r.id,
          r.visit_id,
          r.form_code,
          r.item_code,
          r.value,
          r.unit,
          r.updated_at,
          r.updated_by_name,
          r.missing_code,
          Number(r.record),
        ],
      ),
      db.kysely
        .selectFrom('infusions')
        .selectAll()
        .where('subject_id', 'in', ids)
        .orderBy('subject_id')
        .orderBy('cycle')
        .orderBy('infusion_number')
        .orderBy('id')
        .execute(),
      db.kysely
        .selectFrom('adverse_events')
        .selectAll()
        .where('subject_id', 'in', ids)
        .orderBy('subject_id')
        .orderBy('onset_date')
        .orderBy('term')
        .orderBy('id')
        .execute(),
      this.withAudit
        ? this.rows(
            // Filtered on entity type here, not in SQL: with it in the WHERE clause SQLite picks the
            // (entity_type, entity_id) index and scans every item event of the database for each page.
            db.kysely
              .selectFrom('audit_events')
              .select(['entity_id', 'entity_type', 'at', 'actor_name', 'new_value', 'reason'])
              .where('subject_id', 'in', ids)
              .orderBy('seq'),
            (r): AuditRow => [r.entity_id, r.entity_type, r.at, r.actor_name, r.new_value, r.reason],
          )
        : Promise.resolve([] as AuditRow[]),
      this.withAudit
        ? db.kysely
            .selectFrom('form_instances')
            .innerJoin('visits', 'visits.id', 'form_instances.visit_id')
            .innerJoin('users', 'users.id', 'form_instances.signed_by')
            .select([
              'form_instances.visit_id',
              'form_instances.form_code',
              'form_instances.record',
              'users.username',
              'form_instances.signed_at',
              'form_instances.signature_meaning',
            ])
            .where('visits.subject_id', 'in', ids)
            .where('form_instances.signed_at', 'is not', null)
            .execute()
        : Promise.resolve([]),
    ]);
    const signatures = new Map<string, SignatureRow>();
    for (const s of signed)
      if (s.signed_at)
        signatures.set(`${s.visit_id}|${s.form_code}|${Number(s.record)}`, { ...s, signed_at: s.signed_at });
    const events = new ItemEvents();
    const lastRecordEvent = new Map<string, RecordEvent>();
    for (const r of audit) {
      const type = r[AUDIT.entityType];
      if (type === 'item') events.add(r);
      else if (type === 'infusion' || type === 'adverse event')
        lastRecordEvent.set(r[AUDIT.entityId], {
          at: r[AUDIT.at],
          actor_name: r[AUDIT.actorName],
          reason: r[AUDIT.reason],
        });
    }
    return { subjects, visits, items, infusions, aes, events, lastRecordEvent, signatures };
  }

  /** A query's rows as arrays of its selected columns, in order. */
  private async rows<O, R extends unknown[]>(
    query: { compile(): { sql: string; parameters: readonly unknown[] }; execute(): Promise<O[]> },
    toRow: (r: O) => R,
  ): Promise<R[]> {
    const sqlite = this.db.sqlite;
    if (!sqlite) return (await query.execute()).map(toRow);
    const { sql, parameters } = query.compile();
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = sqlite.prepare(sql).raw(true);
      this.statements.set(sql, statement);
    }
    return statement.all(...parameters) as R[];
  }
}
