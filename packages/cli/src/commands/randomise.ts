// `msct randomise SUBJECT`, `msct randomisation balance|correct|corrections` (issue 24): the same
// services as POST /api/subjects/{id}/randomise, GET …/randomisation/balance, POST
// …/randomisation/corrections and GET …/randomisation/corrections, run on the database as the
// operator (MSCT_IMPORT_USER, or the first active administrator), audited like the API. A blinded
// run (--blinded, or a blinded MSCT_IMPORT_USER: commands/blinding.ts) never prints an arm.
import { allocationBalance, configFromEnv, correctRandomisation, randomise } from '@msct/server';
import { type Db, listCorrections, openDatabase, studyDefinition } from '@msct/store';
import { resolveStudy } from './adjudicate.js';
import { cliBlinding, refuseBlindedRun } from './blinding.js';
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

async function blindingOf(db: Db, studyId: string, flag: boolean | undefined) {
  return cliBlinding(db, studyId, (await studyDefinition(db, studyId)).definition, flag);
}

/**
 * Randomises one subject; prints its arm, stratum and place in the sequence — for a blinded run
 * the stratum only (the place in the sequence, with the block sizes, predicts the next arms).
 */
export async function randomiseCommand(
  code: string,
  opts: { study?: string; blinded?: boolean },
): Promise<string> {
  const db = openDatabase(configFromEnv().databaseUrl);
  try {
    const study = await resolveStudy(db, opts.study);
    const subject = await subjectByCode(db, study.id, code);
    const blinding = await blindingOf(db, study.id, opts.blinded);
    const r = await randomise(db, await importActor(db), subject.id);
    if (blinding.blinded)
      return `${code}: randomised, stratum ${r.assignment.stratum}; arm not shown (blinded: ${blinding.because})`;
    const label = r.definition.arms?.find((a) => a.id === r.assignment.arm)?.label;
    return `${code}: randomised to ${r.assignment.arm}${label ? ` (${label})` : ''}, stratum ${r.assignment.stratum}, number ${r.assignment.sequence} of its sequence (seed ${r.seedCommitment})`;
  } finally {
    await db.close();
  }
}

/** The allocation balance overall, by stratum and by factor level, as a table. */
export async function balanceCommand(opts: {
  study?: string;
  json?: boolean;
  blinded?: boolean;
}): Promise<string> {
  const db = openDatabase(configFromEnv().databaseUrl);
  try {
    const study = await resolveStudy(db, opts.study);
    refuseBlindedRun(await blindingOf(db, study.id, opts.blinded), 'the allocation balance (counts per arm)');
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

/** Corrects a subject's assignment (a new audited record; the assignment stays as randomised). */
export async function correctCommand(
  code: string,
  opts: { to: string; reason: string; study?: string; blinded?: boolean },
): Promise<string> {
  const db = openDatabase(configFromEnv().databaseUrl);
  try {
    const study = await resolveStudy(db, opts.study);
    refuseBlindedRun(
      await blindingOf(db, study.id, opts.blinded),
      'a correction of an assignment (it names arms)',
    );
    const subject = await subjectByCode(db, study.id, code);
    const r = await correctRandomisation(db, await importActor(db), {
      subjectId: subject.id,
      toArm: opts.to,
      reason: opts.reason,
    });
    return `${code}: assignment corrected from ${r.correction.from_arm} to ${r.correction.to_arm} (${r.correction.reason}); randomised to ${r.assignment.arm}, which the analysis keeps (intention to treat)`;
  } finally {
    await db.close();
  }
}

/** The study's corrections of assignments, oldest first. */
export async function correctionsCommand(opts: {
  study?: string;
  json?: boolean;
  blinded?: boolean;
}): Promise<string> {
  const db = openDatabase(configFromEnv().databaseUrl);
  try {
    const study = await resolveStudy(db, opts.study);
    refuseBlindedRun(
      await blindingOf(db, study.id, opts.blinded),
      'the corrections of assignments (they name arms)',
    );
    const rows = await listCorrections(db, { studyId: study.id });
    const codes = new Map(
      (
        await db.kysely
          .selectFrom('subjects')
          .select(['id', 'subject_code'])
          .where('study_id', '=', study.id)
          .execute()
      ).map((s) => [s.id, s.subject_code]),
    );
    const out = rows.map((c) => ({
      subject: codes.get(c.subject_id) ?? c.subject_id,
      at: c.corrected_at,
      by: c.corrected_by_name,
      from: c.from_arm,
      to: c.to_arm,
      reason: c.reason,
    }));
    if (opts.json) return JSON.stringify(out, null, 2);
    if (out.length === 0) return `no assignment of ${study.code} has been corrected`;
    return out.map((c) => `${c.subject}  ${c.at}  ${c.by}  ${c.from} → ${c.to}  ${c.reason}`).join('\n');
  } finally {
    await db.close();
  }
}
