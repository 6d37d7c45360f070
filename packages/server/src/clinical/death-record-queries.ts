// Deaths recorded once and consistently (issue #21): after a write that can record a death (an
// adverse event, the end-of-study form), the subject's death records are compared
// (core/safety/death-records.ts) and each disagreement not already raised and still open becomes a
// system query on the subject, authored by the system account, for the site to resolve.
import { deathRecordConflicts } from '@msct/core/safety';
import { type Db, listQueries, loadTrialDataset, raiseQuery, systemUser } from '@msct/store';
import type { FastifyRequest } from 'fastify';

/** Text of a system query: the prefix tells the site and the monitor it was raised automatically. */
export const DEATH_QUERY_PREFIX = 'Automatic check, death records disagree: ';

/** Raises the subject's new death-record conflicts as system queries; returns how many it raised. */
export async function raiseDeathRecordQueries(db: Db, studyId: string, subjectId: string): Promise<number> {
  const subject = (await loadTrialDataset(db, studyId, { subjectIds: [subjectId] })).subjects[0];
  if (!subject) return 0;
  const conflicts = deathRecordConflicts(subject);
  if (conflicts.length === 0) return 0;
  const raised = new Set(
    (await listQueries(db, { studyId, subjectId }))
      .filter((q) => q.status !== 'closed' && q.text.startsWith(DEATH_QUERY_PREFIX))
      .map((q) => q.text),
  );
  const author = await systemUser(db);
  let n = 0;
  for (const c of conflicts) {
    const text = `${DEATH_QUERY_PREFIX}${c.message}.`;
    if (raised.has(text)) continue;
    await raiseQuery(db, author, {
      subjectId,
      entityType: 'subject',
      entityId: subjectId,
      field: null,
      text,
    });
    raised.add(text);
    n += 1;
  }
  return n;
}

/**
 * After a committed write: the check must not turn the saved write into an error answer, so a failure
 * of the check itself is logged (with the subject) instead of answered.
 */
export async function checkDeathRecords(db: Db, req: FastifyRequest, studyId: string, subjectId: string) {
  try {
    await raiseDeathRecordQueries(db, studyId, subjectId);
  } catch (error) {
    req.log.error({ err: error, subjectId }, 'the death-record check failed');
  }
}
