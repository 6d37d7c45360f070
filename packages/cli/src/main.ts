#!/usr/bin/env node
// The `msct` command.
import { Command } from 'commander';
import { adjudicateCommand } from './commands/adjudicate.js';
import {
  auditHeadCommand,
  auditVerifyCommand,
  backupCommand,
  migrateCommand,
  restoreCommand,
  userAddCommand,
} from './commands/admin.js';
import { analyzeCommand } from './commands/analyze.js';
import { attachmentsGetCommand, attachmentsListCommand } from './commands/attachments.js';
import { crfCommand } from './commands/crf.js';
import { demoCommand } from './commands/demo.js';
import { exportCommand, importCommand } from './commands/exchange.js';
import {
  balanceCommand,
  correctCommand,
  correctionsCommand,
  randomiseCommand,
} from './commands/randomise.js';
import { startCommand } from './commands/start.js';
import { studyAmendCommand, studyValidateCommand } from './commands/study.js';
import { studyCreateCommand, studyExportDefinitionCommand } from './commands/study-definition.js';

// Everything msct writes may hold patient data or secrets: the database and its -wal/-shm, backups
// (also pg_dump's, a child process that inherits this), generated passwords, exports and reports.
// Files are created readable by their owner only (0600) and directories 0700 (issue 17).
process.umask(0o077);

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('password: ');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

const program = new Command()
  .name('msct')
  .description(
    'msct: run and analyse the multicentre MSCT–SLE trial. The database is MSCT_DATABASE_URL (default sqlite:./data/msct.sqlite; postgres://… also works).',
  )
  .showHelpAfterError();

program
  .command('start')
  .description('migrate, create the first admin if there is none, and serve the API and web app')
  .option('-p, --port <port>', 'port (default MSCT_PORT or 3000)')
  .option('--host <host>', 'interface (default MSCT_HOST or 127.0.0.1)')
  .action(startCommand);

program
  .command('migrate')
  .description('bring the database schema to the latest version')
  .option(
    '--revert <migration>',
    'revert the most recent migration, named to be sure (e.g. 003-sledai-attribution; audited); the next migrate applies it again',
  )
  .action((opts: { revert?: string }) => migrateCommand(opts));

const user = program.command('user').description('manage users');
user
  .command('add <username>')
  .description('create a user; the password is read from MSCT_NEW_PASSWORD or standard input')
  .option('--name <displayName>', 'display name')
  .option('--role <role>', 'admin | investigator | coordinator | monitor | statistician | safety')
  .option('--study <code>', 'study code the role belongs to')
  .option('--site <code>', 'site code (omit for every site of the study)')
  .action((username: string, opts) => userAddCommand(username, opts, readStdin));

program
  .command('demo')
  .description(
    'load the published 40-patient, four-centre MSCT–SLE trial as item-level data, and print demo logins',
  )
  .option('--seed <n>', 'seed of the generated values (default 2014)')
  .option(
    '--patients <n>',
    'load more patients than the published 40 (further generated cohorts, for scale tests; not the published trial)',
  )
  .action(demoCommand);

program
  .command('adjudicate')
  .description(
    'derive MCR / PCR / NR, relapse and death for every subject from the stored items, with the reason',
  )
  .option('--study <code>', 'study code (default: the only study)')
  .option('--subject <code>', 'one subject, with the full trace of its verdict')
  .option('--json', 'print the verdicts, traces, visit scores and time-to-event data as JSON')
  .action(adjudicateCommand);

program
  .command('analyze')
  .description(
    'regenerate every result of the trial from the raw item-level data: report.html, results.json, one CSV per table, report.pdf',
  )
  .option('--study <code>', 'study code (default: the only study)')
  .option('--out <dir>', 'output folder (default ./analysis)')
  .option('--format <list>', 'comma-separated: html,json,csv,pdf (default html,json,csv)')
  .option(
    '--blinded',
    'for a role the study blinds: pooled results only, nothing by arm (also when MSCT_IMPORT_USER holds a blinded role)',
  )
  .action(async (o: { study?: string; out?: string; format?: string; blinded?: boolean }) => {
    await analyzeCommand(o);
  });

program
  .command('export')
  .description(
    'export a study: CDISC ODM 1.3.2 XML (with audit records) or SDTM-style domain CSVs with a define listing',
  )
  .requiredOption('--format <format>', 'odm | sdtm')
  .requiredOption('--out <path>', 'output file (odm) or folder (sdtm)')
  .option('--study <code>', 'study code (default: the only study)')
  .option('--pseudonymise', 'de-identified: pseudonyms, study days instead of dates, no free text')
  .option(
    '--blinded',
    'for a role the study blinds: refused when the definition names arm-revealing forms or items (also when MSCT_IMPORT_USER holds a blinded role)',
  )
  .action(exportCommand);

program
  .command('import <file>')
  .description(
    'import item values from ODM XML, CSV (long or wide with --mapping) or a FHIR R4 Bundle of lab Observations; nothing is written unless the whole file is valid',
  )
  .requiredOption('--format <format>', 'odm | csv-long | csv-wide | fhir')
  .option('--study <code>', 'study code (default: the only study)')
  .option(
    '--mapping <file>',
    'csv-wide: JSON mapping of columns to form.item and unit; odm: the same format, ItemOIDs as "columns", StudyEventOIDs as "visits", plus "sites" (file site → msct site code) and "defaultSite"; fhir: "loinc" (LOINC code → form.item), "encounters" (encounter → visit code or { visit, cycle }), "subjectSystem" (identifier system of the subject code)',
  )
  .option('--dry-run', 'check every row and list the problems; write nothing')
  .option('--skip-invalid', 'write the valid rows and report the others')
  .option(
    '--skip-unmapped',
    'odm: leave out the items the mapping does not map; fhir: the Observations whose LOINC code maps to no item; each listed',
  )
  .option(
    '--map-by-metadata',
    "odm: map the file's data onto the study its own metadata became (msct study create --format odm); --mapping wins per OID",
  )
  .option(
    '--create-subjects',
    "odm: create the subjects the study lacks, keeping the file's subject key (REDCap record id, OpenClinica StudySubjectID) as code",
  )
  .option(
    '--create-sites',
    'odm: create the sites the study lacks (SiteRef, REDCap data access group) not mapped by the mapping\'s "sites"',
  )
  .action(importCommand);

program
  .command('backup [file]')
  .description(
    'write a consistent backup of the live database (SQLite online backup, or pg_dump) and verify it',
  )
  .action(backupCommand);

program
  .command('restore <file>')
  .description(
    'restore a backup into MSCT_DATABASE_URL; refused while a server runs on it (stop it first) and, before anything is replaced, when the backup does not verify; refuses to replace data without --force',
  )
  .option('--force', 'replace an existing database')
  .option('--anchor <file>', 'also require the backup to hold this exported audit head')
  .action(restoreCommand);

program
  .command('crf')
  .description('print the blank CRFs of a study (a page per form, from its definition) to PDF or HTML')
  .requiredOption('--study <code>', 'the study code')
  .requiredOption('--out <file>', 'output file (.pdf or .html)')
  .option('--format <format>', 'pdf | html (default: from the file name, else pdf)')
  .action(async (o: { study: string; out: string; format?: string }) => {
    process.exitCode = await crfCommand(o);
  });

const study = program.command('study').description('study definitions');
study
  .command('validate <file>')
  .description(
    'check a study definition (JSON) against the schema: exit 0 when valid, 1 with every problem by path (the list POST /api/studies answers)',
  )
  .action(async (file: string) => {
    process.exitCode = await studyValidateCommand(file);
  });
study
  .command('create')
  .description(
    'create a study from a definition file: msct JSON, a REDCap data dictionary (with its events and instrument-event mapping CSVs) or ODM 1.3.2 metadata; prints the problems and every construct not mapped, creates only a valid definition',
  )
  .requiredOption('--definition <file>', 'the definition, data dictionary or ODM file')
  .option('--format <format>', 'msct | redcap | odm', 'msct')
  .option('--events <file>', 'redcap: the events CSV (longitudinal projects)')
  .option('--instrument-events <file>', 'redcap: the instrument-event mapping CSV')
  .option(
    '--frame <file>',
    'redcap, odm: JSON with the definition fields the file cannot give (id, title, version, source, centres, infusion, eligibility, endpointRuleSetId, retreatment, bilagVersion, sledaiWindowDays; visits to set their kind and windows)',
  )
  .option('--code <code>', 'study code (default: the definition id)')
  .option('--title <title>', 'study title (default: the definition title)')
  .option('--dry-run', 'check and report; create nothing')
  .action(async (o: Parameters<typeof studyCreateCommand>[0]) => {
    process.exitCode = await studyCreateCommand(o);
  });
study
  .command('export-definition <code>')
  .description('the definition of a study as ODM 1.3.2 metadata or a data dictionary (CSV, HTML)')
  .requiredOption('--format <format>', 'odm | csv | html')
  .option('--out <file>', 'output file (default: standard output)')
  .action(async (code: string, o: { format: string; out?: string }) => {
    process.exitCode = await studyExportDefinitionCommand(code, o);
  });
study
  .command('amend <code>')
  .description(
    'amend a study definition (protocol amendment): validated like `study validate`, reported against the stored data (what is added, removed, narrowed; which stored values become invalid), stored as the next version with the reason; exit 0 applied, 1 refused. Written as MSCT_IMPORT_USER or the first active administrator',
  )
  .requiredOption('--definition <file>', 'the new study definition (JSON)')
  .option('--reason <text>', 'why the protocol is amended (required unless --dry-run)')
  .option('--dry-run', 'validate and print the report; store nothing')
  .action(async (code: string, o: { definition: string; reason?: string; dryRun?: boolean }) => {
    process.exitCode = await studyAmendCommand(code, o);
  });

program
  .command('randomise <subject>')
  .description(
    'randomise an enrolled subject (by subject code) of a randomised study: audited and final, as the operator (MSCT_IMPORT_USER or the first administrator)',
  )
  .option('--study <code>', 'study code (default: the only study)')
  .option(
    '--blinded',
    'for a role the study blinds: do not print the arm or the place in the sequence (also when MSCT_IMPORT_USER holds a blinded role)',
  )
  .action(async (subject: string, o: { study?: string; blinded?: boolean }) => {
    console.log(await randomiseCommand(subject, o));
  });
const randomisation = program.command('randomisation').description('randomisation reports');
randomisation
  .command('balance')
  .description(
    'allocation balance: subjects per arm overall, by stratum and by factor level, and the deviation from the ratio',
  )
  .option('--study <code>', 'study code (default: the only study)')
  .option('--json', 'print the report as JSON')
  .option('--blinded', 'refused: the balance shows counts per arm')
  .action(async (o: { study?: string; json?: boolean; blinded?: boolean }) => {
    console.log(await balanceCommand(o));
  });
randomisation
  .command('correct <subject>')
  .description(
    "correct a randomised subject's assignment (by subject code): a new audited record from its current arm to --to with --reason; the assignment stays as randomised and the analysis keeps it (intention to treat). As the operator; refused with --blinded",
  )
  .requiredOption('--to <arm>', 'the arm id the subject is corrected to')
  .requiredOption('--reason <text>', 'why the assignment is corrected')
  .option('--study <code>', 'study code (default: the only study)')
  .option('--blinded', 'refused: a correction names arms')
  .action(async (subject: string, o: { to: string; reason: string; study?: string; blinded?: boolean }) => {
    console.log(await correctCommand(subject, o));
  });
randomisation
  .command('corrections')
  .description('list the corrections of assignments (who, when, from → to, why); refused with --blinded')
  .option('--study <code>', 'study code (default: the only study)')
  .option('--json', 'print the corrections as JSON')
  .option('--blinded', 'refused: corrections name arms')
  .action(async (o: { study?: string; json?: boolean; blinded?: boolean }) => {
    console.log(await correctionsCommand(o));
  });

const attachments = program
  .command('attachments')
  .description('files attached to subjects, visits and forms');
attachments
  .command('list')
  .description(
    "list a subject's files (the record each belongs to, name, type, size, SHA-256, who and when, scan state, status) as the operator (MSCT_IMPORT_USER or the first administrator), with that user's sites and rights as in the API",
  )
  .requiredOption('--subject <code>', 'subject code')
  .option('--study <code>', 'study code (default: the only study)')
  .option('--json', 'print the list as JSON')
  .action(async (o: { subject: string; study?: string; json?: boolean }) => {
    console.log(await attachmentsListCommand(o));
  });
attachments
  .command('get <id>')
  .description(
    'write one file (not a retracted one) to a new file, checked against its SHA-256; audited as a download by the operator; refused for a pseudonymised role or another site',
  )
  .requiredOption('--out <file>', 'the file to write (must not exist)')
  .action(async (id: string, o: { out: string }) => {
    console.log(await attachmentsGetCommand(id, o));
  });

const audit = program.command('audit').description('the audit trail');
audit
  .command('verify')
  .description(
    'walk the hash chain, check that the trail explains every audited row (each finding names table, record and field), exit 1 on any finding',
  )
  .option('--json', 'print the whole report as JSON')
  .option(
    '--anchor <file>',
    'also check that the chain still holds the head exported by `msct audit head --out`',
  )
  .option('--backup <file>', 'verify a backup file (SQLite copy or pg_dump archive) instead of the database')
  .action(async (o: { json?: boolean; anchor?: string; backup?: string }) => {
    process.exitCode = await auditVerifyCommand(o);
  });
audit
  .command('head')
  .description(
    'print the chain head (sequence, hash, time) to keep outside the database; `audit verify --anchor FILE` checks it later',
  )
  .option('--out <file>', 'write the anchor to a new file (mode 0600) instead of printing it')
  .action(auditHeadCommand);

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`msct: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
