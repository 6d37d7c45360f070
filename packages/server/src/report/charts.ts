// The report's charts (analysis-plan.md "Charts") as Vega-Lite specs rendered to inline SVG
// (DESIGN.md: the same specs the web UI draws). Rendered headless with renderer 'none': no canvas.
import type { AnalysisResults, MeasureAnalysis, SurvivalCurve } from '@msct/core/analysis';
import { describe } from '@msct/core/stats';
import * as vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import * as vl from 'vega-lite';

export const RESPONSE_COLOURS = {
  MCR: '#1b7837',
  PCR: '#7fbf7b',
  NR: '#b2182b',
  pending: '#999999',
} as const;
const FONT = { font: 'Helvetica, Arial, sans-serif', labelFontSize: 10, titleFontSize: 11 };
const CONFIG = { axis: FONT, legend: FONT, title: { font: FONT.font, fontSize: 12 }, view: { stroke: null } };

export async function toSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = vl.compile({ ...spec, config: CONFIG } as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** Mean ± SE per timepoint, "*" where the primary paired test vs baseline has p < α (plan "Charts"). */
export function trajectorySpec(m: MeasureAnalysis, alpha: number): TopLevelSpec {
  const values = m.timepoints.flatMap((t) => {
    if (!t.summary.ok) return [];
    const s = t.summary.value;
    const se = s.se ?? 0;
    return [
      {
        timepoint: t.timepoint,
        mean: s.mean,
        lo: s.mean - se,
        hi: s.mean + se,
        n: s.n,
        mark: t.primaryP !== null && t.primaryP < alpha ? '*' : '',
      },
    ];
  });
  const order = m.timepoints.map((t) => t.timepoint);
  const x = {
    field: 'timepoint',
    type: 'ordinal' as const,
    sort: order,
    title: null,
    axis: { labelAngle: 0 },
  };
  return {
    width: 220,
    height: 130,
    title: { text: m.label, subtitle: `${m.unit}, mean ± SE; * p < ${alpha} vs D0` },
    data: { values },
    layer: [
      {
        mark: { type: 'errorbar', ticks: true },
        encoding: {
          x,
          y: { field: 'lo', type: 'quantitative', title: null, scale: { zero: false } },
          y2: { field: 'hi' },
        },
      },
      {
        mark: { type: 'line', point: true, color: '#2166ac' },
        encoding: { x, y: { field: 'mean', type: 'quantitative' } },
      },
      {
        mark: { type: 'text', dy: -10, fontSize: 14, fontWeight: 'bold' },
        encoding: { x, y: { field: 'hi', type: 'quantitative' }, text: { field: 'mark' } },
      },
    ],
  } as TopLevelSpec;
}

/** Kaplan–Meier step curve with its log-log CI band and censoring ticks. */
export function kaplanMeierSpec(c: SurvivalCurve, xTitle: string): TopLevelSpec | null {
  if (!c.fit.ok) return null;
  const f = c.fit.value;
  const values = [{ time: 0, s: 1, lo: 1, hi: 1, censored: 0 }];
  f.time.forEach((t, i) => {
    const s = f.survival[i]!;
    values.push({ time: t, s, lo: f.lower[i] ?? s, hi: f.upper[i] ?? s, censored: f.nCensor[i]! });
  });
  const x = { field: 'time', type: 'quantitative' as const, title: xTitle };
  return {
    width: 360,
    height: 200,
    title: { text: c.label, subtitle: `n = ${f.n}, events = ${f.events}; 95% CI (log-log, Greenwood)` },
    data: { values },
    layer: [
      {
        mark: { type: 'area', interpolate: 'step-after', opacity: 0.2, color: '#2166ac' },
        encoding: {
          x,
          y: { field: 'lo', type: 'quantitative', scale: { domain: [0, 1] }, title: 'S(t)' },
          y2: { field: 'hi' },
        },
      },
      {
        mark: { type: 'line', interpolate: 'step-after', color: '#2166ac' },
        encoding: { x, y: { field: 's', type: 'quantitative' } },
      },
      {
        transform: [{ filter: 'datum.censored > 0' }],
        mark: { type: 'tick', orient: 'vertical', size: 8, color: '#2166ac' },
        encoding: { x, y: { field: 's', type: 'quantitative' } },
      },
    ],
  } as TopLevelSpec;
}

/** Stacked response bars (% of enrolled), overall and per centre. */
export function responseBarSpec(r: AnalysisResults): TopLevelSpec {
  const values = [r.response.overall, ...r.response.bySite].flatMap((t) =>
    (['MCR', 'PCR', 'NR'] as const).map((o) => ({
      group: t.group,
      outcome: o,
      pct: t[o].estimate ?? 0,
      n: t[o].x,
    })),
  );
  return {
    width: 360,
    height: { step: 22 },
    title: { text: 'Best response over 12 months', subtitle: '% of enrolled (NRI)' },
    data: { values },
    mark: 'bar',
    encoding: {
      y: { field: 'group', type: 'nominal', sort: null, title: null },
      x: {
        field: 'pct',
        type: 'quantitative',
        stack: 'zero',
        axis: { format: '%' },
        title: null,
        scale: { domain: [0, 1] },
      },
      color: {
        field: 'outcome',
        type: 'nominal',
        sort: ['MCR', 'PCR', 'NR'],
        scale: {
          domain: ['MCR', 'PCR', 'NR'],
          range: [RESPONSE_COLOURS.MCR, RESPONSE_COLOURS.PCR, RESPONSE_COLOURS.NR],
        },
      },
      order: { field: 'outcome', sort: 'ascending' },
    },
  } as TopLevelSpec;
}

/**
 * Above this many patients the patient charts are drawn from aggregates, not one mark per patient
 * (issue 16: a 20 000-patient report; one line or lane per patient is unreadable long before, and
 * the chart library's cost grows with the marks). The per-patient listing stays in the report.
 */
export const PER_PATIENT_CHART_LIMIT = 60;

const BEST = ['MCR', 'PCR', 'NR', 'pending'] as const;

/** SLEDAI-2K per timepoint by best response: median with the IQR (aggregate of any size). */
export function sledaiByResponseSpec(r: AnalysisResults): TopLevelSpec {
  const values = r.definitions.timepoints.flatMap((t) =>
    BEST.flatMap((best) => {
      const xs: number[] = [];
      for (const p of r.listing) {
        const v = p.sledai[t];
        if (p.bestResponse === best && v !== null && v !== undefined) xs.push(v);
      }
      const d = describe(xs);
      return d.ok
        ? [{ timepoint: t, best, median: d.value.median, q1: d.value.q1, q3: d.value.q3, n: d.value.n }]
        : [];
    }),
  );
  const x = {
    field: 'timepoint',
    type: 'ordinal' as const,
    sort: r.definitions.timepoints,
    title: null,
    axis: { labelAngle: 0 },
  };
  const color = {
    field: 'best',
    type: 'nominal' as const,
    title: 'best response',
    scale: { domain: [...BEST], range: Object.values(RESPONSE_COLOURS) },
  };
  return {
    width: 360,
    height: 220,
    title: {
      text: 'SLEDAI-2K by best response',
      subtitle: `median and IQR per timepoint, ${r.listing.length} patients`,
    },
    data: { values },
    layer: [
      {
        mark: { type: 'errorbar', ticks: true },
        encoding: {
          x,
          xOffset: { field: 'best', sort: [...BEST] },
          y: { field: 'q1', type: 'quantitative', title: 'SLEDAI-2K' },
          y2: { field: 'q3' },
          color,
        },
      },
      {
        mark: { type: 'line', point: true },
        encoding: { x, y: { field: 'median', type: 'quantitative' }, color },
      },
    ],
  } as TopLevelSpec;
}

/**
 * Follow-up and events of many patients: patients still followed at each 30-day mark by best
 * response, and the first responses, relapses and deaths per 30-day window (counts, not lanes).
 */
export function followUpSpec(r: AnalysisResults): TopLevelSpec {
  const STEP = 30;
  let last = 0;
  for (const p of r.listing) last = Math.max(last, p.lastContactDay ?? 0);
  const marks = Array.from({ length: Math.floor(last / STEP) + 1 }, (_, i) => i * STEP);
  const followed = BEST.flatMap((best) => {
    const ends = r.listing.filter((p) => p.bestResponse === best).map((p) => p.lastContactDay ?? 0);
    if (ends.length === 0) return [];
    return marks.map((day) => ({ day, best, patients: ends.filter((e) => e >= day).length }));
  });
  const counts = new Map<string, number>();
  const add = (day: number | null, event: string) => {
    if (day === null) return;
    const k = `${Math.floor(Math.max(0, day) / STEP) * STEP}|${event}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  };
  for (const p of r.listing) {
    add(p.firstResponseDay, 'first response');
    add(p.relapseDay, 'relapse');
    add(p.deathDay, 'death');
  }
  const events = [...counts].map(([k, n]) => {
    const [day, event] = k.split('|');
    return { day: Number(day), end: Number(day) + STEP, event, patients: n };
  });
  const x = { field: 'day', type: 'quantitative' as const, title: 'study day' };
  return {
    title: { text: 'Follow-up and events', subtitle: `${r.listing.length} patients; 30-day windows` },
    vconcat: [
      {
        width: 420,
        height: 140,
        data: { values: followed },
        mark: { type: 'line', interpolate: 'step-after' },
        encoding: {
          x,
          y: { field: 'patients', type: 'quantitative', title: 'patients followed' },
          color: {
            field: 'best',
            type: 'nominal',
            title: 'best response',
            scale: { domain: [...BEST], range: Object.values(RESPONSE_COLOURS) },
          },
        },
      },
      {
        width: 420,
        height: 100,
        data: { values: events },
        mark: 'bar',
        encoding: {
          x,
          x2: { field: 'end' },
          y: { field: 'patients', type: 'quantitative', stack: 'zero', title: 'patients' },
          color: {
            field: 'event',
            type: 'nominal',
            title: 'event',
            scale: {
              domain: ['first response', 'relapse', 'death'],
              range: ['#4393c3', '#f4a582', '#000000'],
            },
          },
        },
      },
    ],
    resolve: { scale: { color: 'independent' } },
  } as TopLevelSpec;
}

/** Per-patient SLEDAI-2K trajectories coloured by best response (aggregated above PER_PATIENT_CHART_LIMIT). */
export function spaghettiSpec(r: AnalysisResults): TopLevelSpec {
  if (r.listing.length > PER_PATIENT_CHART_LIMIT) return sledaiByResponseSpec(r);
  const values = r.listing.flatMap((p) =>
    r.definitions.timepoints.flatMap((t) =>
      p.sledai[t] === null || p.sledai[t] === undefined
        ? []
        : [{ subject: p.subject, timepoint: t, sledai: p.sledai[t], best: p.bestResponse }],
    ),
  );
  return {
    width: 360,
    height: 220,
    title: { text: 'SLEDAI-2K per patient', subtitle: 'coloured by best response' },
    data: { values },
    mark: { type: 'line', point: { size: 12 }, opacity: 0.7 },
    encoding: {
      x: {
        field: 'timepoint',
        type: 'ordinal',
        sort: r.definitions.timepoints,
        title: null,
        axis: { labelAngle: 0 },
      },
      y: { field: 'sledai', type: 'quantitative', title: 'SLEDAI-2K' },
      detail: { field: 'subject' },
      color: {
        field: 'best',
        type: 'nominal',
        title: 'best response',
        scale: { domain: ['MCR', 'PCR', 'NR', 'pending'], range: Object.values(RESPONSE_COLOURS) },
      },
    },
  } as TopLevelSpec;
}

/** Swimmer plot: follow-up per patient with infusions, first response, relapse and death (aggregated above PER_PATIENT_CHART_LIMIT). */
export function swimmerSpec(r: AnalysisResults): TopLevelSpec {
  if (r.listing.length > PER_PATIENT_CHART_LIMIT) return followUpSpec(r);
  const lanes = r.listing.map((p) => ({
    subject: p.subject,
    end: p.lastContactDay ?? 0,
    best: p.bestResponse,
  }));
  const events = r.listing.flatMap((p) => [
    ...p.infusionDays.map((d) => ({ subject: p.subject, day: d, event: 'infusion' })),
    ...(p.firstResponseDay !== null
      ? [{ subject: p.subject, day: p.firstResponseDay, event: 'first response' }]
      : []),
    ...(p.relapseDay !== null ? [{ subject: p.subject, day: p.relapseDay, event: 'relapse' }] : []),
    ...(p.deathDay !== null ? [{ subject: p.subject, day: p.deathDay, event: 'death' }] : []),
  ]);
  const y = {
    field: 'subject',
    type: 'nominal' as const,
    sort: r.listing.map((p) => p.subject),
    title: null,
  };
  return {
    width: 420,
    height: { step: 12 },
    title: { text: 'Swimmer plot', subtitle: 'study days; bar coloured by best response' },
    layer: [
      {
        data: { values: lanes },
        mark: { type: 'bar', height: 7 },
        encoding: {
          y,
          x: { field: 'end', type: 'quantitative', title: 'study day' },
          color: {
            field: 'best',
            type: 'nominal',
            title: 'best response',
            scale: { domain: ['MCR', 'PCR', 'NR', 'pending'], range: Object.values(RESPONSE_COLOURS) },
          },
        },
      },
      {
        data: { values: events },
        mark: { type: 'point', filled: true, size: 30 },
        encoding: {
          y,
          x: { field: 'day', type: 'quantitative' },
          shape: { field: 'event', type: 'nominal', title: 'event' },
          stroke: { value: 'black' },
          fill: { value: 'black' },
        },
      },
    ],
    resolve: { scale: { color: 'independent' } },
  } as TopLevelSpec;
}

/** Kaplan–Meier curves of the arms of a randomised study on one chart, a colour per arm (issue 24). */
export function kaplanMeierByArmSpec(
  title: string,
  curves: readonly SurvivalCurve[],
  xTitle: string,
): TopLevelSpec | null {
  const values: { arm: string; time: number; s: number; censored: number }[] = [];
  for (const c of curves) {
    if (!c.fit.ok) continue;
    const f = c.fit.value;
    values.push({ arm: c.label, time: 0, s: 1, censored: 0 });
    f.time.forEach((t, i) => {
      values.push({ arm: c.label, time: t, s: f.survival[i]!, censored: f.nCensor[i]! });
    });
  }
  if (values.length === 0) return null;
  const x = { field: 'time', type: 'quantitative' as const, title: xTitle };
  const color = { field: 'arm', type: 'nominal' as const, title: 'arm', sort: curves.map((c) => c.label) };
  return {
    width: 360,
    height: 200,
    title: {
      text: title,
      subtitle: curves
        .map((c) => (c.fit.ok ? `${c.label}: n = ${c.fit.value.n}, events = ${c.fit.value.events}` : c.label))
        .join('; '),
    },
    data: { values },
    layer: [
      {
        mark: { type: 'line', interpolate: 'step-after' },
        encoding: {
          x,
          y: { field: 's', type: 'quantitative', scale: { domain: [0, 1] }, title: 'S(t)' },
          color,
        },
      },
      {
        transform: [{ filter: 'datum.censored > 0' }],
        mark: { type: 'tick', orient: 'vertical', size: 8 },
        encoding: { x, y: { field: 's', type: 'quantitative' }, color },
      },
    ],
  } as TopLevelSpec;
}
