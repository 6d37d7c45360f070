import { useState } from 'react';
import { api } from '../api/client.js';
import { useLoad } from '../hooks/use-load.js';
import { Link } from '../router.js';
import { AeForm, type AeRecord } from './ae-form.js';
import { LoadError } from './error-box.js';
import { TableScroll } from './table-scroll.js';

/**
 * A subject's adverse events, serious ones highlighted, each SAE with its CIOMS-I form (the server's
 * PDF and HTML, GET /api/adverse-events/:aeId/cioms.pdf|html); a form to report one (blank again after
 * each report: it is remounted, so no field carries over) and, per event, a form to change it with
 * a reason (issue #21).
 */
export function AdverseEvents({ subjectId, canReport }: { subjectId: string; canReport: boolean }) {
  const list = useLoad(
    () => api.get('/api/subjects/:subjectId/adverse-events', { params: { subjectId } }),
    [subjectId],
  );
  const [reported, setReported] = useState(0);
  const [editing, setEditing] = useState<AeRecord>();
  return (
    <section aria-labelledby="ae-h">
      <h2 id="ae-h">Adverse events</h2>
      {list.error ? <LoadError error={list.error} what="adverse events" /> : null}
      {list.data?.length === 0 && <p>No adverse events reported.</p>}
      {list.data && list.data.length > 0 && (
        <TableScroll label="Adverse events">
          <table aria-label="Adverse events">
            <thead>
              <tr>
                <th scope="col">Term</th>
                <th scope="col">Onset</th>
                <th scope="col">Grade</th>
                <th scope="col">Serious</th>
                <th scope="col">Related</th>
                <th scope="col">Outcome</th>
                <th scope="col">Resolved</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((a) => (
                <tr key={a.id} className={a.serious ? 'sae' : undefined} data-ae={a.term}>
                  <td>
                    {a.serious && <strong className="badge sae-badge">SAE</strong>} {a.term}
                  </td>
                  <td>{a.onsetDate}</td>
                  <td>{a.ctcaeGrade ?? '—'}</td>
                  <td>{a.serious ? a.seriousness.join(', ') : 'no'}</td>
                  <td>{a.relatedness}</td>
                  <td>{a.outcome ?? '—'}</td>
                  <td>{a.resolutionDate ?? '—'}</td>
                  <td>
                    <Link href={`/adverse-events/${a.id}`}>Details</Link>
                    {a.serious && (
                      <>
                        {' '}
                        <a
                          href={`/api/adverse-events/${a.id}/cioms.pdf`}
                          download
                          aria-label={`CIOMS-I form of ${a.term} (PDF)`}
                        >
                          CIOMS-I (PDF)
                        </a>{' '}
                        <a
                          href={`/api/adverse-events/${a.id}/cioms.html`}
                          target="_blank"
                          rel="noreferrer"
                          aria-label={`CIOMS-I form of ${a.term} (HTML)`}
                        >
                          (HTML)
                        </a>
                      </>
                    )}
                    {canReport && (
                      <>
                        {' '}
                        <button type="button" onClick={() => setEditing(a)} aria-label={`Edit ${a.term}`}>
                          Edit
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {canReport && editing && (
        <AeForm
          key={`edit-${editing.id}-${editing.version}`}
          subjectId={subjectId}
          editing={editing}
          onSaved={() => {
            setEditing(undefined);
            list.reload();
          }}
          onCancel={() => setEditing(undefined)}
          onReload={async () => {
            const fresh = await api.get('/api/subjects/:subjectId/adverse-events', { params: { subjectId } });
            setEditing(fresh.find((a) => a.id === editing.id));
            list.reload();
          }}
        />
      )}
      {canReport && (
        <AeForm
          key={`new-${reported}`}
          subjectId={subjectId}
          onSaved={() => {
            setReported((n) => n + 1);
            list.reload();
          }}
        />
      )}
    </section>
  );
}
