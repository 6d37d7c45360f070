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
import { demoCommand } from './commands/demo.js';
import { exportCommand, importCommand } from './commands/exchange.js';
import { startCommand } from './commands/start.js';
import { studyValidateCommand } from './commands/study.js';

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
  .action(async (o: { study?: string; out?: string; format?: string }) => {
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
  .action(exportCommand);

program
  .command('import <file>')
  .description(
    'import item values from ODM XML or CSV (long or wide with --mapping); nothing is written unless the whole file is valid',
  )
  .requiredOption('--format <format>', 'odm | csv-long | csv-wide')
  .option('--study <code>', 'study code (default: the only study)')
  .option(
    '--mapping <file>',
    'csv-wide: JSON mapping of columns to form.item and unit; odm: the same format, ItemOIDs as "columns", StudyEventOIDs as "visits"',
  )
  .option('--dry-run', 'check every row and list the problems; write nothing')
  .option('--skip-invalid', 'write the valid rows and report the others')
  .option('--skip-unmapped', 'odm: leave out the items the mapping does not map, each listed')
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

const study = program.command('study').description('study definitions');
study
  .command('validate <file>')
  .description(
    'check a study definition (JSON) against the schema: exit 0 when valid, 1 with every problem by path (the list POST /api/studies answers)',
  )
  .action(async (file: string) => {
    process.exitCode = await studyValidateCommand(file);
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
