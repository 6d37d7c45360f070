import { configFromEnv } from '@msct/server';
import { studyDefinition, subjectEndpoints } from '@msct/server/clinical';
import { type Db, findStudyByCode, listStudies, openDatabase } from '@msct/store';

export async function resolveStudy(db: Db, code: string | undefined) {
  if (code) {
    const s = await findStudyByCode(db, code);
    if (!s) throw new Error(`--study: no study with code "${code}"`);
    return s;
  }
  const all = await listStudies(db);
  if (all.length === 1) return all[0]!;
  throw new Error(
    all.length === 0
      ? 'there is no study yet (run `msct demo` or create one)'
      : `several studies exist: name one with --study (${all.map((s) => s.code).join(', ')})`,
  );
}

/** `msct adjudicate`: MCR / PCR / NR, relapse and death for every subject (or one), with the reason. */
export async function adjudicateCommand(opts: {
  study?: string;
  subject?: string;
  json?: boolean;
}): Promise<void> {
  const db = openDatabase(configFromEnv().databaseUrl);
  try {
    const study = await resolveStudy(db, opts.study);
    const { definition } = await studyDefinition(db, study.id);
    let subjectIds: string[] | undefined;
    if (opts.subject) {
      const s = await db.kysely
        .selectFrom('subjects')
        .select('id')
        .where('study_id', '=', study.id)
        .where('subject_code', '=', opts.subject)
        .executeTakeFirst();
      if (!s) throw new Error(`--subject: no subject "${opts.subject}" in ${study.code}`);
      subjectIds = [s.id];
    }
    const r = await subjectEndpoints(db, study.id, definition, subjectIds ? { subjectIds } : {});
    if (opts.json) {
      console.log(JSON.stringify(r, null, 2));
      return;
    }
    const counts: Record<string, number> = {};
    for (const s of r.subjects) {
      const v = s.adjudication?.primary;
      const outcome = v?.outcome ?? 'not adjudicable';
      counts[outcome] = (counts[outcome] ?? 0) + 1;
      console.log(
        `${s.subjectCode.padEnd(10)} ${(v?.label ?? outcome).padEnd(16)} ${v?.summary ?? s.problems.join('; ')}`,
      );
      if (opts.subject && v)
        for (const step of v.trace) console.log(`    ${step.visitCode ?? ''} ${step.rule}: ${step.text}`);
    }
    console.log(
      `\n${r.subjects.length} subjects: ${Object.entries(counts)
        .map(([k, n]) => `${k} ${n}`)
        .join(
          ', ',
        )} (rule set ${r.subjects.find((s) => s.adjudication)?.adjudication?.ruleSet.id ?? 'n/a'}; data snapshot ${r.snapshot.hash.slice(0, 12)})`,
    );
  } finally {
    await db.close();
  }
}
