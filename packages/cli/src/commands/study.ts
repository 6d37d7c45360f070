// `msct study validate FILE`: a study definition (JSON) checked against core's one schema, the same
// problems, by path and in the same words, as POST /api/studies answers (issue #20).
// `msct study amend CODE --definition FILE [--reason TEXT] [--dry-run]`: a protocol amendment, validated
// the same way, reported against the stored data, applied with a reason as the next definition
// version (store repositories/definition-versions.ts; the API's POST …/definition/amendments).
import { readFile } from 'node:fs/promises';
import {
  type AmendmentReport,
  formatDefinitionIssue,
  type StudyDefinition,
  validateStudyDefinition,
} from '@msct/core/protocol';
import { configFromEnv } from '@msct/server';
import {
  type Actor,
  amendStudyDefinition,
  checkAmendment,
  type Db,
  findStudyByCode,
  openDatabase,
  StoreError,
} from '@msct/store';
import { importActor } from './exchange.js';

export interface StudyValidation {
  /** 0 valid, 1 invalid (or unreadable). */
  exitCode: 0 | 1;
  /** What the command prints: one line per problem, or one line naming the valid definition. */
  lines: string[];
}

/** A definition file read and validated: the definition, or the lines saying why not. */
async function readDefinitionFile(
  file: string,
): Promise<{ ok: true; definition: StudyDefinition } | { ok: false; lines: string[] }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    return { ok: false, lines: [`${file}: cannot be read (${e instanceof Error ? e.message : String(e)})`] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, lines: [`${file}: is not JSON (${e instanceof Error ? e.message : String(e)})`] };
  }
  const r = validateStudyDefinition(json);
  if (!r.ok)
    return {
      ok: false,
      lines: [
        `${file}: ${r.issues.length} problem${r.issues.length === 1 ? '' : 's'}`,
        ...r.issues.map(formatDefinitionIssue),
      ],
    };
  return { ok: true, definition: r.value };
}

export async function validateDefinitionFile(file: string): Promise<StudyValidation> {
  const r = await readDefinitionFile(file);
  if (!r.ok) return { exitCode: 1, lines: r.lines };
  const d = r.definition;
  return {
    exitCode: 0,
    lines: [
      `${file}: valid study definition ${d.id} version ${d.version} (${d.visits.length} visits, ${d.forms.length} forms, ${d.eligibility.length} eligibility criteria)`,
    ],
  };
}

/** The amendment report as the CLI prints it. */
export function amendmentReportLines(report: AmendmentReport): string[] {
  const lines: string[] = [];
  for (const [title, changes] of [
    ['added', report.added],
    ['removed', report.removed],
    ['narrowed', report.narrowed],
    ['changed', report.changed],
  ] as const) {
    if (changes.length === 0) continue;
    lines.push(`${title} (${changes.length}):`);
    for (const c of changes) lines.push(`  ${c.message}`);
  }
  if (lines.length === 0) lines.push('no change to the definition');
  lines.push(
    `stored values checked: ${report.valuesChecked}; becoming invalid: ${report.invalidValuesTotal}` +
      (report.alreadyInvalid ? `; already invalid before: ${report.alreadyInvalid}` : ''),
  );
  for (const v of report.invalidValues)
    lines.push(
      `  ${v.subjectCode} ${v.visitCode}${v.cycle > 1 ? ` (cycle ${v.cycle})` : ''} ${v.formCode}.${v.itemCode} = ${v.value ?? '(empty)'}${v.unit ? ` ${v.unit}` : ''}: ${v.rule}: ${v.message}`,
    );
  if (report.invalidValuesTotal > report.invalidValues.length)
    lines.push(`  … and ${report.invalidValuesTotal - report.invalidValues.length} more`);
  return lines;
}

export interface AmendOptions {
  definition: string;
  reason?: string;
  dryRun?: boolean;
}

/** `msct study amend`: exit 0 when applied (or, with --dry-run, checked), 1 when refused. */
export async function amendStudyFromFile(
  db: Db,
  actor: Actor,
  code: string,
  opts: AmendOptions,
): Promise<StudyValidation> {
  const study = await findStudyByCode(db, code);
  if (!study) return { exitCode: 1, lines: [`no study with code "${code}"`] };
  const read = await readDefinitionFile(opts.definition);
  if (!read.ok) return { exitCode: 1, lines: read.lines };
  if (opts.dryRun) {
    const c = await checkAmendment(db, study.id, read.definition);
    return {
      exitCode: 0,
      lines: [
        `${code}: definition version ${c.fromVersion} → ${c.toVersion} (dry run, nothing stored)`,
        ...amendmentReportLines(c.report),
      ],
    };
  }
  if (!opts.reason?.trim())
    return { exitCode: 1, lines: [`${code}: a reason is required to amend the definition (--reason TEXT)`] };
  try {
    const c = await amendStudyDefinition(db, actor, {
      studyId: study.id,
      definition: read.definition,
      reason: opts.reason,
      expectedVersion: Number(study.version),
    });
    return {
      exitCode: 0,
      lines: [
        `${code}: definition version ${c.toVersion} stored (was ${c.fromVersion}), reason: ${opts.reason}`,
        ...amendmentReportLines(c.report),
      ],
    };
  } catch (e) {
    if (e instanceof StoreError) return { exitCode: 1, lines: [`${code}: ${e.message}`] };
    throw e;
  }
}

export async function studyAmendCommand(code: string, opts: AmendOptions): Promise<number> {
  const db = openDatabase(configFromEnv().databaseUrl);
  try {
    const r = await amendStudyFromFile(db, await importActor(db), code, opts);
    const write = r.exitCode === 0 ? console.log : console.error;
    for (const line of r.lines) write(line);
    return r.exitCode;
  } finally {
    await db.close();
  }
}

export async function studyValidateCommand(file: string): Promise<number> {
  const r = await validateDefinitionFile(file);
  const write = r.exitCode === 0 ? console.log : console.error;
  for (const line of r.lines) write(line);
  return r.exitCode;
}
