// The patient's course: a timeline of visits with infusion markers, small line charts of the disease
// measures over study days, and the current endpoint verdict with its trace — all from
// GET /api/subjects/:id/endpoints (the server's adjudication of the stored items).
import { BILAG2004_SYSTEM_LABELS } from '@msct/core/crf';
import { daysBetween } from '@msct/core/protocol';
import { api } from '../api/client.js';
import type { Subject, SubjectEndpoints } from '../api/types.js';
import { useLoad } from '../hooks/use-load.js';
import { t } from '../i18n/index.js';
import { LoadError } from './error-box.js';

/** One visit of GET /api/subjects/:id/endpoints. */
type EndpointVisit = SubjectEndpoints['visits'][number];

interface Point {
  x: number;
  y: number;
  label: string;
}

const SERIES: {
  key: string;
  title: () => string;
  unit: string;
  get(v: EndpointVisit): number | null | undefined;
}[] = [
  { key: 'sledai', title: () => t('patientCourse.series.sledai'), unit: '', get: (v) => v.sledai },
  { key: 'bilag', title: () => t('patientCourse.series.bilag'), unit: '', get: (v) => v.bilagTotal },
  {
    key: 'proteinuria',
    title: () => t('patientCourse.series.proteinuria'),
    unit: 'g/24 h',
    get: (v) => v.labs.proteinuriaG24h,
  },
  {
    key: 'creatinine',
    title: () => t('patientCourse.series.creatinine'),
    unit: 'µmol/L',
    get: (v) => v.labs.creatinineUmolL,
  },
  { key: 'c3', title: () => t('patientCourse.series.c3'), unit: 'g/L', get: (v) => v.labs.c3GL },
  {
    key: 'dsdna',
    title: () => t('patientCourse.series.dsdna'),
    unit: 'IU/mL',
    get: (v) => v.labs.antiDsDnaIuMl,
  },
];

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toPrecision(3).replace(/\.?0+$/, ''));

/** A small line chart: study day on x, the measure on y, infusions as dashed verticals. */
export function LineChart({
  title,
  unit,
  points,
  infusionDays,
  domain,
}: {
  title: string;
  unit: string;
  points: Point[];
  infusionDays: number[];
  domain: [number, number];
}) {
  const W = 340;
  const H = 150;
  const m = { l: 44, r: 10, t: 10, b: 26 };
  const ys = points.map((p) => p.y);
  const yMin = Math.min(0, ...ys);
  const yMax = Math.max(...ys, yMin + 1);
  const [x0, x1] = domain[0] === domain[1] ? [domain[0] - 1, domain[1] + 1] : domain;
  const sx = (x: number) => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const sy = (y: number) => H - m.b - ((y - yMin) / (yMax - yMin)) * (H - m.t - m.b);
  const described = points
    .map((p) => t('patientCourse.chart.point', { visit: p.label, day: p.x, value: fmt(p.y) }))
    .join(t('patientCourse.listSeparator'));
  const caption = unit ? t('patientCourse.chart.captionUnit', { title, unit }) : title;
  return (
    <figure className="chart" data-chart={title}>
      <figcaption>{caption}</figcaption>
      {points.length === 0 ? (
        <p className="muted">{t('patientCourse.chart.noValues')}</p>
      ) : (
        <svg
          viewBox={`0 0 ${W} ${H}`}
          width={W}
          height={H}
          role="img"
          aria-label={t('patientCourse.chart.label', { caption, points: described })}
        >
          <line x1={m.l} y1={H - m.b} x2={W - m.r} y2={H - m.b} stroke="#888" />
          <line x1={m.l} y1={m.t} x2={m.l} y2={H - m.b} stroke="#888" />
          {[yMin, (yMin + yMax) / 2, yMax].map((tick) => (
            <g key={tick}>
              <line x1={m.l - 4} x2={m.l} y1={sy(tick)} y2={sy(tick)} stroke="#888" />
              <text x={m.l - 6} y={sy(tick) + 4} textAnchor="end" fontSize="10" fill="#333">
                {fmt(tick)}
              </text>
            </g>
          ))}
          <text x={m.l} y={H - 6} fontSize="10" fill="#333">
            {t('patientCourse.day', { day: x0 })}
          </text>
          <text x={W - m.r} y={H - 6} fontSize="10" fill="#333" textAnchor="end">
            {t('patientCourse.day', { day: x1 })}
          </text>
          {infusionDays.map((d) => (
            <line key={d} x1={sx(d)} x2={sx(d)} y1={m.t} y2={H - m.b} stroke="#7a3db8" strokeDasharray="3 3">
              <title>{t('patientCourse.chart.infusion', { day: d })}</title>
            </line>
          ))}
          <polyline
            fill="none"
            stroke="#0b5cad"
            strokeWidth="2"
            points={points.map((p) => `${sx(p.x)},${sy(p.y)}`).join(' ')}
          />
          {points.map((p) => (
            <circle key={`${p.label}-${p.x}`} cx={sx(p.x)} cy={sy(p.y)} r="3.5" fill="#0b5cad">
              <title>
                {t('patientCourse.chart.pointTitle', { visit: p.label, day: p.x, value: fmt(p.y), unit })}
              </title>
            </circle>
          ))}
        </svg>
      )}
    </figure>
  );
}

/** Visits as labelled dots along study days; infusions as triangles. */
function Timeline({
  visits,
  infusions,
  domain,
}: {
  visits: EndpointVisit[];
  infusions: { day: number; label: string }[];
  domain: [number, number];
}) {
  const W = 1000;
  const H = 90;
  const m = { l: 20, r: 20 };
  const [x0, x1] = domain[0] === domain[1] ? [domain[0] - 1, domain[1] + 1] : domain;
  const sx = (x: number) => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const dated = visits.filter((v) => v.studyDay !== null);
  const text = [
    ...dated.map((v) => t('patientCourse.timeline.entry', { label: v.visitCode, day: v.studyDay ?? '' })),
    ...infusions.map((i) => t('patientCourse.timeline.entry', { label: i.label, day: i.day })),
  ].join(t('patientCourse.listSeparator'));
  return (
    <svg
      viewBox={`0 0 ${W} ${H}`}
      width="100%"
      height={H}
      role="img"
      aria-label={t('patientCourse.timeline.label', { text: text || t('patientCourse.timeline.none') })}
      className="timeline"
    >
      <line x1={m.l} x2={W - m.r} y1={45} y2={45} stroke="#888" />
      {infusions.map((i) => (
        <g key={`${i.label}-${i.day}`} data-infusion-day={i.day}>
          <polygon points={`${sx(i.day)},52 ${sx(i.day) - 7},66 ${sx(i.day) + 7},66`} fill="#7a3db8">
            <title>{t('patientCourse.timeline.infusionTitle', { label: i.label, day: i.day })}</title>
          </polygon>
          <text x={sx(i.day)} y={80} fontSize="11" textAnchor="middle" fill="#4b2377">
            {i.label}
          </text>
        </g>
      ))}
      {dated.map((v) => (
        <g key={v.visitId}>
          <circle cx={sx(v.studyDay!)} cy={45} r="6" fill="#0b5cad">
            <title>
              {t('patientCourse.timeline.visitTitle', {
                visit: v.visitCode,
                date: v.date ?? '',
                day: v.studyDay ?? '',
              })}
            </title>
          </circle>
          <text x={sx(v.studyDay!)} y={30} fontSize="11" textAnchor="middle" fill="#1a1a1a">
            {v.visitCode}
          </text>
          <text x={sx(v.studyDay!)} y={16} fontSize="9" textAnchor="middle" fill="#555">
            {t('patientCourse.timeline.dayShort', { day: v.studyDay ?? '' })}
          </text>
        </g>
      ))}
    </svg>
  );
}

export function EndpointVerdict({ endpoints }: { endpoints: SubjectEndpoints }) {
  const a = endpoints.adjudication;
  if (!a)
    return (
      <div className="verdict" data-testid="verdict">
        <p>
          <span className="outcome">{t('patientCourse.verdict.notAdjudicated')}</span>
        </p>
        {endpoints.problems.length > 0 && (
          <ul aria-label={t('patientCourse.verdict.whyNot')}>
            {endpoints.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        )}
      </div>
    );
  const v = a.primary;
  return (
    <div className="verdict" data-testid="verdict">
      <p>
        <span className="outcome" data-testid="verdict-outcome">
          {v.label}
        </span>{' '}
        {v.firstResponseMonth !== null && (
          <span>{t('patientCourse.verdict.firstResponse', { month: v.firstResponseMonth })}</span>
        )}
      </p>
      <p data-testid="verdict-summary">{v.summary}</p>
      {a.death && (
        <p>
          {a.death.cause
            ? t('patientCourse.verdict.diedOf', {
                day: a.death.studyDay,
                date: a.death.date,
                cause: a.death.cause,
              })
            : t('patientCourse.verdict.died', { day: a.death.studyDay, date: a.death.date })}
        </p>
      )}
      <details open>
        <summary>{t('patientCourse.verdict.traceSummary')}</summary>
        <ol aria-label={t('patientCourse.verdict.trace')}>
          {v.trace.map((step, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the trace is an ordered, immutable list
            <li key={`${step.rule}-${i}`} className={`trace-${step.outcome}`}>
              <code>{step.rule}</code>
              {!step.visitCode
                ? t('patientCourse.verdict.traceStep', { outcome: step.outcome, text: step.text })
                : step.studyDay === undefined
                  ? t('patientCourse.verdict.traceStepAt', {
                      outcome: step.outcome,
                      visit: step.visitCode,
                      text: step.text,
                    })
                  : t('patientCourse.verdict.traceStepAtDay', {
                      outcome: step.outcome,
                      visit: step.visitCode,
                      day: step.studyDay,
                      text: step.text,
                    })}
            </li>
          ))}
        </ol>
      </details>
    </div>
  );
}

/** The clinician's names of the BILAG-2004 systems (the API names them by code). */
const SYSTEM_LABEL = new Map<string, string>(Object.entries(BILAG2004_SYSTEM_LABELS));

/** BILAG-2004 grades of this patient that rest on provisional grading rules (issue #18 item 13). */
function ProvisionalBilag2004({ visits }: { visits: EndpointVisit[] }) {
  const marked = visits.filter((v) => v.bilag2004Grades && (v.bilag2004Provisional?.length ?? 0) > 0);
  if (marked.length === 0) return null;
  return (
    <div className="provisional-note" data-testid="bilag2004-provisional">
      <p>{t('patientCourse.provisional.intro')}</p>
      <ul>
        {marked.map((v) => (
          <li key={v.visitId}>
            {t('patientCourse.provisional.visit', {
              visit: v.visitCode,
              grades: v
                .bilag2004Provisional!.map((s) =>
                  t('patientCourse.provisional.grade', {
                    system: SYSTEM_LABEL.get(s) ?? s,
                    grade: v.bilag2004Grades![s] ?? '',
                  }),
                )
                .join(t('patientCourse.provisional.separator')),
            })}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function PatientCourse({ subject }: { subject: Subject }) {
  const data = useLoad(
    () =>
      Promise.all([
        api.get('/api/subjects/:subjectId/endpoints', { params: { subjectId: subject.id } }),
        api.get('/api/subjects/:subjectId/infusions', { params: { subjectId: subject.id } }),
      ]),
    [subject.id, subject.version],
  );
  if (data.error) return <LoadError error={data.error} what={t('patientCourse.loadWhat')} />;
  if (!data.data) return <p className="loading">{t('patientCourse.loading')}</p>;
  const [endpoints, infusionList] = data.data;
  const visits = endpoints.visits
    .filter((v) => v.studyDay !== null)
    .sort((a, b) => a.studyDay! - b.studyDay!);
  const infusions = subject.day0Date
    ? infusionList
        .filter((i) => i.status === 'given' && i.plannedDate)
        .map((i) => ({
          day: daysBetween(subject.day0Date!, i.plannedDate!),
          label: t('patientCourse.infusionLabel', { cycle: i.cycle, number: i.infusionNumber }),
        }))
    : [];
  const days = [...visits.map((v) => v.studyDay!), ...infusions.map((i) => i.day)];
  const domain: [number, number] = days.length ? [Math.min(...days), Math.max(...days)] : [0, 1];
  return (
    <section aria-labelledby="course-h">
      <h2 id="course-h">{t('patientCourse.title')}</h2>
      <h3>{t('patientCourse.endpointStatus')}</h3>
      {endpoints.endpointBilag && <p data-testid="endpoint-bilag">{endpoints.endpointBilag}</p>}
      <EndpointVerdict endpoints={endpoints} />
      <ProvisionalBilag2004 visits={visits} />
      <h3>{t('patientCourse.timeline.title')}</h3>
      {visits.length === 0 && infusions.length === 0 ? (
        <p>{t('patientCourse.timeline.empty')}</p>
      ) : (
        <Timeline visits={visits} infusions={infusions} domain={domain} />
      )}
      <h3>{t('patientCourse.measures')}</h3>
      <div className="charts">
        {SERIES.map((s) => (
          <LineChart
            key={s.key}
            title={s.title()}
            unit={s.unit}
            domain={domain}
            infusionDays={infusions.map((i) => i.day)}
            points={visits.flatMap((v) => {
              const y = s.get(v);
              return y === null || y === undefined ? [] : [{ x: v.studyDay!, y, label: v.visitCode }];
            })}
          />
        ))}
      </div>
    </section>
  );
}
