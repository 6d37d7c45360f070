// The contract of the product's scoring path (issue #19 item 6): for every visit as stored, the
// row path (derive-row.ts → compact kernel) gives exactly what the reference scorers give from the
// same items — SLEDAI-2K (value, or the same typed issues), BILAG-2004 (grades, numeric, or the same
// issues), the canonical labs — and with `trace: true` the reference's own Result, trace included.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { CARDIORESPIRATORY_ITEMS } from '../instruments/bilag2004/cardiorespiratory.js';
import { CONSTITUTIONAL_ITEMS } from '../instruments/bilag2004/constitutional.js';
import { GASTROINTESTINAL_ITEMS } from '../instruments/bilag2004/gastrointestinal.js';
import { HAEM_BANDS, HAEMATOLOGICAL_ITEMS } from '../instruments/bilag2004/haematological.js';
import { MUCOCUTANEOUS_ITEMS } from '../instruments/bilag2004/mucocutaneous.js';
import { MUSCULOSKELETAL_ITEMS } from '../instruments/bilag2004/musculoskeletal.js';
import { NEUROPSYCHIATRIC_ITEMS } from '../instruments/bilag2004/neuropsychiatric.js';
import { OPHTHALMIC_ITEMS } from '../instruments/bilag2004/ophthalmic.js';
import { RENAL_ITEMS, RENAL_THRESHOLDS } from '../instruments/bilag2004/renal.js';
import { BILAG2004_SYSTEMS } from '../instruments/bilag2004/types.js';
import { SLEDAI2K_DESCRIPTOR_IDS, sledai2kAttributionItemCode } from '../instruments/sledai2k/descriptors.js';
import { SLEDAI2K_THRESHOLDS } from '../instruments/sledai2k/lab-rules.js';
import { type Sledai2kWindowDays, sledai2kScore } from '../instruments/sledai2k/score.js';
import {
  albuminGdLToGL,
  CREATININE_UMOL_PER_MGDL,
  complementInGL,
  creatinineInUmolL,
  haemoglobinGdLToGL,
  UPCR_MGG_PER_MGMMOL,
  upcrInMgMmol,
  ureaMgDlToMmolL,
  urineProteinInG,
} from '../instruments/units/conversions.js';
import { dueToSleItemCode, historyItemCode } from './bilag2004-form.js';
import { type CanonicalLabs, deriveVisitScores, sledai2kInputFromItems } from './derive.js';
import { bilag2004FromItems } from './derive-bilag2004.js';
import type { RawItem, VisitItems } from './raw-items.js';

type Form = Record<string, RawItem>;

// ---- the oracle ----

const num = (it: RawItem | undefined): number | undefined => {
  if (!it || it.value === null || it.value.trim() === '') return undefined;
  const n = Number(it.value);
  return Number.isFinite(n) ? n : undefined;
};

/** The canonical labs as they were computed before the row path (Number() and the unit functions). */
function referenceLabs(labs: Form | undefined): CanonicalLabs {
  if (!labs) return {};
  const out: CanonicalLabs = {};
  const v = (code: string) => num(labs[code]);
  const u = (code: string) => labs[code]?.unit ?? '';
  const p = v('proteinuria_24h');
  if (p !== undefined) out.proteinuriaG24h = urineProteinInG(p, u('proteinuria_24h') as 'g/24h');
  const cr = v('creatinine');
  if (cr !== undefined) out.creatinineUmolL = creatinineInUmolL(cr, u('creatinine') as 'µmol/L');
  const urea = v('urea');
  if (urea !== undefined)
    out.ureaMmolL =
      u('urea') === 'mg/dL' ? ureaMgDlToMmolL({ analyte: 'urea', value: urea, unit: 'mg/dL' }).value : urea;
  const alb = v('albumin');
  if (alb !== undefined)
    out.albuminGL =
      u('albumin') === 'g/dL' ? albuminGdLToGL({ analyte: 'albumin', value: alb, unit: 'g/dL' }).value : alb;
  const c3 = v('c3');
  if (c3 !== undefined) out.c3GL = complementInGL(c3, u('c3') as 'g/L');
  const c4 = v('c4');
  if (c4 !== undefined) out.c4GL = complementInGL(c4, u('c4') as 'g/L');
  const ds = v('anti_dsdna');
  if (ds !== undefined) out.antiDsDnaIuMl = ds;
  const ana = v('ana_titre');
  if (ana !== undefined) {
    out.anaTitre = ana;
    if (ana > 0) out.anaLog2 = Math.log2(ana);
  }
  const hb = v('haemoglobin');
  if (hb !== undefined)
    out.haemoglobinGL =
      u('haemoglobin') === 'g/dL'
        ? haemoglobinGdLToGL({ analyte: 'haemoglobin', value: hb, unit: 'g/dL' }).value
        : hb;
  const plt = v('platelets');
  if (plt !== undefined) out.plateletsE9L = plt;
  const wbc = v('wbc');
  if (wbc !== undefined) out.wbcE9L = wbc;
  const upcr = v('upcr');
  if (upcr !== undefined) out.upcrMgMmol = upcrInMgMmol(upcr, u('upcr') as 'mg/mmol');
  return out;
}

interface StoredVisit {
  items: VisitItems;
  previous?: Form;
  windowDays: Sledai2kWindowDays;
}

function reference(v: StoredVisit, trace: boolean) {
  const opts = trace ? undefined : { trace: false };
  return {
    sledai: v.items.sledai2k ? sledai2kScore(sledai2kInputFromItems(v.items, v.windowDays), opts) : undefined,
    bilag2004: v.items.bilag2004 ? bilag2004FromItems(v.items.bilag2004, v.previous, opts) : undefined,
    labs: referenceLabs(v.items.labs),
  };
}

// ---- the arbitrary: stored visits, values as strings with units ----

// Every threshold and band edge, scaled by the unit factors and nudged by one ulp either side.
const EDGES: number[] = [
  ...Object.values(SLEDAI2K_THRESHOLDS),
  ...Object.values(RENAL_THRESHOLDS),
  ...Object.values(HAEM_BANDS).flat(),
].flatMap((e) =>
  [
    1,
    10,
    100,
    1000,
    0.1,
    0.001,
    CREATININE_UMOL_PER_MGDL,
    1 / CREATININE_UMOL_PER_MGDL,
    UPCR_MGG_PER_MGMMOL,
  ].flatMap((k) => {
    const x = e * k;
    return [x, x * (1 + Number.EPSILON), x * (1 - Number.EPSILON)];
  }),
);
/** Values as a lab or a form records them: few decimals, integers, full doubles, the edges. */
const cleanNumber = fc.oneof(
  fc
    .integer({ min: 0, max: 300_000 })
    .chain((n) => fc.constantFrom(String(n), String(n / 10), String(n / 1000))),
  fc.integer({ min: 0, max: 300 }).map(String),
  fc.double({ min: 0, max: 500, noNaN: true, noDefaultInfinity: true }).map(String),
  fc.constantFrom(...EDGES).map(String),
);
/** What else a stored value can hold: blank, padded, signed, exponent, text, not finite. */
const oddNumber = fc.constantFrom(
  '',
  ' ',
  ' 12 ',
  '1e2',
  '-1',
  '-0',
  '+3',
  'abc',
  '0x10',
  'Infinity',
  '.5',
  '5.',
  '1,5',
  '00.50',
  '1234567890123456789',
);
const unitOf = (units: readonly (string | null)[], noisy: boolean) =>
  noisy
    ? fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom(...units) },
        { weight: 1, arbitrary: fc.constantFrom(null, '', 'bogus') },
      )
    : fc.constantFrom(...units);
const numberText = (noisy: boolean) =>
  noisy ? fc.oneof({ weight: 8, arbitrary: cleanNumber }, { weight: 1, arbitrary: oddNumber }) : cleanNumber;
const quantityItem = (units: readonly (string | null)[], noisy: boolean) =>
  fc.record({ value: numberText(noisy), unit: unitOf(units, noisy) });
const textItem = (values: readonly (string | null)[], odd: readonly (string | null)[], noisy: boolean) =>
  fc.record({
    value: noisy
      ? fc.oneof(
          { weight: 8, arbitrary: fc.constantFrom(...values) },
          { weight: 1, arbitrary: fc.constantFrom(...odd) },
        )
      : fc.constantFrom(...values),
    unit: fc.constant(null),
  });
const maybe = <T>(a: fc.Arbitrary<T>, present = 1): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: 1, arbitrary: fc.constant(undefined) }, { weight: present, arbitrary: a });
/** A form object built as the store builds it (one keyed store per item), without the absent ones. */
function formOf(entries: Record<string, RawItem | undefined>): Form {
  const out: Form = {};
  for (const code of Object.keys(entries).sort()) if (entries[code] !== undefined) out[code] = entries[code]!;
  return out;
}
const fields = (spec: Record<string, fc.Arbitrary<RawItem | undefined>>) => fc.record(spec).map(formOf);

const ODD_FLAG = ['', ' ', ' 1 ', 'x', 'Y', null];
const COUNT = ['10^9/L', '/mm3', '/µL'];

function sledaiForm(noisy: boolean) {
  const spec: Record<string, fc.Arbitrary<RawItem | undefined>> = {};
  for (const id of SLEDAI2K_DESCRIPTOR_IDS) {
    spec[id] = maybe(textItem(['0', '0', '1'], ODD_FLAG, noisy), 3);
    spec[sledai2kAttributionItemCode(id)] = maybe(textItem(['0', '0', '0', '1'], ODD_FLAG, noisy), 1);
  }
  return fields(spec);
}

function labsForm(noisy: boolean) {
  const q = (units: readonly string[]) => maybe(quantityItem(units, noisy), 2);
  return fields({
    haemoglobin: q(['g/L', 'g/dL']),
    wbc: q(COUNT),
    platelets: q(COUNT),
    proteinuria_24h: maybe(quantityItem(['g/24h', 'mg/24h'], noisy), 1),
    upcr: q(['mg/mmol', 'mg/g', 'g/g']),
    urine_rbc_hpf: q(['/hpf']),
    urine_wbc_hpf: q(['/hpf']),
    urine_casts: maybe(textItem(['0', '1'], ODD_FLAG, noisy), 1),
    creatinine: q(['µmol/L', 'mg/dL']),
    urea: q(['mmol/L', 'mg/dL']),
    albumin: q(['g/L', 'g/dL']),
    c3: q(['g/L', 'mg/dL']),
    c3_lln: q(['g/L', 'mg/dL']),
    c4: q(['g/L', 'mg/dL']),
    c4_lln: q(['g/L', 'mg/dL']),
    anti_dsdna: q(['IU/mL', '%']),
    anti_dsdna_uln: q(['IU/mL']),
    ana_titre: maybe(quantityItem([null], noisy), 1),
  });
}

function vitalsForm(noisy: boolean) {
  return fields({
    temperature: maybe(
      fc.oneof(
        fc.record({
          value: fc.constantFrom('36.6', '38', '38.0', '38.05', '38.1', '40'),
          unit: fc.constant('°C'),
        }),
        fc.record({ value: fc.constantFrom('98.6', '100.4', '100.5', '104'), unit: fc.constant('°F') }),
        quantityItem(['°C', '°F'], noisy),
      ),
      3,
    ),
  });
}

const CODED = [
  CONSTITUTIONAL_ITEMS,
  MUCOCUTANEOUS_ITEMS,
  NEUROPSYCHIATRIC_ITEMS,
  MUSCULOSKELETAL_ITEMS,
  CARDIORESPIRATORY_ITEMS,
  GASTROINTESTINAL_ITEMS,
  OPHTHALMIC_ITEMS,
].flat();
const codeItem = (noisy: boolean) =>
  fc.record({
    value: fc.oneof(
      { weight: 12, arbitrary: fc.constant('0') },
      { weight: 8, arbitrary: fc.constantFrom('ND', '1', '2', '3', '4') },
      { weight: noisy ? 2 : 0, arbitrary: fc.constantFrom(' 2', '5', 'x', '', null, 'nd', '2.0') },
    ),
    unit: fc.constant(null),
  });

/** Renal items (Y/N too unless `previous`), then the haematological ones and the history. */
function renalSpec(noisy: boolean, previous: boolean) {
  const spec: Record<string, fc.Arbitrary<RawItem | undefined>> = {};
  for (const it of RENAL_ITEMS) {
    if (it.kind === 'yes-no') {
      if (!previous) spec[it.id] = maybe(textItem(['0', '0', '0', '1'], ODD_FLAG, noisy), 1);
    } else if (it.id === 'dipstick_protein')
      spec[it.id] = maybe(textItem(['0', '1', '2', '3'], ['4', '-1', '1.5', ' 2 ', '', 'x'], noisy), 1);
    else if ('units' in it && it.units[0] === 'mmHg')
      spec[it.id] = maybe(
        fc.record({
          value: noisy
            ? fc.oneof(fc.integer({ min: 60, max: 220 }).map(String), oddNumber)
            : fc.integer({ min: 60, max: 220 }).map(String),
          unit: fc.constantFrom('mmHg', null),
        }),
        1,
      );
    else if ('units' in it) spec[it.id] = maybe(quantityItem(it.units, noisy), 1);
  }
  return spec;
}

function bilag2004Form(noisy: boolean) {
  const spec: Record<string, fc.Arbitrary<RawItem | undefined>> = {};
  for (const it of CODED) spec[it.id] = maybe(codeItem(noisy), 3);
  Object.assign(spec, renalSpec(noisy, false));
  for (const it of HAEMATOLOGICAL_ITEMS) {
    if (it.kind === 'value') {
      spec[it.id] = maybe(quantityItem(it.units, noisy), 1);
      spec[dueToSleItemCode(it.id)] = maybe(textItem(['0', '1'], ODD_FLAG, noisy), 1);
    } else if (it.kind === 'yes-no') spec[it.id] = maybe(textItem(['0', '0', '0', '1'], ODD_FLAG, noisy), 1);
    else spec[it.id] = maybe(codeItem(noisy), 2);
  }
  // Mostly a complete history; sometimes partial or odd, so that history-missing occurs too.
  for (const s of BILAG2004_SYSTEMS)
    spec[historyItemCode(s)] = noisy
      ? maybe(textItem(['0', '1'], ODD_FLAG, true), 8)
      : textItem(['0', '1'], [], false).map((x) => x as RawItem | undefined);
  return fields(spec);
}

// Current values exactly on a change rule's comparator relative to the previous visit (× 1.3,
// × 1.15, × 0.67, × 0.75, + 30/15 mm Hg), computed as the rule computes them, then stored as text.
const T = RENAL_THRESHOLDS;
const ties = fc.record({
  mask: fc.integer({ min: 1, max: 31 }),
  rise: fc.constantFrom(T.creatinineRiseA, T.creatinineRiseB),
  creat: fc.oneof(fc.integer({ min: 90, max: 260 }), fc.double({ min: 90, max: 260, noNaN: true })),
  gfr: fc.oneof(fc.integer({ min: 40, max: 130 }), fc.double({ min: 40, max: 130, noNaN: true })),
  p24: fc.double({ min: 0.2, max: 4, noNaN: true }),
  ratio: fc.integer({ min: 20, max: 300 }),
  sbp: fc.integer({ min: 100, max: 150 }),
  dbp: fc.integer({ min: 60, max: 100 }),
});
function withTies(form: Form, prev: Form, t: typeof ties extends fc.Arbitrary<infer X> ? X : never) {
  const cur = { ...form };
  const p = { ...prev };
  const q = (value: number, unit: string | null): RawItem => ({ value: String(value), unit });
  if (t.mask & 1) [p.creatinine, cur.creatinine] = [q(t.creat, 'µmol/L'), q(t.rise * t.creat, 'µmol/L')];
  if (t.mask & 2)
    [p.gfr, cur.gfr] = [q(t.gfr, 'mL/min/1.73m2'), q(T.gfrFallFraction * t.gfr, 'mL/min/1.73m2')];
  if (t.mask & 4)
    [p.proteinuria_24h, cur.proteinuria_24h] = [
      q(t.p24, 'g/24h'),
      q(T.notDecreasedFraction * t.p24, 'g/24h'),
    ];
  if (t.mask & 8)
    [p.upcr, cur.upcr] = [q(t.ratio, 'mg/mmol'), q(T.notDecreasedFraction * t.ratio, 'mg/mmol')];
  if (t.mask & 16) {
    [p.systolic_bp, cur.systolic_bp] = [q(t.sbp, 'mmHg'), q(t.sbp + T.systolicRise, 'mmHg')];
    [p.diastolic_bp, cur.diastolic_bp] = [q(t.dbp, 'mmHg'), q(t.dbp + T.diastolicRise, 'mmHg')];
  }
  return [cur, p] as const;
}

function storedVisit(noisy: boolean): fc.Arbitrary<StoredVisit> {
  return fc
    .record({
      sledai2k: maybe(sledaiForm(noisy), 6),
      labs: maybe(labsForm(noisy), 6),
      vitals: maybe(vitalsForm(noisy), 2),
      bilag: maybe(
        fc.constantFrom(
          { general: 'A', mucocutaneous: 'B', neurological: 'E', musculoskeletal: 'C' },
          { general: 'D', mucocutaneous: 'E', neurological: 'E', musculoskeletal: 'E' },
        ),
        1,
      ),
      bilag2004: maybe(bilag2004Form(noisy), 6),
      previous: maybe(fields(renalSpec(noisy, true)), 3),
      ties: maybe(ties, 1),
      windowDays: fc.constantFrom(10 as const, 30 as const),
    })
    .map((r) => {
      const items: Record<string, Form> = {};
      if (r.sledai2k) items.sledai2k = r.sledai2k;
      if (r.labs) items.labs = r.labs;
      if (r.vitals) items['vital-signs'] = r.vitals;
      if (r.bilag)
        items.bilag = formOf(
          Object.fromEntries(
            [
              'general',
              'mucocutaneous',
              'neurological',
              'musculoskeletal',
              'cardiorespiratory',
              'vasculitis',
              'renal',
              'haematological',
            ].map((s) => [s, { value: (r.bilag as Record<string, string>)[s] ?? 'E', unit: null }]),
          ),
        );
      let previous = r.previous;
      if (r.bilag2004) {
        items.bilag2004 = r.bilag2004;
        if (r.ties) [items.bilag2004, previous] = withTies(r.bilag2004, previous ?? {}, r.ties);
      }
      return { items, ...(previous ? { previous } : {}), windowDays: r.windowDays };
    });
}
const visit = fc.oneof(
  { weight: 7, arbitrary: storedVisit(false) },
  { weight: 3, arbitrary: storedVisit(true) },
);

// ---- the check ----

function derive(v: StoredVisit, trace: boolean) {
  return deriveVisitScores(v.items, {
    sledaiWindowDays: v.windowDays,
    ...(v.previous ? { previousBilag2004: v.previous } : {}),
    trace,
  });
}

describe('items as stored: row path ≡ reference scorers (fast-check)', () => {
  test('4000 random stored visits, trace off (the analysis) and on (the explain view)', () => {
    let scored = 0;
    let refused = 0;
    fc.assert(
      fc.property(visit, (v) => {
        const want = reference(v, false);
        const got = derive(v, false);
        expect(got.sledai).toEqual(want.sledai);
        expect(got.bilag2004).toEqual(want.bilag2004);
        expect(got.labs).toEqual(want.labs);
        const traced = reference(v, true);
        const gotTraced = derive(v, true);
        expect(gotTraced.sledai).toEqual(traced.sledai);
        expect(gotTraced.bilag2004).toEqual(traced.bilag2004);
        if (want.sledai?.ok && want.bilag2004?.ok) scored++;
        if (want.sledai?.ok === false || want.bilag2004?.ok === false) refused++;
      }),
      { numRuns: 4000 },
    );
    // Not vacuous: most visits are scored by both, and invalid ones (issues) occur too.
    expect(scored).toBeGreaterThan(4000 * 0.3);
    expect(refused).toBeGreaterThan(4000 * 0.05);
  }, 180_000);

  test('every BILAG-2004 grade of every system and every SLEDAI-2K descriptor occur in the sample', () => {
    const seen = new Set<string>();
    let mask = 0;
    for (const v of fc.sample(visit, { numRuns: 3000, seed: 42 })) {
      const r = derive(v, false);
      if (r.bilag2004?.ok)
        for (const [s, g] of Object.entries(r.bilag2004.value.grades)) seen.add(`${s}:${g}`);
      if (r.sledai?.ok) mask |= r.sledai.value.presentMask;
    }
    const missing = BILAG2004_SYSTEMS.flatMap((s) => [...'ABCDE'].map((g) => `${s}:${g}`)).filter(
      (k) => !seen.has(k),
    );
    expect(missing).toEqual([]);
    expect(mask).toBe((1 << SLEDAI2K_DESCRIPTOR_IDS.length) - 1);
  }, 60_000);
});
