// `msct export` and `msct import`: CDISC ODM 1.3.2, SDTM-style CSVs, long and wide CSV, with a
// progress bar. Imports are checked whole before anything is written (--dry-run only checks).
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import { armRevealingOf } from '@msct/core/protocol';
import {
  exportOdm,
  exportSdtm,
  type FhirImportReport,
  type ImportReport,
  importCsv,
  importFhir,
  importOdm,
  type OdmImportReport,
  odmMetadataMapping,
  resolveFhirMapping,
  resolveOdmMapping,
  type WideMapping,
} from '@msct/exchange';
import { configFromEnv } from '@msct/server';
import { type Actor, type Db, openDatabase, studyDefinition } from '@msct/store';
import { SingleBar } from 'cli-progress';
import { resolveStudy } from './adjudicate.js';
import { armRevealingNames, cliBlinding } from './blinding.js';

const bar = (label: string) =>
  new SingleBar({
    format: `${label} [{bar}] {percentage}% | {value}/{total}`,
    hideCursor: true,
    clearOnComplete: true,
    stream: process.stderr,
  });

/** `msct export --format odm|sdtm --out PATH [--pseudonymise]`. */
export async function exportCommand(opts: {
  study?: string;
  format: 'odm' | 'sdtm';
  out: string;
  pseudonymise?: boolean;
  /** For a role the study blinds (issue 24; commands/blinding.ts). */
  blinded?: boolean;
}): Promise<void> {
  const db = openDatabase(configFromEnv().databaseUrl);
  try {
    const study = await resolveStudy(db, opts.study);
    const { definition } = await studyDefinition(db, study.id);
    const blinding = await cliBlinding(db, study.id, definition, opts.blinded);
    // A blinded export (as the server writes one for a blinded role): no arm (SDTM DM's arm variables
    // empty), and the forms and items the definition names as arm-revealing left out, with the
    // infusion records when the infusion form is one of them; the file's header says so.
    const blind = blinding.blinded ? armRevealingOf(definition) : undefined;
    if (blind) {
      const revealing = armRevealingNames(definition);
      console.error(
        `msct: blinded export (${blinding.because}): no arm${revealing.length ? `; left out as revealing the arm: ${revealing.join(', ')}` : ''}`,
      );
    }
    // A pseudonymised export is the statistician's view: dates become study days too.
    const deid = {
      ...(opts.pseudonymise ? ({ pseudonymise: true, shiftDates: 'study-day' } as const) : {}),
      ...(blind ? { blind } : {}),
    };
    if (opts.format === 'sdtm') {
      const r = await exportSdtm(db, study.id, opts.out, deid);
      for (const f of r.files)
        console.log(`${f.name.padEnd(12)} ${f.rows} ${f.name.startsWith('define.') ? 'variables' : 'rows'}`);
      console.log(`SDTM-style domains of ${study.code} written to ${opts.out}`);
      return;
    }
    const progress = bar('export');
    const out = createWriteStream(opts.out);
    let started = false;
    const r = await exportOdm(db, study.id, out, {
      ...deid,
      onProgress: (done, total) => {
        if (!started) progress.start(total, 0);
        started = true;
        progress.update(done);
      },
    });
    if (started) progress.stop();
    out.end();
    await finished(out);
    console.log(
      `${opts.out}: ${r.subjects} subjects, ${r.itemValues} values, ${r.infusions} infusions, ${r.adverseEvents} adverse events, ${r.auditRecords} audit records, ${(r.bytes / 1e6).toFixed(1)} MB` +
        (r.skippedValues ? ` (${r.skippedValues} values of forms without item definitions left out)` : '') +
        (r.blindedValues
          ? ` (${r.blindedValues} values of arm-revealing forms and items left out: blinded)`
          : ''),
    );
  } finally {
    await db.close();
  }
}

/**
 * The user the CLI writes as (imported values, `msct study amend`): MSCT_IMPORT_USER, or the first
 * active administrator.
 */
export async function importActor(db: Db): Promise<Actor> {
  const wanted = process.env.MSCT_IMPORT_USER;
  let q = db.kysely
    .selectFrom('users')
    .innerJoin('role_assignments', 'role_assignments.user_id', 'users.id')
    .select(['users.id', 'users.username'])
    .where('users.is_active', '=', 1);
  q = wanted ? q.where('users.username', '=', wanted) : q.where('role_assignments.role', '=', 'admin');
  const u = await q.orderBy('users.created_at').executeTakeFirst();
  if (!u)
    throw new Error(
      wanted
        ? `MSCT_IMPORT_USER: no active user "${wanted}"`
        : 'no active administrator to import as; set MSCT_IMPORT_USER',
    );
  return { id: u.id, name: u.username };
}

/** The ItemData left out on purpose, each with its row and path, and the units converted. */
function printSkipped(r: OdmImportReport): void {
  for (const p of r.skipped) console.log(`row ${p.row}, column ${p.column}: skipped: ${p.message}`);
  if (r.skippedNotListed) console.log(`… and ${r.skippedNotListed} more skipped`);
  const unmapped = r.skipped.filter((p) => p.rule === 'item-unmapped').length;
  if (unmapped > 0) console.log(`${unmapped} values skipped (not in the mapping)`);
  if (r.unitsConverted) console.log(`${r.unitsConverted} values converted to the item's unit`);
  for (const d of r.unitsDropped)
    console.log(`${d.item}: unit "${d.unit}" dropped from ${d.values} values (${d.why})`);
  if (r.subjectsCreated || r.sitesCreated)
    console.log(`${r.subjectsCreated} subjects and ${r.sitesCreated} sites created`);
  const a = r.accounting;
  console.log(
    `${a.itemData} ItemData: ${a.imported} imported, ${a.withheld} valid but not written, ${a.superseded} superseded by a later version, ${a.skipped} skipped, ${a.refused} refused`,
  );
}

/** The Observations left out on purpose, each with its entry and why, and every Observation's fate. */
function printFhirAccounting(r: FhirImportReport): void {
  for (const p of r.skipped) console.log(`entry ${p.row - 1}, ${p.column}: skipped: ${p.message}`);
  if (r.skippedNotListed) console.log(`… and ${r.skippedNotListed} more skipped`);
  if (r.unitsConverted) console.log(`${r.unitsConverted} values converted to the item's unit`);
  const other = Object.entries(r.otherResources).map(([t, n]) => `${n} ${t}`);
  if (other.length > 0) console.log(`other resources (not imported): ${other.join(', ')}`);
  const a = r.accounting;
  console.log(
    `${a.observations} Observations: ${a.imported} imported, ${a.withheld} valid but not written, ${a.skipped} skipped, ${a.refused} refused`,
  );
}

function printReport(r: ImportReport): void {
  for (const p of r.problems) console.log(`row ${p.row}, column ${p.column}: ${p.rule}: ${p.message}`);
  if (r.problemsNotListed) console.log(`… and ${r.problemsNotListed} more problems`);
  const summary = `${r.rows} rows, ${r.values} values, ${r.invalidRows} invalid rows`;
  if (r.written)
    console.log(
      `${summary}; written: ${r.entered} entered, ${r.changed} changed, ${r.unchanged} unchanged, ${r.visitsCreated} visits and ${r.formsCreated} forms created`,
    );
  else if (r.dryRun && r.invalidRows === 0)
    // The dry run ran the write and rolled it back: these are the counts the import will have.
    console.log(
      `${summary}; nothing written (dry run; the import would enter ${r.entered}, change ${r.changed}, leave ${r.unchanged} unchanged)`,
    );
  else console.log(`${summary}; nothing written${r.dryRun ? ' (dry run)' : ''}`);
}

/** The mapping file's JSON, or an error naming the file and what is wrong with it. */
function readMapping(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`--mapping ${path}: ${(e as Error).message}`);
  }
}

/**
 * `msct import FILE --format odm|csv-long|csv-wide|fhir [--mapping FILE] [--dry-run] [--skip-invalid]
 * [--skip-unmapped] [--map-by-metadata] [--create-subjects] [--create-sites]`.
 */
export async function importCommand(
  file: string,
  opts: {
    study?: string;
    format: 'odm' | 'csv-long' | 'csv-wide' | 'fhir';
    mapping?: string;
    dryRun?: boolean;
    skipInvalid?: boolean;
    skipUnmapped?: boolean;
    mapByMetadata?: boolean;
    createSubjects?: boolean;
    createSites?: boolean;
  },
): Promise<void> {
  if (!['odm', 'csv-long', 'csv-wide', 'fhir'].includes(opts.format))
    throw new Error(`--format ${opts.format}: expected odm, csv-long, csv-wide or fhir`);
  if (opts.skipUnmapped && opts.format !== 'odm' && opts.format !== 'fhir')
    throw new Error(
      '--skip-unmapped is for --format odm and fhir (a CSV mapping leaves out the columns it does not name)',
    );
  for (const [flag, on] of [
    ['--map-by-metadata', opts.mapByMetadata],
    ['--create-subjects', opts.createSubjects],
    ['--create-sites', opts.createSites],
  ] as const)
    if (on && opts.format !== 'odm') throw new Error(`${flag} is for --format odm`);
  // Read and checked before the database is opened: a bad mapping is refused whole.
  const odmMapping =
    opts.format === 'odm' && opts.mapping ? resolveOdmMapping(readMapping(opts.mapping)) : undefined;
  if (odmMapping && !odmMapping.ok) {
    for (const p of odmMapping.problems)
      console.log(`--mapping ${opts.mapping}, ${p.column}: ${p.rule}: ${p.message}`);
    process.exitCode = 1;
    return;
  }
  const fhirMapping =
    opts.format === 'fhir' && opts.mapping ? resolveFhirMapping(readMapping(opts.mapping)) : undefined;
  if (fhirMapping && !fhirMapping.ok) {
    for (const p of fhirMapping.problems)
      console.log(`--mapping ${opts.mapping}, ${p.column}: ${p.rule}: ${p.message}`);
    process.exitCode = 1;
    return;
  }
  const db = openDatabase(configFromEnv().databaseUrl);
  try {
    const study = await resolveStudy(db, opts.study);
    const actor = await importActor(db);
    let r: ImportReport;
    if (opts.format === 'fhir') {
      const fhir = await importFhir(db, study.id, readFileSync(file), {
        actor,
        ...(fhirMapping?.ok ? { mapping: fhirMapping.value } : {}),
        ...(opts.dryRun ? { dryRun: true } : {}),
        ...(opts.skipInvalid ? { skipInvalid: true } : {}),
        ...(opts.skipUnmapped ? { skipUnmapped: true } : {}),
        reason: `imported from ${file}`,
      });
      r = fhir;
      printFhirAccounting(fhir);
    } else if (opts.format === 'odm') {
      // The file's data onto the study its own metadata became; the mapping wins per OID.
      const byMetadata = opts.mapByMetadata ? await odmMetadataMapping(readFileSync(file)) : undefined;
      const m = odmMapping?.ok ? odmMapping.value : undefined;
      const oidMap = byMetadata || m ? { ...byMetadata, ...m?.oidMap } : undefined;
      // Opened twice, streamed each time: the whole-file check, then the write.
      const odm = await importOdm(db, study.id, () => createReadStream(file), {
        actor,
        ...(oidMap ? { oidMap } : {}),
        ...(m ? { itemUnits: m.itemUnits, sites: m.sites } : {}),
        ...(m?.defaultSite ? { defaultSite: m.defaultSite } : {}),
        ...(opts.createSubjects ? { createSubjects: true } : {}),
        ...(opts.createSites ? { createSites: true } : {}),
        ...(opts.dryRun ? { dryRun: true } : {}),
        ...(opts.skipInvalid ? { skipInvalid: true } : {}),
        ...(opts.skipUnmapped ? { skipUnmapped: true } : {}),
        sourceName: file,
        reason: `imported from ${file}`,
      });
      r = odm;
      printSkipped(odm);
      if (odm.written)
        for (const [label, c] of [
          ['infusions', odm.infusions],
          ['adverse events', odm.adverseEvents],
        ] as const)
          console.log(`${label}: ${c.entered} entered, ${c.changed} changed, ${c.unchanged} unchanged`);
    } else {
      const mapping = opts.mapping ? (readMapping(opts.mapping) as WideMapping) : undefined;
      const progress = bar('rows');
      progress.start(0, 0);
      r = await importCsv(db, study.id, file, {
        format: opts.format === 'csv-long' ? 'long' : 'wide',
        actor,
        ...(mapping ? { mapping } : {}),
        ...(opts.dryRun ? { dryRun: true } : {}),
        ...(opts.skipInvalid ? { skipInvalid: true } : {}),
        reason: `imported from ${file}`,
        onProgress: (rows) => {
          progress.setTotal(Math.max(rows, progress.getTotal()));
          progress.update(rows);
        },
      });
      progress.stop();
    }
    printReport(r);
    if (r.invalidRows > 0 && !r.written) process.exitCode = 1;
  } finally {
    await db.close();
  }
}
