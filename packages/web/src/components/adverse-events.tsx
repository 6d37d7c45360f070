import { useState } from 'react';
import { api } from '../api/client.js';
import { useLoad } from '../hooks/use-load.js';
import { t } from '../i18n/index.js';
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
/** A vocabulary code as it is stored (a translation names each code in `code.words`). */
const code = (c: string) => t('code.words', { code: c, words: c });

export function AdverseEvents({ subjectId, canReport }: { subjectId: string; canReport: boolean }) {
  const list = useLoad(
    () => api.get('/api/subjects/:subjectId/adverse-events', { params: { subjectId } }),
    [subjectId],
  );
  const [reported, setReported] = useState(0);
  const [editing, setEditing] = useState<AeRecord>();
  return (
    <section aria-labelledby="ae-h">
      <h2 id="ae-h">{t('aeList.title')}</h2>
      {list.error ? <LoadError error={list.error} what={t('aePage.loadWhat')} /> : null}
      {list.data?.length === 0 && <p>{t('aeList.none')}</p>}
      {list.data && list.data.length > 0 && (
        <TableScroll label={t('aeList.title')}>
          <table aria-label={t('aeList.title')}>
            <thead>
              <tr>
                <th scope="col">{t('aeList.col.term')}</th>
                <th scope="col">{t('aeList.col.onset')}</th>
                <th scope="col">{t('aeList.col.grade')}</th>
                <th scope="col">{t('aeList.col.serious')}</th>
                <th scope="col">{t('aeList.col.related')}</th>
                <th scope="col">{t('aeList.col.outcome')}</th>
                <th scope="col">{t('aeList.col.resolved')}</th>
                <th scope="col">{t('aeList.col.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((a) => (
                <tr key={a.id} className={a.serious ? 'sae' : undefined} data-ae={a.term}>
                  <td>
                    {a.serious && <strong className="badge sae-badge">{t('aePage.sae')}</strong>} {a.term}
                  </td>
                  <td>{a.onsetDate}</td>
                  <td>{a.ctcaeGrade ?? '—'}</td>
                  <td>{a.serious ? a.seriousness.map(code).join(', ') : t('aeList.notSerious')}</td>
                  <td>{code(a.relatedness)}</td>
                  <td>{a.outcome ? code(a.outcome) : '—'}</td>
                  <td>{a.resolutionDate ?? '—'}</td>
                  <td>
                    <Link href={`/adverse-events/${a.id}`}>{t('aeList.details')}</Link>
                    {a.serious && (
                      <>
                        {' '}
                        <a
                          href={`/api/adverse-events/${a.id}/cioms.pdf`}
                          download
                          aria-label={t('aeList.ciomsPdf', { term: a.term })}
                        >
                          {t('aeList.pdf')}
                        </a>{' '}
                        <a
                          href={`/api/adverse-events/${a.id}/cioms.html`}
                          target="_blank"
                          rel="noreferrer"
                          aria-label={t('aeList.ciomsHtml', { term: a.term })}
                        >
                          {t('aeList.html')}
                        </a>
                      </>
                    )}
                    {canReport && (
                      <>
                        {' '}
                        <button
                          type="button"
                          onClick={() => setEditing(a)}
                          aria-label={t('aeList.edit', { term: a.term })}
                        >
                          {t('aeList.editButton')}
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
