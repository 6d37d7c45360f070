import { configFromEnv } from '@msct/server';
import { forEachSubjectEndpoints, studyDefinition } from '@msct/server/clinical';
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
    const load: { subjectIds?: string[] } = subjectIds ? { subjectIds } : {};
    // Subject by subject from the store's stream, each written out as it is derived (issue 16): the
    // items of one page of subjects are in memory at a time, whatever the trial size.
    const out = (text: string) =>
      process.stdout.write(text) ? undefined : new Promise<void>((r) => process.stdout.once('drain', r));
    if (opts.json) {
      // The same document as before ({ subjects, snapshot }), written as it is made; the snapshot
      // comes last because it covers every subject.
      let n = 0;
      await out('{\n  "subjects": [');
      const snapshot = await forEachSubjectEndpoints(db, study.id, definition, load, async (s) => {
        const text = JSON.stringify(s, null, 2).replaceAll('\n', '\n    ');
        await out(`${n++ ? ',' : ''}\n    ${text}`);
      });
      await out(
        `${n ? '\n  ' : ''}],\n  "snapshot": ${JSON.stringify(snapshot, null, 2).replaceAll('\n', '\n  ')}\n}\n`,
      );
      return;
    }
    const counts: Record<string, number> = {};
    let n = 0;
    let ruleSetId: string | undefined;
    const snapshot = await forEachSubjectEndpoints(db, study.id, definition, load, async (s) => {
      n++;
      const v = s.adjudication?.primary;
      ruleSetId ??= s.adjudication?.ruleSet.id;
      const outcome = v?.outcome ?? 'not adjudicable';
      counts[outcome] = (counts[outcome] ?? 0) + 1;
      const lines = [
        `${s.subjectCode.padEnd(10)} ${(v?.label ?? outcome).padEnd(16)} ${v?.summary ?? s.problems.join('; ')}`,
      ];
      if (load.subjectIds && v)
        for (const step of v.trace) lines.push(`    ${step.visitCode ?? ''} ${step.rule}: ${step.text}`);
      await out(`${lines.join('\n')}\n`);
    });
    console.log(
      `\n${n} subjects: ${Object.entries(counts)
        .map(([k, c]) => `${k} ${c}`)
        .join(', ')} (rule set ${ruleSetId ?? 'n/a'}; data snapshot ${snapshot.hash.slice(0, 12)})`,
    );
  } finally {
    await db.close();
  }
}
