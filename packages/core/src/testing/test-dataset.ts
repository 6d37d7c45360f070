/**
 * Builds small raw TrialDatasets for the analysis tests: item-level visits (SLEDAI-2K descriptors,
 * classic BILAG grades, labs with units), infusions, adverse events and end-of-study forms, exactly
 * as the store loads them. Expected values in the tests are computed by hand or with R.
 */
import type { RawItem, VisitItems } from '../crf/derive.js';
import type {
  DatasetAdverseEvent,
  DatasetSubject,
  DatasetVisit,
  TrialDataset,
} from '../dataset/trial-dataset.js';
import { CLASSIC_BILAG_SYSTEMS, type ClassicBilagSystem } from '../instruments/bilag-classic/grades.js';
import { addDays } from '../protocol/iso-date.js';

/** Clinical (non-laboratory) SLEDAI-2K descriptors and weights, heaviest first (Gladman 2002). */
const CLINICAL: readonly [string, number][] = [
  ['seizure', 8],
  ['psychosis', 8],
  ['organic_brain_syndrome', 8],
  ['visual_disturbance', 8],
  ['cranial_nerve_disorder', 8],
  ['lupus_headache', 8],
  ['cva', 8],
  ['vasculitis', 8],
  ['arthritis', 4],
  ['myositis', 4],
  ['rash', 2],
  ['alopecia', 2],
  ['mucosal_ulcers', 2],
  ['pleurisy', 2],
  ['pericarditis', 2],
  ['fever', 1],
];

/** analysis-plan.md timepoints and trial.md target days. */
export const VISIT_DAYS: Readonly<Record<string, number>> = {
  D0: 0,
  M1: 30,
  M3: 91,
  M6: 182,
  M9: 273,
  M12: 365,
};

const item = (value: string | null, unit: string | null = null): RawItem => ({ value, unit });

/** SLEDAI-2K form items whose score is `target`, given that the labs add `fromLabs` points. */
function sledaiItems(target: number, fromLabs: number): Record<string, RawItem> {
  let rest = target - fromLabs;
  if (rest < 0) throw new Error(`SLEDAI ${target} below the ${fromLabs} points from labs`);
  const out: Record<string, RawItem> = {};
  for (const [id, w] of CLINICAL) {
    const on = rest >= w;
    if (on) rest -= w;
    out[id] = item(on ? '1' : '0');
  }
  if (rest !== 0) throw new Error(`cannot build SLEDAI ${target}`);
  return out;
}

export interface VisitSpec {
  grades?: Partial<Record<ClassicBilagSystem, string>>;
  sledai?: number;
  labs?: Partial<{
    proteinuria: number;
    creatinine: number;
    urea: number;
    albumin: number;
    c3: number;
    ana: number;
    dsdna: number;
  }>;
}

export interface SubjectSpec {
  code: string;
  site: string;
  ln?: boolean;
  age?: number;
  durationMonths?: number;
  /** Null = never infused (screen failure). */
  day0?: string | null;
  visits: Partial<Record<keyof typeof VISIT_DAYS, VisitSpec>>;
  died?: { day: number; cause: string };
  withdrew?: { day: number };
  adverseEvents?: (Partial<DatasetAdverseEvent> & { term: string; day: number })[];
  infusionReaction?: string;
}

function visitItems(v: VisitSpec): VisitItems {
  const items: Record<string, Record<string, RawItem>> = {};
  const labs: Record<string, RawItem> = {};
  const l = v.labs ?? {};
  if (l.proteinuria !== undefined) labs.proteinuria_24h = item(String(l.proteinuria), 'g/24h');
  if (l.creatinine !== undefined) labs.creatinine = item(String(l.creatinine), 'µmol/L');
  if (l.urea !== undefined) labs.urea = item(String(l.urea), 'mmol/L');
  if (l.albumin !== undefined) labs.albumin = item(String(l.albumin), 'g/L');
  if (l.c3 !== undefined) labs.c3 = item(String(l.c3), 'g/L');
  if (l.ana !== undefined) labs.ana_titre = item(String(l.ana), null);
  if (l.dsdna !== undefined) labs.anti_dsdna = item(String(l.dsdna), 'IU/mL');
  if (Object.keys(labs).length) items.labs = labs;
  if (v.sledai !== undefined)
    items.sledai2k = sledaiItems(v.sledai, l.proteinuria !== undefined && l.proteinuria > 0.5 ? 4 : 0);
  if (v.grades)
    items.bilag = Object.fromEntries(CLASSIC_BILAG_SYSTEMS.map((s) => [s, item(v.grades?.[s] ?? 'E')]));
  return items;
}

export function buildSubject(spec: SubjectSpec, siteId: (code: string) => string): DatasetSubject {
  const day0 = spec.day0 === undefined ? '2013-01-10' : spec.day0;
  const date = (day: number) => (day0 ? addDays(day0, day) : null);
  const visits: DatasetVisit[] = [
    {
      visitId: `${spec.code}-SCR`,
      visitCode: 'SCR',
      cycle: 1,
      date: day0 ? addDays(day0, -7) : '2013-01-03',
      items: {
        demographics: {
          ...(spec.ln !== undefined ? { lupus_nephritis: item(spec.ln ? '1' : '0') } : {}),
          ...(spec.age !== undefined ? { age_years: item(String(spec.age), 'years') } : {}),
          ...(spec.durationMonths !== undefined
            ? { disease_duration_months: item(String(spec.durationMonths), 'months') }
            : {}),
        },
      },
    },
  ];
  if (day0) {
    for (const [code, v] of Object.entries(spec.visits))
      visits.push({
        visitId: `${spec.code}-${code}`,
        visitCode: code,
        cycle: 1,
        date: date(VISIT_DAYS[code]!),
        items: visitItems(v ?? {}),
      });
    if (spec.died || spec.withdrew) {
      const end: Record<string, RawItem> = spec.died
        ? { status: item('died'), date: item(date(spec.died.day)), death_cause: item(spec.died.cause) }
        : { status: item('withdrawn'), date: item(date(spec.withdrew!.day)) };
      visits.push({
        visitId: `${spec.code}-EOS`,
        visitCode: 'UNSCHEDULED',
        cycle: 1,
        date: date(spec.died?.day ?? spec.withdrew!.day),
        items: { 'end-of-study': end },
      });
    }
  }
  return {
    subjectId: `id-${spec.code}`,
    subjectCode: spec.code,
    siteId: siteId(spec.site),
    siteCode: spec.site,
    status: day0 ? 'enrolled' : 'screen_failed',
    sex: 'female',
    birthDate: null,
    day0Date: day0,
    visits,
    infusions: day0
      ? [0, 7].map((d, k) => ({
          cycle: 1,
          infusionNumber: k + 1,
          date: date(d),
          productLot: 'LOT-1',
          totalCells: 5e7,
          viabilityPct: 95,
          weightKg: 50,
          status: 'given',
          reactions: k === 0 ? (spec.infusionReaction ?? null) : null,
        }))
      : [],
    adverseEvents: (spec.adverseEvents ?? []).map((ae) => ({
      resolutionDate: null,
      ctcaeGrade: null,
      serious: false,
      seriousness: [],
      relatedness: 'not_related',
      outcome: null,
      deathDate: null,
      deathCause: null,
      infusionLinked: false,
      onsetDate: date(ae.day)!,
      ...ae,
    })),
  };
}

export function buildDataset(specs: readonly SubjectSpec[]): TrialDataset {
  const sites = [...new Set(specs.map((s) => s.site))].sort();
  const siteId = (code: string) => `site-${code}`;
  return {
    study: { id: 'study-1', code: 'TEST', title: 'Analysis test trial' },
    sites: sites.map((code) => ({ id: siteId(code), code, name: `Centre ${code}` })),
    subjects: specs.map((s) => buildSubject(s, siteId)),
    snapshot: { takenAt: '2014-02-01T00:00:00.000Z', hash: 'sha256:test' },
  };
}
