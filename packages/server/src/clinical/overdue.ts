// Overdue visits per site for the study home's counts (issue 16), by the same rules as the record
// status grid (web/src/components/status-grid.tsx) and the schedule route: windows counted from day 0
// (core/protocol countOverdueVisits, pinned to visitStatuses; trial.md visit schedule), visits declared
// missed are not overdue, and no visit is expected after death, withdrawal or a screen failure.
// Subjects are read in batches with their visits, so memory stays bounded whatever the trial's size.
import {
  countOverdueVisits,
  SCHEDULE_ENDED_SUBJECT_STATUSES,
  type VisitDefinition,
} from '@msct/core/protocol';
import { type Db, forEachSubjectScheduleBatch, type SubjectScheduleRow } from '@msct/store';

/** After these a subject's remaining visits are not expected (core/protocol record-status.ts). */
export const SCHEDULE_ENDED_STATUSES: ReadonlySet<string> = SCHEDULE_ENDED_SUBJECT_STATUSES;

const BATCH = 2000;

/** The number of overdue visits of one subject on `today` (treatment cycle 1, as the grid schedules). */
export function overdueVisitCount(
  visits: readonly VisitDefinition[],
  subject: Pick<SubjectScheduleRow, 'status' | 'day0_date' | 'recorded'>,
  today: string,
): number {
  if (!subject.day0_date || SCHEDULE_ENDED_STATUSES.has(subject.status)) return 0;
  return countOverdueVisits({
    visits,
    day0: subject.day0_date,
    today,
    recorded: subject.recorded,
  });
}

/** Overdue visits per site id, over every subject of the given sites (undefined = all). */
export async function overdueVisitsBySite(
  db: Db,
  studyId: string,
  visits: readonly VisitDefinition[],
  siteIds: readonly string[] | undefined,
  today: string,
): Promise<Map<string, number>> {
  const bySite = new Map<string, number>();
  const scheduledOnly = { exceptStatuses: [...SCHEDULE_ENDED_STATUSES] };
  await forEachSubjectScheduleBatch(db, studyId, { siteIds, scheduledOnly, batchSize: BATCH }, (subjects) => {
    for (const s of subjects) {
      const n = overdueVisitCount(visits, s, today);
      if (n > 0) bySite.set(s.site_id, (bySite.get(s.site_id) ?? 0) + n);
    }
  });
  return bySite;
}
