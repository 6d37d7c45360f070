import { api } from '../api/client.js';
import { useLoad } from '../hooks/use-load.js';
import { t } from '../i18n/index.js';
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
    <div role="status" className="lock-banner" aria-label={t('lockBanner.name')}>
      {locks.map((l) => (
        <p key={l.id}>
          <strong>{t('lockBanner.what', { level: l.level, code: l.subjectCode ?? '', kind: l.kind })}</strong>{' '}
          {t('lockBanner.by', { name: l.lockedBy })}{' '}
          <time dateTime={l.lockedAt}>{dateTimeText(l.lockedAt)}</time>: {l.reason}.{' '}
          {l.kind === 'freeze' ? t('lockBanner.freeze') : t('lockBanner.lock')}
        </p>
      ))}
    </div>
  );
}
