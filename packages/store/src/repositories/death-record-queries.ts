// Deaths recorded once and consistently (issue #21): after a write that can record a death (an
// adverse event, the end-of-study form) — through the API or a CSV/ODM import — the subject's death
// records are compared (core/safety/death-records.ts) and each disagreement not already raised and
// still open becomes a system query on the subject, authored by the system account, for the site to
// resolve. Run after the write's commit, on the committed data.
import { END_OF_STUDY_FORM } from '@msct/core/crf';
import { deathRecordConflicts } from '@msct/core/safety';
import type { Db } from '../database.js';
import { loadTrialDataset } from '../dataset.js';
import { listQueries, raiseQuery } from './queries.js';
import { systemUser } from './users.js';

/** Text of a system query: the prefix tells the site and the monitor it was raised automatically. */
export const DEATH_QUERY_PREFIX = 'Automatic check, death records disagree: ';

/** The form whose values can record a death (an import that writes it must run the check). */
export const DEATH_RECORD_FORM = END_OF_STUDY_FORM.formCode;

/** Subjects read per dataset load when an import names many. */
const CHUNK = 200;

/**
 * Raises the new death-record conflicts of the given subjects as system queries; returns how many
 * it raised. Subjects are read a chunk at a time (an import may name thousands).
 */
export async function raiseDeathRecordQueries(
  db: Db,
  studyId: string,
  subjectIds: readonly string[],
): Promise<number> {
  let n = 0;
  for (let i = 0; i < subjectIds.length; i += CHUNK) {
    const chunk = subjectIds.slice(i, i + CHUNK);
    const { subjects } = await loadTrialDataset(db, studyId, { subjectIds: chunk });
    for (const subject of subjects) {
      const conflicts = deathRecordConflicts(subject);
      if (conflicts.length === 0) continue;
      const raised = new Set(
        (await listQueries(db, { studyId, subjectId: subject.subjectId }))
          .filter((q) => q.status !== 'closed' && q.text.startsWith(DEATH_QUERY_PREFIX))
          .map((q) => q.text),
      );
      const author = await systemUser(db);
      for (const c of conflicts) {
        const text = `${DEATH_QUERY_PREFIX}${c.message}.`;
        if (raised.has(text)) continue;
        await raiseQuery(db, author, {
          subjectId: subject.subjectId,
          entityType: 'subject',
          entityId: subject.subjectId,
          field: null,
          text,
        });
        raised.add(text);
        n += 1;
      }
    }
  }
  return n;
}
