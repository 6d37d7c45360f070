import { api } from '../api/client.js';
import type { Query, Subject } from '../api/types.js';
import { useLoad } from '../hooks/use-load.js';
import { t } from '../i18n/index.js';
import { hasRole, useMe } from '../session.js';
import { LoadError } from './error-box.js';
import { RecordQueries } from './record-queries.js';
import { TableScroll } from './table-scroll.js';

/**
 * The subject's own records and their queries: the subject's fields, each visit, each infusion and
 * each adverse event, with its marker and threads and (for the monitor) "raise query". Item and form
 * queries are shown beside their fields on the visit page.
 */
export function SubjectQueries({
  subject,
  visits,
}: {
  subject: Subject;
  visits: { id: string; visitCode: string; cycle: number }[];
}) {
  const me = useMe();
  const reads = hasRole(
    me,
    ['monitor', 'coordinator', 'investigator', 'safety'],
    subject.studyId,
    subject.siteId,
  );
  const canRaise = hasRole(me, 'monitor', subject.studyId, subject.siteId);
  const data = useLoad(
    () =>
      reads
        ? Promise.all([
            api
              .get('/api/studies/:studyId/queries', {
                params: { studyId: subject.studyId },
                // One subject's queries: the largest page the list gives (issue 16).
                query: { subjectId: subject.id, limit: 1000 },
              })
              .then((r) => r.queries),
            api.get('/api/subjects/:subjectId/infusions', { params: { subjectId: subject.id } }),
            api.get('/api/subjects/:subjectId/adverse-events', { params: { subjectId: subject.id } }),
          ])
        : Promise.resolve(undefined),
    [subject.id, reads],
  );
  if (!reads) return null;
  if (data.error) return <LoadError error={data.error} what={t('subjectQueries.loadWhat')} />;
  if (!data.data) return null;
  const [queries, infusions, aes] = data.data;
  const records: {
    key: string;
    entityType: 'subject' | 'visit' | 'infusion' | 'adverse event';
    entityId: string;
    field: string | null;
    label: string;
  }[] = [
    ...['sex', 'birthDate', 'day0Date'].map((f) => ({
      key: `s-${f}`,
      entityType: 'subject' as const,
      entityId: subject.id,
      field: f,
      label: t('subjectQueries.subjectField', { field: f }),
    })),
    ...visits.map((v) => ({
      key: v.id,
      entityType: 'visit' as const,
      entityId: v.id,
      field: null,
      label: t('subjectQueries.visit', { visit: v.visitCode, cycle: v.cycle }),
    })),
    ...infusions.map((i) => ({
      key: i.id,
      entityType: 'infusion' as const,
      entityId: i.id,
      field: null,
      label: t('subjectQueries.infusion', { cycle: i.cycle, number: i.infusionNumber }),
    })),
    ...aes.map((a) => ({
      key: a.id,
      entityType: 'adverse event' as const,
      entityId: a.id,
      field: null,
      label: t('subjectQueries.adverseEvent', { term: a.term, onset: a.onsetDate }),
    })),
  ];
  // Queries on the subject with no field, or with a field not listed above, are shown on the subject.
  const listed = new Set(records.map((r) => `${r.entityType}|${r.entityId}|${r.field ?? ''}`));
  const otherSubject = queries.filter(
    (q: Query) => q.entityType === 'subject' && !listed.has(`subject|${q.entityId}|${q.field ?? ''}`),
  );
  return (
    <section aria-labelledby="record-queries-h">
      <h2 id="record-queries-h">{t('subjectQueries.title')}</h2>
      <p className="hint">{t('subjectQueries.hint')}</p>
      <TableScroll label={t('subjectQueries.title')}>
        <table className="record-queries-table">
          <tbody>
            {records.map((r) => (
              <tr key={r.key}>
                <th scope="row">{r.label}</th>
                <td>
                  <RecordQueries
                    subjectId={subject.id}
                    studyId={subject.studyId}
                    entityType={r.entityType}
                    entityId={r.entityId}
                    field={r.field}
                    label={r.label}
                    queries={queries}
                    canRaise={canRaise}
                    onChanged={data.reload}
                  />
                </td>
              </tr>
            ))}
            {otherSubject.length > 0 && (
              <tr>
                <th scope="row">{t('subjectQueries.subjectOther')}</th>
                <td>
                  <RecordQueries
                    subjectId={subject.id}
                    studyId={subject.studyId}
                    entityType="subject"
                    entityId={subject.id}
                    field={null}
                    label={t('subjectQueries.subject')}
                    queries={otherSubject}
                    canRaise={false}
                    onChanged={data.reload}
                  />
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </TableScroll>
    </section>
  );
}
