import { api } from '../api/client.js';
import type { Query } from '../api/types.js';
import { EnrolForm } from '../components/enrol-form.js';
import { LoadError } from '../components/error-box.js';
import { QueryList } from '../components/query-list.js';
import { SdvPlanEditor } from '../components/sdv-plan-editor.js';
import { RecordStatus } from '../components/status-grid.js';
import { TableScroll } from '../components/table-scroll.js';
import { UnblindingsList } from '../components/unblindings-list.js';
import { useLoad } from '../hooks/use-load.js';
import { definitionOf, todayIso } from '../lib/definition.js';
import { Link, navigate } from '../router.js';
import { hasRole, isAdmin, useMe } from '../session.js';

/**
 * Study home: sites with subject counts (counted by the server over every subject at the user's
 * sites), the record status grid one page at a time, enrolment and open queries.
 */
export function StudyHome({ studyId }: { studyId: string }) {
  const me = useMe();
  const data = useLoad(
    () =>
      Promise.all([
        api.get('/api/studies/:studyId', { params: { studyId } }),
        api.get('/api/studies/:studyId/sites', { params: { studyId } }),
      ]),
    [studyId],
  );
  const counts = useLoad(
    () =>
      api.get('/api/studies/:studyId/subject-counts', { params: { studyId }, query: { today: todayIso() } }),
    [studyId],
  );
  // The open and the answered queries, the first page of each (the list is paged, issue 16); the
  // counts come from the server over every query at the user's sites.
  const queries = useLoad(async () => {
    if (!hasRole(me, ['monitor', 'coordinator', 'investigator', 'safety'], studyId)) return undefined;
    const page = (status: 'open' | 'answered') =>
      api.get('/api/studies/:studyId/queries', { params: { studyId }, query: { status, limit: 100 } });
    const [open, answered] = await Promise.all([page('open'), page('answered')]);
    const shown: Query[] = [...open.queries, ...answered.queries].sort((a, b) =>
      a.raisedAt.localeCompare(b.raisedAt),
    );
    return {
      shown,
      byStatus: open.counts.byStatus,
      unshown: open.counts.total + answered.counts.total - shown.length,
    };
  }, [studyId]);
  if (data.error) return <LoadError error={data.error} what="study" />;
  if (!data.data) return <p className="loading">Loading…</p>;
  const [study, sites] = data.data;
  const enrolSites = sites.filter((s) => hasRole(me, ['coordinator', 'investigator'], studyId, s.id));
  const subjectsAt = new Map(counts.data?.sites.map((c) => [c.siteId, c.subjects]));

  return (
    <section>
      <h1>
        {study.code} — {study.title}
      </h1>
      {hasRole(me, ['statistician', 'monitor', 'investigator'], studyId) && (
        <p>
          <Link href={`/studies/${studyId}/analysis`}>Analysis and endpoints</Link>
        </p>
      )}
      {hasRole(me, ['statistician', 'monitor'], studyId) && (
        <p>
          <Link href={`/studies/${studyId}/exports`}>Exports</Link>
        </p>
      )}
      <p>
        <Link href={`/studies/${studyId}/signatures`}>
          {hasRole(me, 'investigator', studyId)
            ? 'Awaiting my signature, requests to unlock, locks'
            : 'Freezes and locks'}
        </Link>
      </p>
      {hasRole(me, 'monitor', studyId) && (
        <p>
          <Link href={`/studies/${studyId}/worklist`}>Monitor's worklist</Link>
        </p>
      )}
      {hasRole(me, ['coordinator', 'investigator'], studyId) && (
        <p>
          {/* Issue 22: visits due and overdue, forms to complete, queries, unlock answers. */}
          <Link href={`/studies/${studyId}/entry-worklist`}>My site's worklist</Link>
        </p>
      )}
      {hasRole(me, 'admin', studyId) && (
        <p>
          <Link href={`/studies/${studyId}/builder`}>Form builder</Link>
        </p>
      )}
      {hasRole(me, 'admin', studyId) && (definitionOf(study).forms ?? []).length > 0 && (
        <p>
          <Link href={`/studies/${studyId}/lab-ranges`}>Lab reference ranges</Link>
        </p>
      )}
      <p>
        <Link href={`/studies/${studyId}/adverse-events`}>Adverse events and SAEs</Link>
      </p>
      {(definitionOf(study).labReferenceRanges ?? []).length > 0 && (
        <p>
          <Link href={`/studies/${studyId}/out-of-range-labs`}>Out-of-range labs</Link>
        </p>
      )}
      {(definitionOf(study).forms ?? []).length > 0 && (
        <p>
          {/* Printed by the server (headless Chromium), one form per page (issue #22). */}
          <a href={`/api/studies/${studyId}/crfs.pdf`} download={`${study.code}-blank-crfs.pdf`}>
            Print blank CRFs (PDF)
          </a>
        </p>
      )}
      <div className="columns">
        <section aria-labelledby="sites-h">
          <h2 id="sites-h">Sites</h2>
          <TableScroll label="Site list">
            <table>
              <thead>
                <tr>
                  <th scope="col">Site</th>
                  <th scope="col">Name</th>
                  <th scope="col">Subjects</th>
                </tr>
              </thead>
              <tbody>
                {sites.map((s) => (
                  <tr key={s.id}>
                    <td>{s.code}</td>
                    <td>{s.name}</td>
                    <td>{subjectsAt.get(s.id)?.toLocaleString('en-GB') ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        </section>
        <section aria-labelledby="queries-h">
          <h2 id="queries-h">Open queries</h2>
          {queries.error ? <LoadError error={queries.error} what="queries" /> : null}
          {queries.data && (
            <p data-testid="query-counts">
              Open {queries.data.byStatus.open} · Answered {queries.data.byStatus.answered} · Closed{' '}
              {queries.data.byStatus.closed} ·{' '}
              <Link href={`/studies/${studyId}/queries`}>All queries (filters, CSV)</Link>
              {queries.data.unshown > 0 ? ` · the ${queries.data.shown.length} oldest shown here` : ''}
            </p>
          )}
          {queries.data && (
            <QueryList queries={queries.data.shown} studyId={studyId} onChange={queries.reload} />
          )}
        </section>
      </div>
      <section aria-labelledby="subjects-h">
        <h2 id="subjects-h">Subjects</h2>
        <p className="hint">Record status: subjects × scheduled visits, at your sites.</p>
        {counts.error ? <LoadError error={counts.error} what="subject counts" /> : null}
        <RecordStatus
          studyId={studyId}
          definition={definitionOf(study)}
          sites={sites}
          counts={counts.data}
          pseudonymised={!hasRole(me, ['investigator', 'coordinator', 'monitor', 'safety'], studyId)}
        />
      </section>
      {(definitionOf(study).arms?.length ?? 0) > 0 &&
        (isAdmin(me) || hasRole(me, ['investigator', 'safety'], studyId)) && (
          <section aria-labelledby="unblindings-h">
            <h2 id="unblindings-h">Emergency unblindings</h2>
            <UnblindingsList studyId={studyId} arms={definitionOf(study).arms ?? []} />
          </section>
        )}
      {isAdmin(me) && (
        <section aria-labelledby="sdv-h">
          <h2 id="sdv-h">Source data verification plan</h2>
          <SdvPlanEditor studyId={studyId} definition={definitionOf(study)} />
        </section>
      )}
      {enrolSites.length > 0 && (
        <section aria-labelledby="enrol-h">
          <h2 id="enrol-h">Enrol a subject</h2>
          <EnrolForm studyId={studyId} sites={enrolSites} onEnrolled={(s) => navigate(`/subjects/${s.id}`)} />
        </section>
      )}
    </section>
  );
}
