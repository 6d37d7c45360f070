// One patient of the demo trial, item by item: screening (eligibility, demographics, baseline
// scores' items, labs, medication), day 0 and day 7 infusions, the follow-up assessments, adverse
// events and the end-of-study form. Every value is an item as a coordinator would type it.
import { deriveVisitScores, type RawItem, type VisitItems } from '../crf/derive.js';
import { waiverItemCode } from '../crf/forms.js';
import { CLASSIC_BILAG_SYSTEMS } from '../instruments/bilag-classic/grades.js';
import { egfrCkdEpi2021 } from '../instruments/kidney/egfr.js';
import { SLEDAI2K_DESCRIPTOR_IDS, type Sledai2kDescriptorId } from '../instruments/sledai2k/descriptors.js';
import { addDays } from '../protocol/iso-date.js';
import { msctSleScreeningItems as S } from '../protocol/msct-sle-eligibility.js';
import { type AssessmentPicture, baselinePicture, FOLLOW_UP, followUpPictures } from './course.js';
import { drawLabBase, drawLabs, LAB_DESCRIPTORS, labDescriptors, type TrendIndex } from './labs.js';
import { chance, fixed, intBetween, type Rng, uniform } from './prng.js';
import type { BaselineProfile, CoursePlan } from './profiles.js';
import type { DemoAdverseEvent, DemoInfusion, DemoPatient, DemoSite, DemoVisit } from './types.js';

export interface PatientSpec {
  number: number;
  published: boolean;
  age: number;
  diseaseDurationMonths: number;
  priorImmunosuppressants: string;
  manifestations: string;
  lupusNephritis: boolean;
  profile: BaselineProfile;
  course: CoursePlan;
  site: DemoSite;
  sex: 'female' | 'male';
  day0Date: string;
  /** Adverse events (Table 2 rows placed on this patient), by study day. */
  events: { term: string; day: number; serious: boolean; source: string }[];
}

/** Target day and the spread we draw within its window (trial.md "Schedule"; windows ±7/±14). */
const FOLLOW_UP_DAYS: Record<(typeof FOLLOW_UP)[number], [number, number]> = {
  M1: [30, 5],
  M3: [91, 10],
  M6: [182, 10],
  M9: [273, 10],
  M12: [365, 10],
};

const yes = (b: boolean): RawItem => ({ value: b ? '1' : '0', unit: null });
const text = (s: string | null): RawItem => ({ value: s, unit: null });
const q = (value: string, unit: string | null): RawItem => ({ value, unit });

/** ISO date `years` calendar years before `date` (29 February → 28 February). */
function yearsBefore(date: string, years: number): string {
  const [y, m, d] = date.split('-');
  const day = m === '02' && d === '29' ? '28' : d;
  return `${String(Number(y) - years).padStart(4, '0')}-${m}-${day}`;
}

function sledaiItems(present: ReadonlySet<Sledai2kDescriptorId>): Record<string, RawItem> {
  const out: Record<string, RawItem> = {};
  for (const id of SLEDAI2K_DESCRIPTOR_IDS) out[id] = yes(present.has(id));
  return out;
}

function bilagItems(picture: AssessmentPicture): Record<string, RawItem> {
  const out: Record<string, RawItem> = {};
  for (const s of CLASSIC_BILAG_SYSTEMS) out[s] = text(picture.grades[s]);
  return out;
}

/** Background therapy from the Table 1 history: a regimen not marked "discontinued" continues. */
function background(prior: string): { cyc: boolean; mmfGDay: number | null; other: string | null } {
  const clauses = prior.split(';').map((c) => c.trim());
  const current = clauses.filter((c) => !c.includes('discontinued'));
  const mmf = current.find((c) => c.startsWith('MMF') || c.includes('with MMF'));
  const mmfDose = mmf ? Number(/MMF (\d+(?:\.\d+)?) g\/d/.exec(mmf)?.[1] ?? 'NaN') : Number.NaN;
  return {
    cyc: current.some((c) => c.startsWith('CYC')),
    mmfGDay: Number.isFinite(mmfDose) ? mmfDose : null,
    other: current.some((c) => c.startsWith('LEF')) ? 'leflunomide 20 mg/day' : null,
  };
}

export function buildPatient(rng: Rng, spec: PatientSpec, notes: string[]): DemoPatient {
  const { profile, course, site, sex } = spec;
  const day0 = spec.day0Date;
  const deathDay = course.deathDay;
  const responder = course.outcome !== 'NR';
  const lowComplement = profile.sledai.includes('low_complement');
  const dsDnaHigh = profile.sledai.includes('increased_dna_binding');
  const base = drawLabBase(rng, site, {
    sex,
    renal: profile.grades.renal,
    responder,
    lowComplement,
    dsDnaHigh,
  });
  const serology = { lowComplement, dsDnaHigh };
  const weight = sex === 'female' ? uniform(rng, 45, 68) : uniform(rng, 55, 78);
  const prednisone0 = 5 * intBetween(rng, 6, 12); // 30–60 mg/day: refractory to > 20 mg/day (trial.md Population 3)
  const bg = background(spec.priorImmunosuppressants);
  const hcq = chance(rng, 0.7);
  const renalActive = profile.grades.renal === 'A';

  const medication = (factor: number): Record<string, RawItem> => ({
    prednisone_mg_day: q(fixed(Math.max(5, Math.round((prednisone0 * factor) / 2.5) * 2.5), 1), 'mg/day'),
    cyclophosphamide: yes(bg.cyc),
    mycophenolate_g_day: bg.mmfGDay === null ? text(null) : q(fixed(bg.mmfGDay, 1), 'g/day'),
    hydroxychloroquine: yes(hcq),
    other_immunosuppressant: text(bg.other),
  });
  const vitals = (picture: AssessmentPicture, weightKg: number): Record<string, RawItem> => {
    const sbp =
      renalActive && picture.grades.renal === 'A' ? intBetween(rng, 128, 150) : intBetween(rng, 108, 132);
    return {
      weight_kg: q(fixed(weightKg, 1), 'kg'),
      systolic_bp: q(String(sbp), 'mmHg'),
      diastolic_bp: q(String(Math.round(sbp * uniform(rng, 0.6, 0.68))), 'mmHg'),
      heart_rate: q(String(intBetween(rng, 64, 92)), '/min'),
      temperature: q(
        fixed(picture.descriptors.has('fever') ? uniform(rng, 38.2, 38.8) : uniform(rng, 36.3, 37.1), 1),
        '°C',
      ),
    };
  };

  // The assessor's SLEDAI-2K items: clinical descriptors from the picture, lab ones as the drawn
  // labs meet them (so that the instrument, re-deriving from the labs, agrees with every item).
  const assessment = (picture: AssessmentPicture, t: TrendIndex, atBaseline: boolean) => {
    const labs = drawLabs(rng, site, base, picture, t, atBaseline ? serology : null, atBaseline);
    const fromLabs = labDescriptors(labs);
    const present = new Set<Sledai2kDescriptorId>();
    for (const d of picture.descriptors) if (!LAB_DESCRIPTORS.has(d)) present.add(d);
    for (const d of fromLabs) present.add(d);
    if (atBaseline) {
      const designed = new Set(profile.sledai);
      const same = present.size === designed.size && [...designed].every((d) => present.has(d));
      if (!same)
        throw new Error(
          `demo patient ${spec.number}: baseline labs give ${[...present].join(', ')}, designed ${profile.sledai.join(', ')}`,
        );
    }
    return { sledai2k: sledaiItems(present), bilag: bilagItems(picture), labs };
  };

  const visits: DemoVisit[] = [];
  const baseline = baselinePicture(profile);
  const scrDay = -intBetween(rng, 3, 27);
  const scrDate = addDays(day0, scrDay);
  const scr = assessment(baseline, 0, true);
  const scrScore = deriveVisitScores({ sledai2k: scr.sledai2k, labs: scr.labs });
  const sledaiAtScreening = scrScore.sledai?.ok ? scrScore.sledai.value.score : null;
  const creat0 = Number(scr.labs.creatinine!.value);
  const egfr =
    spec.age >= 18
      ? egfrCkdEpi2021({ creatinine: { value: creat0, unit: 'µmol/L' }, ageYears: spec.age, sex })
      : null;
  // Under 18 the adult equation does not apply: bedside Schwartz 0.413 × height / Scr (mg/dL) with
  // a drawn height (Schwartz GJ et al., J Am Soc Nephrol 2009;20:629-37).
  const egfrValue = egfr?.ok ? egfr.value.egfr : (0.413 * uniform(rng, 155, 168)) / (creat0 / 88.4);
  const eligibility: Record<string, RawItem> = {
    [S.acrClassification]: yes(true),
    [S.ageYears]: q(String(spec.age), null),
    [S.sledai2k]: q(String(sledaiAtScreening), null),
    [S.lupusNephritis]: yes(spec.lupusNephritis),
    [S.urineProtein24hG]: q(scr.labs.proteinuria_24h!.value!, null),
    [S.failedPrednisoneMgDay]: q(fixed(prednisone0, 0), null),
    [S.failedOtherImmunosuppressant]: yes(true),
    [S.informedConsent]: yes(true),
    [S.contraception]: yes(true),
    [S.activeInfection]: yes(false),
    [S.pregnantOrLactating]: yes(false),
    [S.malignancy]: yes(false),
    [S.severeHeartFailure]: yes(false),
    [S.severeLiverFailure]: yes(false),
    [S.egfr]: q(fixed(egfrValue, 0), null),
    [S.dialysis]: yes(false),
    [S.otherTrialWithin3Months]: yes(false),
  };
  const mmfClause = /MMF (\d+(?:\.\d+)?) g\/d x (\d+) mo/.exec(spec.priorImmunosuppressants);
  if (mmfClause) {
    eligibility[S.failedMmfGDay] = q(mmfClause[1]!, null);
    eligibility[S.failedMmfMonths] = q(mmfClause[2]!, null);
  }
  // trial.md Population: the enrolled cohort does not meet every registered criterion; each
  // exception is a recorded, justified waiver on the screening form.
  if (!spec.lupusNephritis) {
    const why = `Patient ${spec.number}: no lupus nephritis; enrolled for refractory severe thrombocytopenia (protocol deviation${spec.published ? ', as published in Table 1' : ', a generated patient like Table 1 patient 12'}).`;
    eligibility[waiverItemCode('inc-lupus-nephritis')] = text(why);
    notes.push(`Waiver: ${why}`);
  }
  if (sledaiAtScreening !== null && sledaiAtScreening < 8) {
    const why = `Patient ${spec.number}: screening SLEDAI-2K ${sledaiAtScreening} < 8${spec.published ? ' (Table 1 baseline SLEDAI 7); enrolled as published' : '; enrolled'} (protocol deviation).`;
    eligibility[waiverItemCode('inc-sledai')] = text(why);
    notes.push(`Waiver: ${why}`);
  }
  visits.push({
    visitCode: 'SCR',
    cycle: 1,
    date: scrDate,
    forms: {
      eligibility,
      demographics: {
        age_years: q(String(spec.age), 'years'),
        disease_duration_months: q(String(spec.diseaseDurationMonths), 'months'),
        lupus_nephritis: yes(spec.lupusNephritis),
        manifestations: text(spec.manifestations),
        prior_immunosuppressants: text(spec.priorImmunosuppressants),
      },
      sledai2k: scr.sledai2k,
      bilag: scr.bilag,
      labs: scr.labs,
      medication: medication(1),
    },
  });

  const d0 = assessment(baseline, 0, true);
  visits.push({
    visitCode: 'D0',
    cycle: 1,
    date: day0,
    forms: { ...d0, medication: medication(1), 'vital-signs': vitals(baseline, weight) } as VisitItems,
  });

  const alive = (day: number) => deathDay === null || day < deathDay;
  const d7Day = 7 + intBetween(rng, -1, 1);
  const d7Given = alive(d7Day) && alive(7);
  if (d7Given)
    visits.push({
      visitCode: 'D7',
      cycle: 1,
      date: addDays(day0, d7Day),
      forms: { 'vital-signs': vitals(baseline, weight) },
    });

  const pictures = followUpPictures(rng, profile, course);
  const taper = responder ? [0.8, 0.55, 0.35, 0.3, 0.25] : [0.9, 0.8, 0.7, 0.7, 0.7];
  let lastDate = d7Given ? addDays(day0, d7Day) : day0;
  FOLLOW_UP.forEach((code, i) => {
    const [target, spread] = FOLLOW_UP_DAYS[code];
    let day = target + intBetween(rng, -spread, spread);
    // A visit shortly before a death is kept inside the window and before the death date.
    if (deathDay !== null && day >= deathDay && target < deathDay) day = Math.max(target - 14, deathDay - 2);
    if (!alive(day)) return;
    const picture = pictures[i]!;
    const a = assessment(picture, (i + 1) as TrendIndex, false);
    const factor = picture.flaring ? Math.max(taper[i]!, 0.6) : taper[i]!;
    const date = addDays(day0, day);
    lastDate = date;
    visits.push({
      visitCode: code,
      cycle: 1,
      date,
      forms: {
        ...a,
        medication: medication(factor),
        'vital-signs': vitals(picture, weight * uniform(rng, 0.97, 1.03)),
      } as VisitItems,
    });
  });

  // Infusions (trial.md Intervention): day 0 and day 7, 1 × 10^6 cells/kg [design], viability ≥ 90%.
  const lot = (date: string, n: number) =>
    `UCMSC-${date.slice(0, 7).replace('-', '')}-${String(intBetween(rng, 1, 40) * 10 + n).padStart(3, '0')}`;
  const infusion = (n: number, date: string, given: boolean): DemoInfusion => {
    if (!given)
      return {
        cycle: 1,
        infusionNumber: n,
        plannedDate: date,
        startedAt: null,
        endedAt: null,
        productLot: null,
        totalCells: null,
        viabilityPct: null,
        volumeMl: null,
        weightKg: null,
        vitals: null,
        reactions: null,
        status: 'not_given',
      };
    // 09:00–10:30 in Jiangsu (UTC+8) = 01:00–02:30 UTC; 30–45 minutes.
    const startMin = 60 + intBetween(rng, 0, 90);
    const endMin = startMin + intBetween(rng, 30, 45);
    const at = (min: number) =>
      `${date}T${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}:00.000Z`;
    const v = () => ({
      systolicBp: intBetween(rng, 105, 135),
      diastolicBp: intBetween(rng, 65, 85),
      heartRate: intBetween(rng, 64, 90),
      temperatureC: Number(fixed(uniform(rng, 36.3, 37.1), 1)),
    });
    return {
      cycle: 1,
      infusionNumber: n,
      plannedDate: date,
      startedAt: at(startMin),
      endedAt: at(endMin),
      productLot: lot(date, n),
      totalCells: Math.round((weight * 1e6 * uniform(rng, 0.96, 1.04)) / 1e5) * 1e5,
      viabilityPct: Number(fixed(uniform(rng, 91, 98.5), 1)),
      volumeMl: 100,
      weightKg: Number(fixed(weight, 1)),
      vitals: { before: v(), during: v(), after: v() },
      reactions: null,
      status: 'given',
    };
  };
  const infusions = [infusion(1, day0, true), infusion(2, addDays(day0, d7Given ? d7Day : 7), d7Given)];

  const adverseEvents: DemoAdverseEvent[] = spec.events.map((e) => {
    const onset = addDays(day0, e.day);
    if (e.term === 'Death')
      return {
        term: 'Death',
        onsetDate: onset,
        resolutionDate: null,
        ctcaeGrade: 5,
        seriousness: ['death'],
        relatedness: 'not_related',
        actionTaken: null,
        outcome: 'fatal',
        deathDate: onset,
        deathCause: 'Not reported in the publication',
        source: e.source,
      };
    const tb = e.term.startsWith('Tuberculosis');
    return {
      term: e.term,
      onsetDate: onset,
      // Not given by Table 2: herpes resolving in 2–3 weeks, tuberculosis on treatment at month 12.
      resolutionDate: tb ? null : addDays(onset, intBetween(rng, 14, 21)),
      ctcaeGrade: tb ? 3 : 2,
      seriousness: [],
      relatedness: 'not_related',
      actionTaken: tb ? 'Anti-tuberculosis therapy started' : 'Antiviral treatment',
      outcome: tb ? 'recovering' : 'recovered',
      deathDate: null,
      deathCause: null,
      source: e.source,
    };
  });

  const deathDate = deathDay === null ? null : addDays(day0, deathDay);
  if (deathDate) {
    visits.push({
      visitCode: 'UNSCHEDULED',
      cycle: 1,
      date: deathDate,
      reason: 'the subject died: end-of-study recorded outside the schedule',
      forms: {
        'end-of-study': {
          status: text('died'),
          date: text(deathDate),
          last_contact_date: text(deathDate),
          death_cause: text('Not reported in the publication'),
        },
      },
    });
  } else {
    const m12 = visits.find((v) => v.visitCode === 'M12')!;
    (m12.forms as Record<string, VisitItems[string]>)['end-of-study'] = {
      status: text('completed'),
      date: text(m12.date),
      last_contact_date: text(lastDate),
    };
  }

  const birthDate = addDays(yearsBefore(scrDate, spec.age), -intBetween(rng, 1, 360));
  return {
    number: spec.number,
    published: spec.published,
    siteCode: site.code,
    sex,
    birthDate,
    enrolledAt: addDays(scrDate, intBetween(rng, 1, Math.max(1, -scrDay - 1))),
    day0Date: day0,
    finalStatus: deathDate ? 'died' : 'completed',
    visits,
    infusions,
    adverseEvents,
    intended: { outcome: course.outcome, relapseMonth: course.relapseMonth, deathDay },
  };
}
