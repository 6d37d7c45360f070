// The demo trial: the published 40-patient, four-centre study (trial.md) reconstructed as
// item-level data. Pure and deterministic: the same seed gives the same plan.

import { addDays } from '../protocol/iso-date.js';
import { msctSleTrial } from '../protocol/msct-sle-trial.js';
import { buildPatient, type PatientSpec } from './patient.js';
import { chance, intBetween, normaliseSeed, pick, type Rng, shuffle, stream, uniform } from './prng.js';
import { type BaselineProfile, type CoursePlan, generateProfile, TABLE1_PROFILES } from './profiles.js';
import { PUBLISHED_TOTALS, TABLE1, TABLE2 } from './published.js';
import type { DemoRole, DemoSite, DemoTrialPlan, DemoUser } from './types.js';

export interface GenerateDemoOptions {
  /** Any integer or text; default 2014 (the year of publication). */
  seed?: number | string;
}

export const DEFAULT_DEMO_SEED = 2014;
export const DEMO_STUDY_CODE = 'MSCT-SLE';

/**
 * Each centre's laboratory reference limits for complement and anti-dsDNA. Not published: plausible
 * values for the kits in use (C3 LLN 0.79–0.9 g/L, C4 LLN 0.1–0.16 g/L, anti-dsDNA ULN 20–100 IU/mL),
 * different per centre so that descriptors 20–21 are judged against each lab's own limit.
 */
const LAB_LIMITS: Record<string, DemoSite['labLimits']> = {
  'NJ-DT': { c3LlnGL: 0.9, c4LlnGL: 0.1, antiDsDnaUlnIuMl: 100 },
  'ZJ-JU': { c3LlnGL: 0.79, c4LlnGL: 0.16, antiDsDnaUlnIuMl: 25 },
  'YZ-SB': { c3LlnGL: 0.85, c4LlnGL: 0.12, antiDsDnaUlnIuMl: 50 },
  'NJ-JP': { c3LlnGL: 0.88, c4LlnGL: 0.1, antiDsDnaUlnIuMl: 20 },
};

const SITE_ROLES: DemoRole[] = ['investigator', 'coordinator', 'monitor', 'safety', 'statistician'];

function demoUsers(sites: DemoSite[]): DemoUser[] {
  const users: DemoUser[] = [
    { username: 'admin.demo', displayName: 'Demo administrator', role: 'admin', siteCode: null },
    {
      username: 'statistician.all',
      displayName: 'Demo statistician (all sites)',
      role: 'statistician',
      siteCode: null,
    },
    {
      username: 'safety.all',
      displayName: 'Demo safety reviewer (all sites)',
      role: 'safety',
      siteCode: null,
    },
  ];
  for (const s of sites)
    for (const role of SITE_ROLES)
      users.push({
        username: `${role}.${s.code.toLowerCase()}`,
        displayName: `Demo ${role} (${s.code})`,
        role,
        siteCode: s.code,
      });
  return users;
}

/** A course for a generated patient. */
const plan = (
  outcome: CoursePlan['outcome'],
  o: { late?: boolean; relapse?: 9 | 12; deathDay?: number } = {},
): CoursePlan => ({
  outcome,
  responseMonth: outcome === 'NR' ? null : o.late ? 9 : 6,
  relapseMonth: o.relapse ?? null,
  activeSystems: [],
  flareSystem: null,
  deathDay: o.deathDay ?? null,
});

/**
 * Courses of rows 14–40 (data/README.md: 11 MCR, 6 PCR, 10 NR, 5 relapses; deaths at 14 and 27).
 * With rows 8 (relapse at 12) and 9 (at 9) this gives 3 relapses at month 9 and 4 at month 12.
 * Two late responders (first response at month 9) are included: endpoints.md counts a response
 * first met at 9 or 12 months as a response "during 12 months".
 */
function generatedCourses(): CoursePlan[] {
  return [
    ...Array.from({ length: 7 }, () => plan('MCR')),
    plan('MCR', { late: true }),
    plan('MCR', { relapse: 9 }),
    plan('MCR', { relapse: 12 }),
    plan('MCR', { relapse: 12 }),
    ...Array.from({ length: 3 }, () => plan('PCR')),
    plan('PCR', { late: true }),
    plan('PCR', { relapse: 9 }),
    plan('PCR', { relapse: 12 }),
    ...Array.from({ length: 10 }, () => plan('NR')),
  ];
}

const PRIOR_PATTERNS: ((rng: Rng, months: number) => string)[] = [
  (r, m) => `CYC 0.8 g/mo x ${intBetween(r, 6, m)} mo`,
  (r, m) =>
    `MMF 1.5 g/d x ${intBetween(r, 6, m)} mo (discontinued); CYC 0.8 g/mo x ${intBetween(r, 6, m)} mo`,
  (r, m) =>
    `CYC 0.8 g/mo x ${intBetween(r, 6, m)} mo (discontinued); LEF 20 mg/d x ${intBetween(r, 6, m)} mo`,
  (r, m) => `MMF 2.0 g/d x ${intBetween(r, 6, m)} mo`,
  (r, m) => `CYC 0.8 g/mo x ${intBetween(r, 6, m)} mo; LEF 20 mg/d x ${intBetween(r, 6, m)} mo`,
];

function manifestationsOf(p: BaselineProfile): string {
  const out: string[] = [];
  const g = p.grades;
  const active = (s: keyof typeof g) => g[s] !== 'E' && g[s] !== 'D';
  if (active('renal')) out.push('LN');
  if (active('musculoskeletal')) out.push('A');
  if (active('mucocutaneous')) out.push('C');
  if (active('vasculitis')) out.push('V');
  if (active('haematological')) out.push(g.haematological === 'A' ? 'severe thrombocytopenia' : 'H');
  if (active('general')) out.push('F');
  if (active('cardiorespiratory')) out.push('P');
  out.push('ANA+');
  if (p.sledai.includes('increased_dna_binding')) out.push('anti-dsDNA+');
  return out.join(', ');
}

export function generateDemoTrial(options: GenerateDemoOptions = {}): DemoTrialPlan {
  const seed = normaliseSeed(options.seed ?? DEFAULT_DEMO_SEED);
  const notes: string[] = [];
  const sites: DemoSite[] = msctSleTrial.centres.map((c) => ({
    code: c.id,
    name: c.name,
    labLimits: LAB_LIMITS[c.id] ?? { c3LlnGL: 0.9, c4LlnGL: 0.1, antiDsDnaUlnIuMl: 100 },
  }));

  // Courses of rows 14–40: deaths at 14 and 27 (Table 2) are non-responders by NRI; the others are
  // shuffled by the seed. Table 2's day-7 death of "patient 9" goes to a generated non-responder.
  const assign = stream(seed, 'courses');
  const courses = generatedCourses();
  const nrs = courses.filter((c) => c.outcome === 'NR');
  const death256 = nrs[0]!;
  const death192 = nrs[1]!;
  death256.deathDay = 256;
  death192.deathDay = 192;
  const rest = shuffle(
    assign,
    courses.filter((c) => c !== death256 && c !== death192),
  );
  const courseOf = new Map<number, CoursePlan>([
    [14, death256],
    [27, death192],
  ]);
  for (let n = 15; n <= 40; n++) if (n !== 27) courseOf.set(n, rest.shift()!);
  const nrChoices = [...courseOf.entries()].filter(([n, c]) => c.outcome === 'NR' && n !== 14 && n !== 27);
  const [day7Patient, day7Course] = pick(assign, nrChoices);
  day7Course.deathDay = 7;

  notes.push(
    "Patients 1–13 follow Table 1 (Wang 2014): age, disease duration, manifestations, prior immunosuppressants and outcome; their baseline SLEDAI-2K and classic BILAG totals come out of the items through msct's instruments.",
    `Patients 14–40 are generated (Table 1 rows 14–40 are not transcribed, data/README.md) so that the cohort reproduces the published totals: ${PUBLISHED_TOTALS.mcr} MCR, ${PUBLISHED_TOTALS.pcr} PCR, ${PUBLISHED_TOTALS.nr} no response, ${PUBLISHED_TOTALS.relapsesAt9Months} relapses at 9 and ${PUBLISHED_TOTALS.relapsesAt12Months} at 12 months, ${PUBLISHED_TOTALS.deaths} deaths (seed ${seed}).`,
    `Data query — Table 1 / Table 2 conflict on patient 9: Table 1 reports MCR → relapse, Table 2 a death on day 7. Both cannot be true for one patient. The demo keeps patient 9 as in Table 1 (MCR → relapse, alive) and records the day-7 death (SAE, not related to MSCT) on generated non-responder patient ${day7Patient}, so that 3 deaths (patients ${[day7Patient, 14, 27].sort((a, b) => a - b).join(', ')}) and 37 of 40 alive at 12 months are reproduced. Resolve against the source documents before any analysis is published.`,
    'Relapse months of patients 8 and 9 are not published: patient 9 is placed at month 9 and patient 8 at month 12 (3 relapses at 9 and 4 at 12 months in all).',
    'Not published, drawn from the seed: item-level SLEDAI-2K/BILAG findings beyond the Table 1 totals, all lab values (within published trends), visit days within windows, sex, centre, weights, cell counts (1 × 10^6/kg ± 4%) and viability (91–98.5%), AE severity grades and resolution dates. Causes of death are not reported.',
  );

  const enrol = stream(seed, 'enrolment');
  const patients = [];
  for (let n = 1; n <= 40; n++) {
    const rng = stream(seed, `patient-${n}`);
    // Staggered enrolment from October 2012 (registration 26 September 2012) to late 2013.
    const day0Date = addDays('2012-10-15', Math.round((n - 1) * 10.5) + intBetween(enrol, 0, 7));
    const site = sites[pickSite(enrol)]!;
    const sex = chance(rng, 0.9) ? ('female' as const) : ('male' as const);
    const t1 = TABLE1.find((r) => r.patient === n);
    let spec: PatientSpec;
    const events = TABLE2.filter((e) => e.patient === n && !(n === 9 && e.event === 'Death')).map((e) => ({
      term: e.event,
      day: e.day,
      serious: e.seriousness === 'SAE',
      source: `Table 2, patient ${e.patient}, day ${e.day}`,
    }));
    if (n === day7Patient)
      events.push({
        term: 'Death',
        day: 7,
        serious: true,
        source:
          'Table 2 lists this death (day 7) on patient 9; moved here, see the notes (Table 1 / Table 2 conflict)',
      });
    if (t1) {
      const { profile, course } = TABLE1_PROFILES[n]!;
      spec = {
        number: n,
        published: true,
        age: t1.age,
        diseaseDurationMonths: t1.diseaseDurationMonths,
        priorImmunosuppressants: t1.priorImmunosuppressants,
        manifestations: t1.manifestations,
        lupusNephritis: /\bLN\b/.test(t1.manifestations),
        profile,
        course: { ...course, activeSystems: [...course.activeSystems] },
        site,
        sex,
        day0Date,
        events,
      };
    } else {
      const course = courseOf.get(n)!;
      const late = course.responseMonth === 9;
      // LN in most (the registered population, trial.md Population 2); a few like patient 12 lead
      // with severe thrombocytopenia and are enrolled under a waiver.
      const lupusNephritis = late || chance(rng, 0.9);
      const profile = generateProfile(rng, {
        renalA: course.outcome === 'NR' || late || chance(rng, 0.5),
        lupusNephritis,
      });
      const main = lupusNephritis ? 'renal' : 'haematological';
      course.activeSystems = course.outcome === 'MCR' && !late ? [] : [main];
      course.flareSystem = course.relapseMonth ? main : null;
      const duration = intBetween(rng, 12, 120);
      spec = {
        number: n,
        published: false,
        age: intBetween(rng, 18, 52),
        diseaseDurationMonths: duration,
        priorImmunosuppressants: pick(rng, PRIOR_PATTERNS)(rng, duration),
        manifestations: manifestationsOf(profile),
        lupusNephritis,
        profile,
        course,
        site,
        sex,
        day0Date,
        events,
      };
    }
    patients.push(buildPatient(rng, spec, notes));
  }
  return {
    seed,
    study: { code: DEMO_STUDY_CODE, title: msctSleTrial.title, definition: msctSleTrial },
    sites,
    users: demoUsers(sites),
    patients,
    notes,
  };
}

/** Drum Tower (the lead centre) enrols about 40%, the other three about 20% each (plausible draw). */
function pickSite(rng: Rng): number {
  const u = uniform(rng, 0, 1);
  return u < 0.4 ? 0 : u < 0.6 ? 1 : u < 0.8 ? 2 : 3;
}
