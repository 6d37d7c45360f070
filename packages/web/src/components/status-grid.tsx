// The record status grid: subjects × scheduled visits. Each cell says where the visit stands — from
// the schedule (not due / due / overdue / missed, windows counted from day 0 by the same core function
// the server's schedule route uses) or, once the visit is recorded, from its forms (incomplete /
// complete / signed / locked). Status is written out and has its own symbol: never colour alone.
import { UNSCHEDULED_VISIT_CODE, type VisitStatusEntry, visitStatuses } from '@msct/core/protocol';
import { api } from '../api/client.js';
import type { Query, Site, Subject, Visit, VisitWithForms } from '../api/types.js';
import { useLoad } from '../hooks/use-load.js';
import { type Definition, formsExpectedAt, todayIso } from '../lib/definition.js';
import { Link } from '../router.js';
import { LoadError } from './error-box.js';

export type CellStatus =
  | 'not_due'
  | 'due'
  | 'overdue'
  | 'missed'
  | 'incomplete'
  | 'complete'
  | 'signed'
  | 'locked'
  | 'ended'
  | 'none';

const LABEL: Record<CellStatus, string> = {
  not_due: 'not due',
  due: 'due',
  overdue: 'overdue',
  missed: 'missed',
  incomplete: 'incomplete',
  complete: 'complete',
  signed: 'signed',
  locked: 'locked',
  ended: 'not expected',
  none: '—',
};
const SYMBOL: Record<CellStatus, string> = {
  not_due: '○',
  due: '◔',
  overdue: '!',
  missed: '×',
  incomplete: '◐',
  complete: '●',
  signed: '✓',
  locked: '▣',
  ended: '–',
  none: '',
};

const ENDED_STATUSES = new Set(['died', 'withdrawn', 'screen_failed']);

export interface Cell {
  status: CellStatus;
  /** Why: the schedule's reason or the forms' state. */
  reason: string;
  visitId?: string;
  date?: string;
  expectedDate?: string;
}

export interface SubjectRow {
  subject: Subject;
  cells: Map<string, Cell>;
  overdue: { code: string; label: string; latestDate: string; reason: string }[];
  scheduleNote?: string;
}

/** A recorded visit's status from its forms (and the catalog forms the definition expects at it). */
export function recordedStatus(visit: VisitWithForms, definition: Definition): Cell {
  const base = { visitId: visit.id, ...(visit.visitDate ? { date: visit.visitDate } : {}) };
  const present = new Set(visit.forms.map((f) => f.formCode));
  const missing = formsExpectedAt(definition, visit.visitCode)
    .filter((f) => !present.has(f.formCode))
    .map((f) => f.title);
  if (visit.forms.length === 0)
    return { ...base, status: 'incomplete', reason: 'visit opened, no form entered yet' };
  const incomplete = visit.forms.filter((f) => f.status === 'incomplete').map((f) => f.formCode);
  if (incomplete.length > 0 || missing.length > 0)
    return {
      ...base,
      status: 'incomplete',
      reason: [
        incomplete.length ? `incomplete: ${incomplete.join(', ')}` : '',
        missing.length ? `not entered: ${missing.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; '),
    };
  if (visit.forms.every((f) => f.status === 'signed' || f.status === 'locked'))
    return visit.forms.some((f) => f.status === 'locked')
      ? { ...base, status: 'locked', reason: 'all forms signed; locked' }
      : { ...base, status: 'signed', reason: 'all forms signed by the investigator' };
  const unsigned = visit.forms.filter((f) => f.status === 'complete').map((f) => f.formCode);
  return { ...base, status: 'complete', reason: `complete, not signed: ${unsigned.join(', ')}` };
}

function scheduleCell(e: VisitStatusEntry): Cell {
  return {
    status: e.status === 'done' ? 'complete' : e.status,
    reason: e.reason,
    expectedDate: e.targetDate,
  };
}

function buildRow(
  subject: Subject,
  detailed: readonly VisitWithForms[],
  definition: Definition,
  today: string,
): SubjectRow {
  const visits: readonly Visit[] = detailed;
  const cells = new Map<string, Cell>();
  const overdue: SubjectRow['overdue'] = [];
  let scheduleNote: string | undefined;
  if (definition.visits && subject.day0Date) {
    const schedule = visitStatuses({
      visits: definition.visits,
      day0: subject.day0Date,
      today,
      recorded: visits
        .filter((v) => v.visitDate)
        .map((v) => ({ code: v.visitCode, date: v.visitDate!, cycle: v.cycle })),
    });
    // After death or withdrawal no further visit is expected: not overdue, and not in the overdue list.
    const ended = ENDED_STATUSES.has(subject.status);
    for (const e of schedule.visits) {
      if (ended && e.status !== 'done') {
        cells.set(e.code, {
          status: 'ended',
          reason: `subject ${subject.status.replace('_', ' ')}: visit not expected`,
          expectedDate: e.targetDate,
        });
        continue;
      }
      cells.set(e.code, scheduleCell(e));
      if (e.status === 'overdue')
        overdue.push({ code: e.code, label: e.label, latestDate: e.latestDate, reason: e.reason });
    }
  } else if (definition.visits) {
    scheduleNote = 'no day 0 yet: the schedule starts at enrolment';
  }
  // Recorded visits of the first cycle: their forms decide the cell (the schedule's window note stays).
  for (const v of detailed) {
    if (v.cycle !== 1) {
      // A repeat-treatment cycle (trial.md: relapse after 6 months calls for a repeat infusion) gets
      // columns of its own, one per recorded visit; its windows count from the cycle's own day 0,
      // which the grid does not schedule.
      cells.set(cycleKey(v.visitCode, v.cycle), recordedStatus(v, definition));
      continue;
    }
    // Without a schedule (an ad-hoc study) each recorded visit code is a column of its own.
    const code =
      !definition.visits || definition.visits.some((d) => d.code === v.visitCode)
        ? v.visitCode
        : UNSCHEDULED_VISIT_CODE;
    if (code === UNSCHEDULED_VISIT_CODE && cells.has(code)) continue;
    const fromSchedule = cells.get(code);
    const cell = recordedStatus(v, definition);
    cells.set(code, {
      ...cell,
      reason:
        fromSchedule && fromSchedule.status === 'complete'
          ? `${cell.reason}; ${fromSchedule.reason}`
          : cell.reason,
    });
  }
  return { subject, cells, overdue, ...(scheduleNote ? { scheduleNote } : {}) };
}

/** The cell key of a visit of a later treatment cycle: `M3@2` is M3 of cycle 2. */
const cycleKey = (code: string, cycle: number) => `${code}@${cycle}`;

interface Column {
  /** The cell key. */
  code: string;
  /** The column heading. */
  heading: string;
  label: string;
}

/**
 * Columns: the scheduled visits of the definition (else the visit codes recorded so far), then the
 * visits of later cycles that some subject has, by cycle and in schedule order.
 */
function columnsOf(definition: Definition, rows: SubjectRow[]): Column[] {
  const scheduled = definition.visits ?? [];
  const cols: Column[] = scheduled.map((v) => ({ code: v.code, heading: v.code, label: v.label }));
  const known = new Set(cols.map((c) => c.code));
  const later: (Column & { cycle: number; order: number })[] = [];
  for (const r of rows)
    for (const key of r.cells.keys()) {
      if (known.has(key)) continue;
      known.add(key);
      const at = key.lastIndexOf('@');
      if (at > 0) {
        const code = key.slice(0, at);
        const cycle = Number(key.slice(at + 1));
        const def = scheduled.findIndex((v) => v.code === code);
        later.push({
          code: key,
          heading: `${code} c${cycle}`,
          label: `${scheduled[def]?.label ?? code}, treatment cycle ${cycle}`,
          cycle,
          order: def < 0 ? scheduled.length : def,
        });
        continue;
      }
      cols.push({ code: key, heading: key, label: key === UNSCHEDULED_VISIT_CODE ? 'Unscheduled' : key });
    }
  later.sort((a, b) => a.cycle - b.cycle || a.order - b.order || a.code.localeCompare(b.code));
  return [...cols, ...later.map(({ code, heading, label }) => ({ code, heading, label }))];
}

export function StatusBadge({ cell }: { cell: Cell }) {
  return (
    <span className={`cell-status st-${cell.status}`}>
      <span aria-hidden="true">{SYMBOL[cell.status]} </span>
      {LABEL[cell.status]}
    </span>
  );
}

export function RecordStatus({
  studyId,
  definition,
  sites,
  subjects,
  queries,
}: {
  studyId: string;
  definition: Definition;
  sites: Site[];
  subjects: Subject[];
  queries: Query[];
}) {
  const today = todayIso();
  // One request for the whole grid: every visible visit with its forms' states.
  const rows = useLoad(async () => {
    const all = await api.get<VisitWithForms[]>(`/api/studies/${studyId}/visit-overview`);
    const bySubject = new Map<string, VisitWithForms[]>();
    for (const v of all) bySubject.set(v.subjectId, [...(bySubject.get(v.subjectId) ?? []), v]);
    return subjects.map((s) => buildRow(s, bySubject.get(s.id) ?? [], definition, today));
  }, [studyId, subjects.map((s) => `${s.id}:${s.version}`).join(',')]);
  if (rows.error) return <LoadError error={rows.error} what="record status" />;
  if (!rows.data) return <p className="loading">Loading record status…</p>;
  const data = rows.data;
  const cols = columnsOf(definition, data);
  const siteCode = new Map(sites.map((s) => [s.id, s.code]));
  const openQueries = new Map<string, number>();
  for (const q of queries)
    if (q.status !== 'closed') openQueries.set(q.subjectId, (openQueries.get(q.subjectId) ?? 0) + 1);
  const overdue = data.flatMap((r) => r.overdue.map((o) => ({ ...o, subject: r.subject })));

  return (
    <>
      <section aria-labelledby="site-counts-h">
        <h3 id="site-counts-h">Counts per site</h3>
        <table aria-label="Counts per site" className="compact">
          <thead>
            <tr>
              <th scope="col">Site</th>
              <th scope="col">Subjects</th>
              <th scope="col">Screening</th>
              <th scope="col">Enrolled</th>
              <th scope="col">Overdue visits</th>
              <th scope="col">Open queries</th>
            </tr>
          </thead>
          <tbody>
            {sites.map((site) => {
              const mine = data.filter((r) => r.subject.siteId === site.id);
              return (
                <tr key={site.id}>
                  <th scope="row">{site.code}</th>
                  <td>{mine.length}</td>
                  <td>{mine.filter((r) => r.subject.status === 'screening').length}</td>
                  <td>{mine.filter((r) => r.subject.status !== 'screening').length}</td>
                  <td>{mine.reduce((n, r) => n + r.overdue.length, 0)}</td>
                  <td>{mine.reduce((n, r) => n + (openQueries.get(r.subject.id) ?? 0), 0)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
      <div className="grid-scroll">
        <table aria-label="Record status" className="status-grid">
          <thead>
            <tr>
              <th scope="col">Subject</th>
              <th scope="col">Site</th>
              <th scope="col">Status</th>
              <th scope="col">Day 0</th>
              <th scope="col">Open queries</th>
              {cols.map((c) => (
                <th key={c.code} scope="col" title={c.label}>
                  {c.heading}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {data.map((r) => (
              <tr key={r.subject.id} data-subject={r.subject.subjectCode}>
                <th scope="row">
                  <Link href={`/subjects/${r.subject.id}`}>{r.subject.subjectCode}</Link>
                </th>
                <td>{siteCode.get(r.subject.siteId) ?? '—'}</td>
                <td>{r.subject.status}</td>
                <td title={r.scheduleNote}>{r.subject.day0Date ?? '—'}</td>
                <td>{openQueries.get(r.subject.id) ?? 0}</td>
                {cols.map((c) => {
                  const cell = r.cells.get(c.code) ?? { status: 'none' as const, reason: 'not scheduled' };
                  // The row header names the subject; the cell's own name starts with the visit.
                  const label = `${c.heading}: ${LABEL[cell.status]} — ${cell.reason}`;
                  return (
                    <td
                      key={c.code}
                      className={`cell st-${cell.status}`}
                      data-visit={c.code}
                      data-status={cell.status}
                      title={`${r.subject.subjectCode} ${label}`}
                    >
                      {cell.visitId ? (
                        <Link href={`/visits/${cell.visitId}`} aria-label={label}>
                          <StatusBadge cell={cell} />
                        </Link>
                      ) : (
                        <StatusBadge cell={cell} />
                      )}
                      {cell.date && <small className="cell-date">{cell.date}</small>}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="legend">
        {(
          [
            'not_due',
            'due',
            'overdue',
            'missed',
            'incomplete',
            'complete',
            'signed',
            'locked',
            'ended',
          ] as const
        ).map((s) => (
          <StatusBadge key={s} cell={{ status: s, reason: '' }} />
        ))}
      </p>
      <section aria-labelledby="overdue-h">
        <h3 id="overdue-h">Overdue visits</h3>
        {overdue.length === 0 ? (
          <p>No overdue visits.</p>
        ) : (
          <ul aria-label="Overdue visits" className="overdue-list">
            {overdue.map((o) => (
              <li key={`${o.subject.id}:${o.code}`}>
                <Link href={`/subjects/${o.subject.id}`}>{o.subject.subjectCode}</Link> — {o.code} ({o.label}
                ): {o.reason}
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
