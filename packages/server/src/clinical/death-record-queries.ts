// Deaths recorded once and consistently (issue #21): the check itself is the store's
// (repositories/death-record-queries.ts), so the API's writes and the CSV/ODM imports raise the same
// system queries. Here: the API's call after a committed write.
import { type Db, raiseDeathRecordQueries } from '@msct/store';
import type { FastifyRequest } from 'fastify';

export { DEATH_QUERY_PREFIX } from '@msct/store';

/**
 * After a committed write: the check must not turn the saved write into an error answer, so a failure
 * of the check itself is logged (with the subject) instead of answered.
 */
export async function checkDeathRecords(db: Db, req: FastifyRequest, studyId: string, subjectId: string) {
  try {
    await raiseDeathRecordQueries(db, studyId, [subjectId]);
  } catch (error) {
    req.log.error({ err: error, subjectId }, 'the death-record check failed');
  }
}
