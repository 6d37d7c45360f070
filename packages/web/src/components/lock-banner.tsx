import { api } from '../api/client.js';
import { useLoad } from '../hooks/use-load.js';
import { dateTimeText } from '../lib/dates.js';

type Lock = Awaited<ReturnType<typeof loadLocks>>[number];
const loadLocks = (studyId: string) => api.get('/api/studies/:studyId/locks', { params: { studyId } });

/** The active freezes and locks covering a subject: its study's, its site's and its own. */
export function useActiveLocks(subject: { id: string; studyId: string; siteId: string } | undefined) {
  const locks = useLoad(
    () => (subject ? loadLocks(subject.studyId) : Promise.resolve([] as Lock[])),
    [subject?.id],
  );
  const active = (locks.data ?? []).filter(
    (l) =>
      !l.releasedAt &&
      (l.level === 'study' ||
        (l.level === 'site' && l.siteId === subject?.siteId) ||
        (l.level === 'subject' && l.subjectId === subject?.id)),
  );
  return { active, reload: locks.reload };
}

/** Says, before anyone tries to save, that the record is frozen or locked, by whom, when and why. */
export function LockBanner({ locks }: { locks: readonly Lock[] }) {
  if (locks.length === 0) return null;
  return (
    <div role="status" className="lock-banner" aria-label="Locked">
      {locks.map((l) => (
        <p key={l.id}>
          <strong>
            The {l.level === 'subject' ? `subject ${l.subjectCode ?? ''}` : l.level} is{' '}
            {l.kind === 'freeze' ? 'frozen' : 'locked'}
          </strong>{' '}
          by {l.lockedBy} at <time dateTime={l.lockedAt}>{dateTimeText(l.lockedAt)}</time>: {l.reason}.{' '}
          {l.kind === 'freeze'
            ? 'No data can change; investigators can still sign.'
            : 'Nothing can change until an administrator releases it.'}
        </p>
      ))}
    </div>
  );
}
