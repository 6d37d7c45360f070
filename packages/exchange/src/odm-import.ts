// CDISC ODM import: msct's own export (round trip) and ODM from another system, whose items map to
// msct's by OID (msct's OIDs are I.<form>.<item>; other systems' are mapped with `oidMap`). The file
// is parsed once: every value is checked as at entry and every problem listed (row = the ItemData's
// ordinal, column = its ODM path), and each SubjectData, reduced to what is written (the last version
// of each value, no audit records), is spooled as one JSON line to a temporary file. Only if the whole
// file is valid (or the caller asked to skip invalid values) is that spool read back and written in one
// transaction that is kept; otherwise (and for a dry run) the same write runs and is rolled back, so
// its rules (signed or locked forms, missed visits) are applied to every run. What is written is exactly
// what was checked, and the XML (most of it audit records) is not parsed a second time. A source that can be opened again (a function) is read again first and
// its bytes must hash as in the check: a file that changed in between is refused, nothing written.
// Memory holds one SubjectData at a time (odm-reader.ts). Of a value's history (Transactional files) the
// last ItemData is the value imported; msct's own audit trail records the import. Infusions and
// adverse events (F.INFUSION, F.AE) are written through the store's repositories, with their audit.
// One file per step: odm-reader.ts (parse), odm-subject.ts (reduce), odm-subject-check.ts (check),
// odm-spool.ts (spool), odm-subject-write.ts (records and new subjects); this file runs them.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  type Actor,
  type Db,
  DEATH_RECORD_FORM,
  ItemWriter,
  raiseDeathRecordQueries,
  StoreError,
} from '@msct/store';
import {
  addProblem,
  emptyReport,
  type ImportProblem,
  type ImportReport,
  MAX_LISTED_PROBLEMS,
  refusalRule,
  subjectIndex,
  writeOrRollBack,
} from './import-check.js';
import { OdmSyntaxError, readOdm } from './odm-reader.js';
import { AE_FORM } from './odm-records.js';
import { openSpool } from './odm-spool.js';
import { reduceSubject } from './odm-subject.js';
import { type CheckContext, checkSubject, SUBJECT_KEY_COLUMN, subjectRefFor } from './odm-subject-check.js';
import { createImportedSubject, type RecordCounts, writeRecords } from './odm-subject-write.js';
import { convertUnits, type UnitDropped } from './odm-units.js';
import { loadMetadata } from './study-metadata.js';

export type { RecordCounts } from './odm-subject-write.js';

export interface OdmImportOptions {
  actor: Actor;
  dryRun?: boolean;
  skipInvalid?: boolean;
  /** ItemOID → `form.item` for files from other systems; StudyEventOID → visit code likewise. */
  oidMap?: Record<string, string>;
  /**
   * ItemOID → the unit of its values when neither the value (MeasurementUnitOID) nor the file's
   * ItemDef (MeasurementUnitRef) says it (the mapping's `{ item, unit }`, odm-mapping.ts).
   */
  itemUnits?: Record<string, string>;
  /** Leave out the ItemData of items neither mapped nor msct's own, each listed in `skipped`. */
  skipUnmapped?: boolean;
  /** The file's site (SiteRef LocationOID, REDCap data access group) → msct site code. */
  sites?: Record<string, string>;
  /** The msct site of subjects the file gives no site. */
  defaultSite?: string;
  /** Create the subjects the study lacks, with the file's subject key as their code (audited). */
  createSubjects?: boolean;
  /** Create the sites the study lacks (the admin's consent), coded as the file (or mapping) says. */
  createSites?: boolean;
  /** The file's name, for the messages about the file as a whole. */
  sourceName?: string;
  reason?: string;
}

/**
 * The XML text itself, its bytes (decoded as the file declares), a function opening a stream (e.g. `() => createReadStream(path)`), or a
 * one-shot stream. Each is read once.
 */
export type OdmSource = string | Buffer | Readable | (() => Readable);

export interface OdmImportReport extends ImportReport {
  /** Subjects of the file that the study did not have (created with the file's subject key). */
  subjectsCreated: number;
  infusions: RecordCounts;
  adverseEvents: RecordCounts;
  /** ItemData left out on purpose (`skipUnmapped`), each with its row, path and why. */
  skipped: ImportProblem[];
  skippedNotListed: number;
  /** Values whose unit was converted to one the item accepts (core convertUnit). */
  unitsConverted: number;
  /**
   * Units dropped from the values of items that take none (odm-units.ts itemUnitRule: the rule the
   * definition conversion applied to the item), once per item and unit, with how many values.
   */
  unitsDropped: UnitDropped[];
  /** Sites the import created (`createSites`). */
  sitesCreated: number;
  /** What became of every ItemData of the file; the counts add up to `itemData`. */
  accounting: ItemDataAccounting;
}

/**
 * Every ItemData of the file, accounted for once: imported; withheld (valid, but the import was a dry
 * run or refused as a whole); superseded (an earlier version of a value the file gives again, the
 * last counts: ODM Transactional files); skipped (left out on purpose, each in `skipped` with why);
 * refused (each in `problems` with the rule it breaks).
 */
export interface ItemDataAccounting {
  itemData: number;
  imported: number;
  withheld: number;
  superseded: number;
  skipped: number;
  refused: number;
}

export async function importOdm(
  db: Db,
  studyId: string,
  input: OdmSource,
  opts: OdmImportOptions,
): Promise<OdmImportReport> {
  const report: OdmImportReport = {
    ...emptyReport(!!opts.dryRun),
    subjectsCreated: 0,
    infusions: { entered: 0, changed: 0, unchanged: 0 },
    adverseEvents: { entered: 0, changed: 0, unchanged: 0 },
    skipped: [],
    skippedNotListed: 0,
    unitsConverted: 0,
    unitsDropped: [],
    sitesCreated: 0,
    accounting: { itemData: 0, imported: 0, withheld: 0, superseded: 0, skipped: 0, refused: 0 },
  };
  const skip = (p: ImportProblem) => {
    if (report.skipped.length < MAX_LISTED_PROBLEMS) report.skipped.push(p);
    else report.skippedNotListed++;
  };
  const meta = await loadMetadata(db, studyId);
  // The study's repeating forms: each instance of one in the file is its own record (issues #20, #23).
  const repeatingForms = new Set((meta.definition.forms ?? []).filter((f) => f.repeating).map((f) => f.id));
  const known = await subjectIndex(db, studyId);
  const sites = new Map(
    (
      await db.kysely.selectFrom('sites').select(['id', 'code']).where('study_id', '=', studyId).execute()
    ).map((s) => [s.code, s.id]),
  );
  const units = new Map<string, string>();
  const locations = new Map<string, string>();
  // The file's ItemDef units (ItemOID → MeasurementUnitOID), read with its metadata.
  const itemDefUnits = new Map<string, string>();
  let itemUnits: Map<string, string> | undefined;
  // Every unit of each ItemDef (ItemOID → MeasurementUnitOIDs), and by name.
  const itemDeclaredUnits = new Map<string, string[]>();
  let declaredUnits: Map<string, string[]> | undefined;
  const unitsDropped = new Map<string, UnitDropped>();
  const ctx: CheckContext = {
    db,
    meta,
    known,
    sites,
    locations,
    ...(opts.createSubjects ? { createSubjects: true } : {}),
    ...(opts.createSites ? { createSites: true } : {}),
  };
  const spool = await openSpool();
  try {
    // The only read: check every subject as it closes and spool what will be written.
    const checkedDigest = createHash('sha256');
    const read = await readSafely(report, () =>
      readOdm(open(input), {
        units,
        locations,
        itemUnits: itemDefUnits,
        itemDeclaredUnits,
        onChunk: (c) => {
          checkedDigest.update(c);
        },
        onSubject: async (raw) => {
          // The unit of values that carry none: the file's ItemDef (by its MeasurementUnit's name), then
          // the mapping's. The metadata precedes ClinicalData, so it is complete at the first subject.
          itemUnits ??= new Map([
            ...Object.entries(opts.itemUnits ?? {}),
            ...[...itemDefUnits].map(([item, u]) => [item, units.get(u) ?? u] as [string, string]),
          ]);
          declaredUnits ??= new Map(
            [...itemDeclaredUnits].map(([item, us]) => [item, us.map((u) => units.get(u) ?? u)]),
          );
          const s = reduceSubject(raw, units, opts.oidMap, {
            itemUnits,
            declaredUnits,
            repeatingForms,
            ...(opts.skipUnmapped ? { skipUnmapped: true } : {}),
            ...(opts.sites ? { sites: opts.sites } : {}),
            ...(opts.defaultSite ? { defaultSite: opts.defaultSite } : {}),
          });
          for (const u of s.unmapped)
            skip({
              row: u.row,
              column: u.column,
              rule: 'item-unmapped',
              message: `ItemOID ${u.itemOid} is not in the mapping: skipped (--skip-unmapped)`,
            });
          for (const u of s.skippedRows)
            skip({ row: u.row, column: u.column, rule: 'item-skipped', message: u.why });
          report.accounting.skipped += s.unmapped.length + s.skippedRows.length;
          report.accounting.superseded += s.superseded;
          report.unitsConverted += convertUnits(meta, s, unitsDropped);
          report.values +=
            s.values.size +
            s.records.reduce((n, r) => n + Object.keys(r.values).length, 0) +
            s.repeats.reduce((n, r) => n + r.values, 0);
          const problems = await checkSubject(ctx, s);
          report.invalidRows += new Set(problems.map((p) => p.row)).size;
          for (const p of problems) addProblem(report, p);
          await spool.write(s);
        },
      }),
    );
    await spool.end();
    report.unitsDropped = [...unitsDropped.values()];
    if (!read) return report;
    report.rows = read.itemData;
    report.accounting.itemData = read.itemData;
    if (!read.hasRoot) {
      addProblem(report, {
        row: 0,
        column: 'ODM',
        rule: 'row-malformed',
        message: 'the file has no ODM root element',
      });
      return report;
    }
    if (!read.hasClinicalData) {
      // A Define-XML or metadata-only ODM file: refused as such, not "0 values imported".
      report.invalidRows++;
      addProblem(report, {
        row: 0,
        column: 'ODM/ClinicalData',
        rule: 'no-clinical-data',
        message: `no clinical data in ${opts.sourceName ?? 'the file'}: it has no ClinicalData element (metadata only, e.g. Define-XML); nothing to import`,
      });
      return report;
    }

    if (typeof input === 'function') {
      // The caller's file may have changed since the check: it must still be the bytes checked.
      const digest = createHash('sha256');
      for await (const c of input()) digest.update(c as string | Buffer);
      if (digest.digest('hex') !== checkedDigest.digest('hex'))
        throw new StoreError(
          'conflict',
          'the file changed between its check and its import: nothing was imported; import it again',
        );
    }

    // Then, in one transaction: write each spooled subject. A dry run, and an import refused for its
    // problems, run this same write and roll it back: every rule the write applies (a signed or locked
    // form, a missed visit) is applied to them too, and all problems come in one report.
    const checkedValid = report.invalidRows === 0;
    const reason = opts.reason ?? 'imported from ODM';
    const keep = () => !opts.dryRun && (report.invalidRows === 0 || !!opts.skipInvalid);
    /** ItemData the write takes (imported if the write is kept), and those left out with a refused subject. */
    let taken = 0;
    let withheld = 0;
    /** Subjects whose AEs or end-of-study form the import writes: their death records are checked after it. */
    const deathRecords = new Set<string>();
    const outcome = await writeOrRollBack(db, opts.actor, keep, async (tx) => {
      const writer = ItemWriter.forImport(tx, studyId, reason);
      const txCtx: CheckContext = { ...ctx, db: tx };
      const ids = new Map(known);
      for await (const s of spool.read()) {
        // Every value passed its check above; only when some did not is each subject judged again
        // (inside the transaction, against what it has written so far) to leave those out.
        const problems = checkedValid ? [] : await checkSubject(txCtx, s);
        const invalid = new Set(problems.map((p) => p.row));
        const keyRefused = problems.some((p) => p.column === SUBJECT_KEY_COLUMN);
        // The subject's ItemData, each accounted for below (unmapped and superseded ones already are).
        const left = new Map<number, string>();
        for (const v of s.values.values()) left.set(v.row, v.column);
        for (const r of s.records) for (const a of Object.values(r.at)) left.set(a.row, a.column);
        for (const a of Object.values(s.factAt)) left.set(a.row, a.column);
        for (const a of Object.values(s.dateAt)) left.set(a.row, a.column);
        for (const r of s.repeats) for (const row of r.rows) left.set(row, r.column);
        const refuse = (row: number) => {
          if (left.delete(row)) report.accounting.refused++;
        };
        for (const row of invalid) refuse(row);
        for (const r of s.repeats) for (const row of r.rows) refuse(row);
        const skipRest = (why: string) => {
          for (const [row, column] of left) skip({ row, column, rule: 'item-skipped', message: why });
          report.accounting.skipped += left.size;
          left.clear();
        };
        let ref = ids.get(s.key);
        const values = [...s.values.values()].filter((v) => !invalid.has(v.row));
        const records = s.records.filter(
          (r) => !Object.values(r.at).some((a) => invalid.has(a.row)) && !invalid.has(r.row),
        );
        // A record with a refused value is refused whole.
        for (const r of s.records)
          if (!records.includes(r)) for (const a of Object.values(r.at)) refuse(a.row);
        const facts = Object.entries(s.facts).filter(([item]) => !invalid.has(s.factAt[item]!.row));
        let created = false;
        if (!ref) {
          // A subject is created only for what of it is imported: not for a row left out.
          if (!subjectRefFor(ctx, s) || keyRefused) {
            for (const row of [...left.keys()]) refuse(row);
            continue;
          }
          if (values.length === 0 && records.length === 0 && facts.length === 0) {
            skipRest(`subject ${s.key}: nothing of it is imported, so it is not created`);
            continue;
          }
          const newSite = !!s.siteCode && !sites.has(s.siteCode);
          ref = await createImportedSubject(
            tx,
            opts.actor,
            studyId,
            s,
            Object.fromEntries(facts),
            sites,
            locations,
          );
          if (newSite) report.sitesCreated++;
          ids.set(s.key, ref);
          report.subjectsCreated++;
          created = true;
        }
        const writes = values.map((v) => ({
          row: v,
          value: {
            subjectId: ref.id,
            siteId: ref.siteId,
            visitCode: v.visit,
            cycle: Number(v.cycle),
            visitDate: s.visitDates.get(`${v.visit}|${v.cycle}`) ?? null,
            formCode: v.form,
            record: v.record ?? 1,
            itemCode: v.item,
            value: v.value,
            unit: v.unit,
            missingCode: v.missingCode ?? null,
          },
        }));
        // The write's own refusals, asked before anything of the subject's values is written.
        let refused = false;
        const writeRefused = new Set<number>();
        for (const w of writes) {
          const why = await writer.refusal(w.value);
          if (!why) continue;
          refused = true;
          writeRefused.add(w.row.row);
          refuse(w.row.row);
          report.invalidRows++;
          addProblem(report, {
            row: w.row.row,
            column: w.row.column,
            rule: refusalRule(why),
            message: why.message,
          });
        }
        // Branching logic (`item-hidden`) on the subject's forms as the rest of its values leave
        // them: listed at the row like the refusals above, not a refusal of the whole import.
        const candidates = writes.filter((w) => !writeRefused.has(w.row.row));
        const hidden = await writer.hiddenItemRefusals(candidates.map((w) => w.value));
        for (const [i, why] of hidden) {
          const w = candidates[i]!;
          refused = true;
          writeRefused.add(w.row.row);
          refuse(w.row.row);
          report.invalidRows++;
          addProblem(report, {
            row: w.row.row,
            // The spool keeps no ODM path (odm-spool.ts): the value is named by visit, form and item.
            column: w.row.column || `${w.row.visit}/${w.row.form}.${w.row.item}`,
            rule: refusalRule(why),
            message: why.message,
          });
        }
        // What the write takes of the subject: its values, records, the facts of a subject it
        // creates, and the dates of the visits it writes values at.
        const kept = writes.filter((w) => !writeRefused.has(w.row.row));
        const visitsWritten = new Set(kept.map((w) => `${w.row.visit}|${w.row.cycle}`));
        const take = [
          ...kept.map((w) => w.row.row),
          ...records.flatMap((r) => Object.values(r.at).map((a) => a.row)),
          ...(created ? facts.map(([item]) => s.factAt[item]!.row) : []),
          ...Object.entries(s.dateAt)
            .filter(([k]) => visitsWritten.has(k))
            .map(([, a]) => a.row),
        ];
        let takenHere = 0;
        for (const row of take) if (left.delete(row)) takenHere++;
        if (!created)
          for (const [item, a] of Object.entries(s.factAt))
            if (left.delete(a.row)) {
              skip({
                ...a,
                rule: 'item-skipped',
                message: `subject ${s.key} exists: an import does not change its subject record (${item})`,
              });
              report.accounting.skipped++;
            }
        skipRest('a visit date of a visit none of whose values is imported');
        if (refused && !opts.skipInvalid) {
          // Refused with its subject: valid, but not written.
          withheld += takenHere;
          continue;
        }
        taken += takenHere;
        for (const w of kept) {
          await writer.write(w.value);
          if (w.value.formCode === DEATH_RECORD_FORM) deathRecords.add(ref.id);
        }
        await writeRecords(tx, opts.actor, ref.id, records, reason, report);
        if (records.some((r) => r.form === AE_FORM)) deathRecords.add(ref.id);
      }
      await writer.finish();
      return writer.counts;
    });
    // Deaths recorded consistently (issue #21): the same system queries as an AE or form save raises.
    if (outcome.kept) await raiseDeathRecordQueries(db, studyId, [...deathRecords]);
    if (outcome.kept) report.accounting.imported += taken;
    else report.accounting.withheld += taken;
    report.accounting.withheld += withheld;
    if (!outcome.kept && !opts.dryRun)
      // Refused: nothing was written, and the counts of the rolled-back write are not reported.
      return { ...report, subjectsCreated: 0, sitesCreated: 0, ...zeroRecords };
    // A dry run reports what the write would have done.
    return { ...report, ...outcome.value, written: outcome.kept };
  } finally {
    await spool.cleanup();
  }
}

const zeroRecords = {
  infusions: { entered: 0, changed: 0, unchanged: 0 },
  adverseEvents: { entered: 0, changed: 0, unchanged: 0 },
};

/** Runs the first read; a syntax error (malformed XML, DOCTYPE) becomes a problem with its position. */
async function readSafely<T>(report: ImportReport, read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (e) {
    if (!(e instanceof OdmSyntaxError)) throw e;
    report.invalidRows++;
    addProblem(report, {
      row: 0,
      column: e.rule === 'encoding-invalid' ? `line ${e.line}` : `line ${e.line}, column ${e.column}`,
      rule: e.rule,
      message: e.message,
    });
    return undefined;
  }
}

const CHUNK = 1 << 16;

function open(input: OdmSource): AsyncIterable<string | Buffer> {
  if (typeof input === 'function') return input();
  if (Buffer.isBuffer(input))
    return (async function* () {
      for (let i = 0; i < input.length; i += CHUNK) yield input.subarray(i, i + CHUNK);
    })();
  if (typeof input !== 'string') return input;
  return (async function* () {
    for (let i = 0; i < input.length; i += CHUNK) yield input.slice(i, i + CHUNK);
  })();
}
