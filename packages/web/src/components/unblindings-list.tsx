// Emergency unblindings of a randomised study (issue 24), on the study home of the roles they are
// notified to: safety (every site), investigators (their sites) and administrators. The arm is shown
// only when the server sends it (safety sees it; a blinded role who did not unblind does not).
import { api } from '../api/client.js';
import { useLoad } from '../hooks/use-load.js';
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
  if (data.error) return <LoadError error={data.error} what="emergency unblindings" />;
  if (!data.data) return <p className="loading">Loading…</p>;
  if (data.data.length === 0) return <p>No subject has been unblinded.</p>;
  return (
    <TableScroll label="Emergency unblinding list">
      <table aria-label="Emergency unblindings">
        <thead>
          <tr>
            <th scope="col">Date</th>
            <th scope="col">Subject</th>
            <th scope="col">Unblinded by</th>
            <th scope="col">Reason</th>
            <th scope="col">Arm</th>
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
              <td>{u.arm === null ? 'Blinded' : (arms.find((a) => a.id === u.arm)?.label ?? u.arm)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
