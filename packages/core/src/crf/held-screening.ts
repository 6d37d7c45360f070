/**
 * Eligibility from values the study already holds (issue #20): age from the birth date, the
 * screening SLEDAI-2K from the screening visit's form, proteinuria from the screening labs — each
 * named by the definition's `eligibilitySources`. A held value is what the criteria read, whatever the
 * screening form says (the client cannot contradict stored data); a value not held is asked on the
 * screening form. Each held value says where it comes from, in words.
 */
import { egfrCkdEpi2021 } from '../instruments/kidney/egfr.js';
import type { EligibilitySource, HeldLab } from '../protocol/study-definition.js';
import { type CanonicalLabs, deriveVisitScores } from './derive.js';
import type { RawItem, VisitItems } from './raw-items.js';

/**
 * What the study holds of one subject: the birth date, the sex (the subject record's) and the visits
 * of the first cycle, by code.
 */
export interface HeldSubjectData {
  birthDate: string | null;
  sex?: string | null;
  visits: ReadonlyMap<string, { visitDate: string | null; items: VisitItems }>;
}

export interface HeldScreeningValue {
  /** The criterion item the value stands for, e.g. 'age_years'. */
  item: string;
  /** The value as the screening form would store it (text). */
  value: string;
  /** Where it comes from, e.g. 'from birth date 1990-03-02 (visit SCR on 2026-11-02)'. */
  source: string;
}

/** The lab form's item behind each held lab and the unit of the key (crf/derive-labs.ts). */
const LAB_ITEMS: Record<HeldLab, { item: string; label: string; unit: string }> = {
  proteinuriaG24h: { item: 'proteinuria_24h', label: '24-h urine protein', unit: 'g/24h' },
  upcrMgMmol: { item: 'upcr', label: 'UPCR', unit: 'mg/mmol' },
  creatinineUmolL: { item: 'creatinine', label: 'creatinine', unit: 'µmol/L' },
  albuminGL: { item: 'albumin', label: 'albumin', unit: 'g/L' },
  c3GL: { item: 'c3', label: 'C3', unit: 'g/L' },
  c4GL: { item: 'c4', label: 'C4', unit: 'g/L' },
  haemoglobinGL: { item: 'haemoglobin', label: 'haemoglobin', unit: 'g/L' },
  plateletsE9L: { item: 'platelets', label: 'platelets', unit: '10^9/L' },
};

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Completed years from `birth` to `on` (ISO dates); undefined when either is not a date or birth is later. */
export function ageInYears(birth: string, on: string): number | undefined {
  const b = ISO_DATE.exec(birth);
  const d = ISO_DATE.exec(on);
  if (!b || !d) return undefined;
  const [by, bm, bd] = [Number(b[1]), Number(b[2]), Number(b[3])];
  const [y, m, day] = [Number(d[1]), Number(d[2]), Number(d[3])];
  // A birthday not yet reached this year does not count (29 February counts from 1 March).
  const years = y - by - (m < bm || (m === bm && day < bd) ? 1 : 0);
  return years >= 0 ? years : undefined;
}

const entered = (it: RawItem | undefined) => it?.value != null && it.value.trim() !== '';

function round(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

/** One source's held value, or undefined when the study does not hold it (then the form asks). */
function heldValue(
  source: EligibilitySource,
  held: HeldSubjectData,
  sledaiWindowDays: 10 | 30,
): HeldScreeningValue | undefined {
  const visit = held.visits.get(source.visit);
  switch (source.from) {
    case 'age': {
      if (!held.birthDate || !visit?.visitDate) return undefined;
      const age = ageInYears(held.birthDate, visit.visitDate);
      if (age === undefined) return undefined;
      return {
        item: source.item,
        value: String(age),
        source: `from birth date ${held.birthDate} (visit ${source.visit} on ${visit.visitDate})`,
      };
    }
    case 'score': {
      const form = visit?.items.sledai2k;
      if (!visit || !form || !Object.values(form).some(entered)) return undefined;
      const scores = deriveVisitScores(visit.items, { sledaiWindowDays });
      if (!scores.sledai?.ok) return undefined;
      return {
        item: source.item,
        value: String(scores.sledai.value.score),
        source: `from visit ${source.visit} form sledai2k, score ${scores.sledai.value.score}`,
      };
    }
    case 'lab': {
      const lab = LAB_ITEMS[source.lab];
      const raw = visit?.items.labs?.[lab.item];
      if (!visit || !raw || !entered(raw)) return undefined;
      const value = (deriveVisitScores(visit.items).labs as CanonicalLabs)[source.lab];
      if (value === undefined) return undefined;
      const asEntered = `${raw.value}${raw.unit ? ` ${raw.unit}` : ''}`;
      const converted = raw.unit && raw.unit !== lab.unit ? ` = ${round(value)} ${lab.unit}` : '';
      return {
        item: source.item,
        value: round(value),
        source: `from visit ${source.visit} form labs, ${lab.label} ${asEntered}${converted}`,
      };
    }
    case 'egfr':
      return heldEgfr(source, held, visit);
    case 'item': {
      const raw = visit?.items[source.form]?.[source.formItem];
      if (!raw || !entered(raw)) return undefined;
      return {
        item: source.item,
        value: raw.value!.trim(),
        source: `from visit ${source.visit} form ${source.form}, ${source.formItem} = ${raw.value!.trim()}`,
      };
    }
  }
}

/**
 * eGFR at `source.visit` by CKD-EPI 2021 creatinine (instruments.md §6.1; Inker et al., N Engl J Med
 * 2021;385:1737–49) from that visit's lab creatinine (in µmol/L after crf/derive-labs.ts), the age
 * in completed years at the visit and the subject's sex; undefined when one of them is not held
 * (then the screening form asks for eGFR).
 */
export function heldEgfr(
  source: Extract<EligibilitySource, { from: 'egfr' }>,
  held: HeldSubjectData,
  visit = held.visits.get(source.visit),
): HeldScreeningValue | undefined {
  const raw = visit?.items.labs?.[LAB_ITEMS.creatinineUmolL.item];
  const sex = held.sex;
  if (!visit?.visitDate || !held.birthDate || !raw || !entered(raw) || (sex !== 'female' && sex !== 'male'))
    return undefined;
  const creatinine = (deriveVisitScores(visit.items).labs as CanonicalLabs).creatinineUmolL;
  const age = ageInYears(held.birthDate, visit.visitDate);
  if (creatinine === undefined || age === undefined) return undefined;
  const r = egfrCkdEpi2021({ creatinine: { value: creatinine, unit: 'µmol/L' }, ageYears: age, sex });
  if (!r.ok) return undefined;
  const egfr = Math.round(r.value.egfr * 10) / 10;
  return {
    item: source.item,
    value: String(egfr),
    source:
      `CKD-EPI 2021 from visit ${source.visit} form labs, creatinine ${raw.value}${raw.unit ? ` ${raw.unit}` : ''}` +
      `, age ${age} (birth date ${held.birthDate}), ${sex}: eGFR ${egfr} mL/min/1.73 m²`,
  };
}

/** The held values the definition's sources name, in the sources' order (those not held left out). */
export function heldScreeningValues(
  sources: readonly EligibilitySource[],
  held: HeldSubjectData,
  options: { sledaiWindowDays?: number } = {},
): HeldScreeningValue[] {
  const window = options.sledaiWindowDays === 30 ? 30 : 10;
  return sources.flatMap((s) => heldValue(s, held, window) ?? []);
}

/** The screening form's items with the held values in place of what the form says. */
export function withHeldValues(
  formItems: Readonly<Record<string, RawItem>>,
  held: readonly HeldScreeningValue[],
): Record<string, RawItem> {
  const out: Record<string, RawItem> = { ...formItems };
  for (const h of held) out[h.item] = { value: h.value, unit: null };
  return out;
}
