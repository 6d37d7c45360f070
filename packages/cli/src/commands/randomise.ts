// `msct randomise SUBJECT` and `msct randomisation balance` (issue 24): the same service as
// POST /api/subjects/{id}/randomise and GET …/randomisation/balance, run on the database as the
// operator (MSCT_IMPORT_USER, or the first active administrator), audited like the API.
import { allocationBalance, configFromEnv, randomise } from '@msct/server';
import { type Db, openDatabase } from '@msct/store';
import { resolveStudy } from './adjudicate.js';
import { importActor } from './exchange.js';

async function subjectByCode(db: Db, studyId: string, code: string) {
  const s = await db.kysely
    .selectFrom('subjects')
    .select(['id', 'subject_code'])
    .where('study_id', '=', studyId)
    .where('subject_code', '=', code)
    .executeTakeFirst();
  if (!s) throw new Error(`no subject "${code}" in this study`);
  return s;
}

/** Randomises one subject; prints its arm, stratum and place in the sequence. */
export async function randomiseCommand(code: string, opts: { study?: string }): Promise<string> {
  const db = openDatabase(configFromEnv().databaseUrl);
  try {
    const study = await resolveStudy(db, opts.study);
    const subject = await subjectByCode(db, study.id, code);
    const r = await randomise(db, await importActor(db), subject.id);
    const label = r.definition.arms?.find((a) => a.id === r.assignment.arm)?.label;
    return `${code}: randomised to ${r.assignment.arm}${label ? ` (${label})` : ''}, stratum ${r.assignment.stratum}, number ${r.assignment.sequence} of its sequence (seed ${r.seedCommitment})`;
  } finally {
    await db.close();
  }
}

/** The allocation balance overall, by stratum and by factor level, as a table. */
export async function balanceCommand(opts: { study?: string; json?: boolean }): Promise<string> {
  const db = openDatabase(configFromEnv().databaseUrl);
  try {
    const study = await resolveStudy(db, opts.study);
    const r = await allocationBalance(db, study.id);
    if (opts.json) return JSON.stringify(r, null, 2);
    const arms = r.arms.map((a) => a.id);
    const head = ['group', 'n', ...arms, 'max |deviation|'];
    const rows = [r.report.overall, ...r.report.strata, ...r.report.margins].map((row) => [
      row.group,
      String(row.total),
      ...arms.map((a) => String(row.counts.find((c) => c.arm === a)?.n ?? 0)),
      row.maxAbsDeviation.toFixed(2),
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
    return [head, ...rows]
      .map((row) =>
        row
          .map((v, i) => v.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n');
  } finally {
    await db.close();
  }
}
