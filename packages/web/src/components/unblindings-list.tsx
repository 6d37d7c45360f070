// Emergency unblindings of a randomised study (issue 24), on the study home of the roles they are
// notified to: safety (every site), investigators (their sites) and administrators. The arm is shown
// only when the server sends it (safety sees it; a blinded role who did not unblind does not).
import { api } from '../api/client.js';
import { useLoad } from '../hooks/use-load.js';
import { t } from '../i18n/index.js';
import { dateText } from '../lib/dates.js';
import { Link } from '../router.js';
import { LoadError } from './error-box.js';
import { TableScroll } from './table-scroll.js';

export function UnblindingsList({
  studyId,
  arms,
}: {
  studyId: string;
  arms: readonly { id: string; label: string }[];
}) {
  const data = useLoad(
    () => api.get('/api/studies/:studyId/unblindings', { params: { studyId } }),
    [studyId],
  );
  if (data.error) return <LoadError error={data.error} what={t('unblindings.loadWhat')} />;
  if (!data.data) return <p className="loading">{t('common.loading')}</p>;
  if (data.data.length === 0) return <p>{t('unblindings.none')}</p>;
  return (
    <TableScroll label={t('unblindings.scroll')}>
      <table aria-label={t('unblindings.table')}>
        <thead>
          <tr>
            <th scope="col">{t('unblindings.col.date')}</th>
            <th scope="col">{t('unblindings.col.subject')}</th>
            <th scope="col">{t('unblindings.col.by')}</th>
            <th scope="col">{t('unblindings.col.reason')}</th>
            <th scope="col">{t('unblindings.col.arm')}</th>
          </tr>
        </thead>
        <tbody>
          {data.data.map((u) => (
            <tr key={u.id}>
              <td>{dateText(u.at)}</td>
              <td>
                <Link href={`/subjects/${u.subjectId}`}>{u.subjectCode}</Link>
              </td>
              <td>{u.by}</td>
              <td>{u.reason}</td>
              <td>
                {u.arm === null
                  ? t('unblindings.blinded')
                  : (arms.find((a) => a.id === u.arm)?.label ?? u.arm)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
