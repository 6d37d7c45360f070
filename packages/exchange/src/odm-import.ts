// CDISC ODM import: msct's own export (round trip) and ODM from another system, whose items map to
// msct's by OID (msct's OIDs are I.<form>.<item>; other systems' are mapped with `oidMap`). The file
// is parsed once: every value is checked as at entry and every problem listed (row = the ItemData's
// ordinal, column = its ODM path), and each SubjectData, reduced to what is written (the last version
// of each value, no audit records), is spooled as one JSON line to a temporary file. Only if the whole
// file is valid (or the caller asked to skip invalid values) is that spool read back and written in one
// transaction: what is written is exactly what was checked, and the XML (most of it audit records) is
// not parsed a second time. A source that can be opened again (a function) is read again first and
// its bytes must hash as in the check: a file that changed in between is refused, nothing written.
// Memory holds one SubjectData at a time (odm-reader.ts). Of a value's history (Transactional files) the
// last ItemData is the value imported; msct's own audit trail records the import. Infusions and
// adverse events (F.INFUSION, F.AE) are written through the store's repositories, with their audit.
// One file per step: odm-reader.ts (parse), odm-subject.ts (reduce), odm-subject-check.ts (check),
// odm-spool.ts (spool), odm-subject-write.ts (records and new subjects); this file runs them.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { type Actor, type Db, ItemWriter, inTransaction, StoreError } from '@msct/store';
import { addProblem, emptyReport, type ImportReport, subjectIndex } from './import-check.js';
import { OdmSyntaxError, readOdm } from './odm-reader.js';
import { openSpool } from './odm-spool.js';
import { reduceSubject } from './odm-subject.js';
import { type CheckContext, checkSubject, subjectRefFor } from './odm-subject-check.js';
import { createImportedSubject, type RecordCounts, writeRecords } from './odm-subject-write.js';
import { loadMetadata } from './study-metadata.js';

export type { RecordCounts } from './odm-subject-write.js';

export interface OdmImportOptions {
  actor: Actor;
  dryRun?: boolean;
  skipInvalid?: boolean;
  /** ItemOID → `form.item` for files from other systems; StudyEventOID → visit code likewise. */
  oidMap?: Record<string, string>;
  reason?: string;
}

/**
 * The XML text itself, a function opening a stream (e.g. `() => createReadStream(path)`), or a
 * one-shot stream. Each is read once.
 */
export type OdmSource = string | Readable | (() => Readable);

export interface OdmImportReport extends ImportReport {
  /** Subjects of the file that the study did not have (created with the file's subject key). */
  subjectsCreated: number;
  infusions: RecordCounts;
  adverseEvents: RecordCounts;
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
  };
  const meta = await loadMetadata(db, studyId);
  const known = await subjectIndex(db, studyId);
  const sites = new Map(
    (
      await db.kysely.selectFrom('sites').select(['id', 'code']).where('study_id', '=', studyId).execute()
    ).map((s) => [s.code, s.id]),
  );
  const units = new Map<string, string>();
  const locations = new Map<string, string>();
  const ctx: CheckContext = { db, meta, known, sites, locations };
  const spool = await openSpool();
  try {
    // The only read: check every subject as it closes and spool what will be written.
    const checkedDigest = createHash('sha256');
    const read = await readSafely(report, () =>
      readOdm(open(input), {
        units,
        locations,
        onChunk: (c) => {
          checkedDigest.update(c);
        },
        onSubject: async (raw) => {
          const s = reduceSubject(raw, units, opts.oidMap);
          report.values += s.values.size + s.records.reduce((n, r) => n + Object.keys(r.values).length, 0);
          const problems = await checkSubject(ctx, s);
          report.invalidRows += new Set(problems.map((p) => p.row)).size;
          for (const p of problems) addProblem(report, p);
          if (!opts.dryRun) await spool.write(s);
        },
      }),
    );
    await spool.end();
    if (!read) return report;
    report.rows = read.itemData;
    if (!read.hasRoot) {
      addProblem(report, {
        row: 0,
        column: 'ODM',
        rule: 'row-malformed',
        message: 'the file has no ODM root element',
      });
      return report;
    }
    if (opts.dryRun || (report.invalidRows > 0 && !opts.skipInvalid)) return report;

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

    // Then, in one transaction: write each spooled subject.
    const allValid = report.invalidRows === 0;
    const reason = opts.reason ?? 'imported from ODM';
    const counts = await inTransaction(db, opts.actor, async (tx) => {
      const writer = ItemWriter.forImport(tx, studyId, reason);
      const txCtx: CheckContext = { ...ctx, db: tx };
      const ids = new Map(known);
      for await (const s of spool.read()) {
        // Every value passed its check above; only when invalid values are skipped is each subject
        // judged again (inside the transaction, against what it has written so far).
        const invalid = allValid
          ? new Set<number>()
          : new Set((await checkSubject(txCtx, s)).map((p) => p.row));
        let ref = ids.get(s.key);
        if (!ref) {
          if (!subjectRefFor(ctx, s)) continue;
          ref = await createImportedSubject(tx, opts.actor, studyId, s, sites, locations);
          ids.set(s.key, ref);
          report.subjectsCreated++;
        }
        for (const v of s.values.values()) {
          if (invalid.has(v.row)) continue;
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
        const valid = s.records.filter(
          (r) => !Object.values(r.at).some((a) => invalid.has(a.row)) && !invalid.has(r.row),
        );
        await writeRecords(tx, opts.actor, ref.id, valid, reason, report);
      }
      await writer.flush();
      return writer.counts;
    });
    return { ...report, ...counts, written: true };
  } finally {
    await spool.cleanup();
  }
}

/** Runs the first read; a syntax error (malformed XML, DOCTYPE) becomes a problem with its position. */
async function readSafely<T>(report: ImportReport, read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (e) {
    if (!(e instanceof OdmSyntaxError)) throw e;
    report.invalidRows++;
    addProblem(report, {
      row: 0,
      column: `line ${e.line}, column ${e.column}`,
      rule: e.rule,
      message: e.message,
    });
    return undefined;
  }
}

const CHUNK = 1 << 16;

function open(input: OdmSource): AsyncIterable<string | Buffer> {
  if (typeof input === 'function') return input();
  if (typeof input !== 'string') return input;
  return (async function* () {
    for (let i = 0; i < input.length; i += CHUNK) yield input.slice(i, i + CHUNK);
  })();
}
