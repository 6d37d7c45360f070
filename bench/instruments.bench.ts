// SLEDAI-2K + BILAG-2004 scoring throughput of the PRODUCT PATH (issue 3: ≥ 1 000 000 visits/s on
// one core; issue #19 item 6: the figure is the path the product takes). Measured: a visit's items
// as stored → deriveVisitScores (@msct/core/crf), exactly the call the analysis
// (dataset/patient-history.ts, trace off) and the API (server routes/clinical.ts, trace on for the
// explain view) make; it scores SLEDAI-2K and BILAG-2004 through the compact kernel
// (crf/derive-row.ts → instruments/compact), classic BILAG with classicBilagTotal, and canonicalises
// the labs. For comparison, the reference scorers on the same items (the path before, and the
// kernel's test oracle).
//
// Visits: a pool of 10 000 distinct synthetic visits (mulberry32, fixed seed), each a full set of
// forms — SLEDAI-2K (24 descriptors + 24 attribution items), labs (with the testing lab's C3 LLN
// and anti-dsDNA ULN), vital signs (temperature), classic BILAG (8 grades), BILAG-2004 (all 97
// items, history and "due to SLE" items) — and the previous visit's BILAG-2004 renal values. Each
// visit is handed over as store/src/dataset.ts hands it on SQLite: the visit's items as one JSON
// text (json_group_object, items in code order) parsed once (visitItemsOf); two further figures
// take the forms as the PostgreSQL reader builds them (Object.fromEntries per form) and as it built
// them before session 8 (one keyed store per item: V8's dictionary mode). Values are written at
// the precision a lab reports them (e.g. "1.37" g/24 h, "212" ×10⁹/L); one further figure uses
// full 17-digit doubles, which take Number()'s slower parse.
// Before timing, every pool visit is scored by the product path and by the reference scorers and
// must give the same values. The pool is scored round-robin; only scoring is timed.
// Two further figures read the same items from slots (per form a value array in the definition's
// item order) instead of by item code: what that representation would leave of the reading cost
// (bench/instruments-profile.ts shows where the product path's time goes).

import {
  BILAG2004_FORM,
  bilag2004FromItems,
  deriveVisitScores,
  dueToSleItemCode,
  type FormDefinitionItems,
  historyItemCode,
  MSCT_SLE_FORMS,
  type RawItem,
  sledai2kInputFromItems,
  type VisitItems,
} from '../packages/core/src/crf/index.js';
import { readDecimal } from '../packages/core/src/crf/stored-values.js';
import { mulberry32 } from '../packages/core/src/demo/prng.js';
import { classicBilagTotal } from '../packages/core/src/instruments/bilag-classic/grades.js';
import {
  BILAG2004_SYSTEMS,
  type Bilag2004Input,
  bilag2004Score,
  CARDIORESPIRATORY_ITEMS,
  CLASSIC_BILAG_SYSTEMS,
  CONSTITUTIONAL_ITEMS,
  GASTROINTESTINAL_ITEMS,
  MUCOCUTANEOUS_ITEMS,
  MUSCULOSKELETAL_ITEMS,
  NEUROPSYCHIATRIC_ITEMS,
  OPHTHALMIC_ITEMS,
  SLEDAI2K_DESCRIPTOR_IDS,
  type Sledai2kInput,
  sledai2kAttributionItemCode,
  sledai2kScore,
} from '../packages/core/src/instruments/index.js';
import type { BenchResult } from './types.js';

const POOL = 10_000;
const TIMED = 200_000;

const ORDINAL: readonly [string, readonly { id: string }[]][] = [
  ['constitutional', CONSTITUTIONAL_ITEMS],
  ['mucocutaneous', MUCOCUTANEOUS_ITEMS],
  ['neuropsychiatric', NEUROPSYCHIATRIC_ITEMS],
  ['musculoskeletal', MUSCULOSKELETAL_ITEMS],
  ['cardiorespiratory', CARDIORESPIRATORY_ITEMS],
  ['gastrointestinal', GASTROINTESTINAL_ITEMS],
  ['ophthalmic', OPHTHALMIC_ITEMS],
];
const HISTORY = Object.fromEntries(BILAG2004_SYSTEMS.map((s, i) => [s, i % 2 === 0]));
const GRADES = ['A', 'B', 'C', 'D', 'E'] as const;

interface Pooled {
  sledai: Sledai2kInput;
  bilag: Bilag2004Input;
  classic: Record<string, string>;
}

/** One synthetic visit; `dp(x, k)` rounds to k decimals as a lab reports (or not, when `precise`). */
function visit(rnd: () => number, precise: boolean): Pooled {
  const dp = (x: number, k: number) => (precise ? x : Math.round(x * 10 ** k) / 10 ** k);
  const descriptors: Record<string, 'present' | 'absent' | 'not-sle'> = {};
  for (const id of SLEDAI2K_DESCRIPTOR_IDS) {
    const r = rnd();
    descriptors[id] = r < 0.1 ? 'present' : r < 0.13 ? 'not-sle' : 'absent';
  }
  const sledai: Sledai2kInput = {
    descriptors,
    labs: {
      proteinuria24h: { value: dp(rnd() * 3, 2), unit: 'g/24h' },
      c3: { value: dp(0.4 + rnd(), 2), unit: 'g/L', lowerLimitOfNormal: 0.9 },
      antiDsDna: { value: dp(rnd() * 400, 0), unit: 'IU/mL', upperLimitOfNormal: 100 },
      platelets: { value: dp(20 + rnd() * 300, 0), unit: '10^9/L' },
      wbc: { value: dp(1 + rnd() * 9, 1), unit: '10^9/L' },
      temperature: { value: dp(36 + rnd() * 3.5, 1), unit: '°C' },
    },
  };
  const bilag: Record<string, unknown> = { history: HISTORY };
  for (const [system, items] of ORDINAL) {
    const rec: Record<string, number> = {};
    for (const it of items) rec[it.id] = rnd() < 0.85 ? 0 : Math.floor(rnd() * 5);
    bilag[system] = rec;
  }
  bilag.renal = {
    systolic_bp: 110 + Math.floor(rnd() * 50),
    diastolic_bp: 70 + Math.floor(rnd() * 30),
    accelerated_hypertension: rnd() < 0.02,
    upcr: { value: dp(rnd() * 300, 1), unit: 'mg/mmol' },
    proteinuria_24h: { value: dp(rnd() * 3, 2), unit: 'g/24h' },
    creatinine: { value: dp(60 + rnd() * 150, 0), unit: 'µmol/L' },
    gfr: { value: dp(30 + rnd() * 90, 0), unit: 'mL/min/1.73m2' },
    nephrotic_syndrome: rnd() < 0.05,
    active_urinary_sediment: rnd() < 0.2,
    active_nephritis: rnd() < 0.05,
  };
  bilag.previous = {
    renal: {
      systolic_bp: 120,
      diastolic_bp: 80,
      upcr: { value: dp(rnd() * 300, 1), unit: 'mg/mmol' },
      proteinuria_24h: { value: dp(rnd() * 3, 2), unit: 'g/24h' },
      creatinine: { value: dp(60 + rnd() * 150, 0), unit: 'µmol/L' },
      gfr: { value: dp(30 + rnd() * 90, 0), unit: 'mL/min/1.73m2' },
    },
  };
  bilag.haematological = {
    haemoglobin: { value: dp(7 + rnd() * 8, 1), unit: 'g/dL' },
    wcc: { value: dp(1 + rnd() * 9, 1), unit: '10^9/L' },
    neutrophils: { value: dp(0.4 + rnd() * 6, 2), unit: '10^9/L' },
    lymphocytes: { value: dp(0.3 + rnd() * 3, 2), unit: '10^9/L' },
    platelets: { value: dp(20 + rnd() * 300, 0), unit: '10^9/L' },
    haemolysis: rnd() < 0.05,
    coombs_positive: rnd() < 0.05,
    due_to_sle: { haemoglobin: rnd() < 0.5, platelets: rnd() < 0.9 },
  };
  const classic = Object.fromEntries(
    CLASSIC_BILAG_SYSTEMS.map((s) => [s, GRADES[rnd() < 0.6 ? 4 : Math.floor(rnd() * 5)]!]),
  );
  return { sledai, bilag: bilag as Bilag2004Input, classic };
}

const raw = (value: string | number | boolean, unit: string | null = null): RawItem => ({
  value: typeof value === 'boolean' ? (value ? '1' : '0') : String(value),
  unit,
});

/**
 * A form built by one keyed store per item row, rows in item-code order (how the PostgreSQL reader
 * built forms before session 8; V8 keeps such a form of more than a dozen items in dictionary mode).
 */
function storedForm(entries: Record<string, RawItem>): Record<string, RawItem> {
  const form: Record<string, RawItem> = {};
  for (const code of Object.keys(entries).sort()) form[code] = { ...entries[code]! };
  return form;
}

/** One BILAG-2004 system record (or `previous`) as the form's items: ordinal '0'–'4', yes/no '1'/'0', value + unit. */
function bilagItems(rec: Record<string, unknown>, out: Record<string, RawItem>): void {
  for (const [id, v] of Object.entries(rec)) {
    if (id === 'due_to_sle')
      for (const [lab, b] of Object.entries(v as Record<string, boolean>))
        out[dueToSleItemCode(lab as never)] = raw(b);
    else if (typeof v === 'object' && v !== null) {
      const q = v as { value: number; unit: string };
      out[id] = raw(q.value, q.unit);
    } else out[id] = raw(v as string | number | boolean);
  }
}

interface StoredVisit {
  items: VisitItems;
  previousBilag2004: Record<string, RawItem>;
}

/** The visit as the store holds it (VisitItems: form code → item code → { value, unit }). */
function storedVisit(v: Pooled): StoredVisit {
  const sledai2k: Record<string, RawItem> = {};
  for (const id of SLEDAI2K_DESCRIPTOR_IDS) {
    const state = v.sledai.descriptors?.[id];
    sledai2k[id] = raw(state === 'present');
    sledai2k[sledai2kAttributionItemCode(id)] = raw(state === 'not-sle');
  }
  const l = v.sledai.labs!;
  const labs: Record<string, RawItem> = {
    proteinuria_24h: raw(l.proteinuria24h!.value, l.proteinuria24h!.unit),
    c3: raw(l.c3!.value, l.c3!.unit),
    c3_lln: raw(l.c3!.lowerLimitOfNormal!, l.c3!.unit),
    anti_dsdna: raw(l.antiDsDna!.value, l.antiDsDna!.unit),
    anti_dsdna_uln: raw(l.antiDsDna!.upperLimitOfNormal!, l.antiDsDna!.unit),
    platelets: raw(l.platelets!.value, l.platelets!.unit),
    wbc: raw(l.wbc!.value, l.wbc!.unit),
  };
  const b = v.bilag as unknown as Record<string, Record<string, unknown>>;
  const bilag2004: Record<string, RawItem> = {};
  for (const system of BILAG2004_SYSTEMS) {
    bilag2004[historyItemCode(system)] = raw(Boolean(b.history![system]));
    if (b[system]) bilagItems(b[system], bilag2004);
  }
  const previousBilag2004: Record<string, RawItem> = {};
  if (b.previous)
    for (const rec of Object.values(b.previous))
      bilagItems(rec as Record<string, unknown>, previousBilag2004);
  const bilag: Record<string, RawItem> = {};
  for (const [s, g] of Object.entries(v.classic)) bilag[s] = raw(g);
  return {
    items: {
      sledai2k: storedForm(sledai2k),
      labs: storedForm(labs),
      'vital-signs': storedForm({ temperature: raw(l.temperature!.value, l.temperature!.unit) }),
      bilag: storedForm(bilag),
      bilag2004: storedForm(bilag2004),
    },
    previousBilag2004: storedForm(previousBilag2004),
  };
}

/** Checks every pool visit: the product path gives the reference scorers' values. Returns the checksum. */
function checkAgainstReference(pool: readonly Pooled[], stored: readonly StoredVisit[]): number {
  let checksum = 0;
  for (let i = 0; i < stored.length; i++) {
    const s = deriveVisitScores(stored[i]!.items, { previousBilag2004: stored[i]!.previousBilag2004 });
    const rs = sledai2kScore(pool[i]!.sledai, { trace: false });
    const rb = bilag2004Score(pool[i]!.bilag, { trace: false });
    const rc = classicBilagTotal(pool[i]!.classic, { trace: false });
    const got = JSON.stringify([s.sledai, s.bilag2004, s.bilag?.ok && s.bilag.value.total]);
    const want = JSON.stringify([rs, rb, rc.ok && rc.value.total]);
    if (got !== want) throw new Error(`visit ${i}: product path ${got} ≠ reference ${want}`);
    if (!s.sledai?.ok || !s.bilag2004?.ok) throw new Error(`visit ${i} not scored`);
    checksum += s.sledai.value.score + s.bilag2004.value.numeric;
  }
  return checksum;
}

/**
 * Median and best of `reps` timed passes of `score` over TIMED visits (after a warm-up pass), by the
 * wall clock and by the process's CPU time (user + system, process.cpuUsage): on a machine shared
 * with other work the wall clock also counts the time the process waited for a core; the CPU-time
 * rate is what one core does while it runs the scoring (GC helper threads included).
 */
function timed<T>(stored: readonly T[], score: (v: T) => number, visits = TIMED, reps = 3) {
  const pass = (visits: number) => {
    let checksum = 0;
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    for (let i = 0; i < visits; i++) checksum += score(stored[i % stored.length]!);
    const cpu = process.cpuUsage(c0);
    return {
      perSecond: visits / (Number(process.hrtime.bigint() - t0) / 1e9),
      perCpuSecond: visits / ((cpu.user + cpu.system) / 1e6),
      checksum,
    };
  };
  pass(50_000); // warm-up: JIT settles, the pool is promoted to old space
  const runs = Array.from({ length: reps }, () => pass(visits));
  const rates = runs.map((r) => r.perSecond).sort((a, b) => a - b);
  const cpuRates = runs.map((r) => r.perCpuSecond).sort((a, b) => a - b);
  return {
    perSecond: Math.round(rates[reps >> 1]!),
    best: Math.round(rates[reps - 1]!),
    perCpuSecond: Math.round(cpuRates[reps >> 1]!),
    checksum: runs[0]!.checksum,
    visits,
  };
}

const product = (trace: boolean) => (v: StoredVisit) => {
  const s = deriveVisitScores(v.items, { previousBilag2004: v.previousBilag2004, trace });
  return s.sledai?.ok && s.bilag2004?.ok ? s.sledai.value.score + s.bilag2004.value.numeric : -1;
};

/** The path before issue #19 item 6: the reference scorers' inputs built from the items, trace off. */
const referenceFromItems = (v: StoredVisit) => {
  const s = sledai2kScore(sledai2kInputFromItems(v.items), { trace: false });
  const b = bilag2004FromItems(v.items.bilag2004!, v.previousBilag2004, { trace: false });
  return s.ok && b.ok ? s.value.score + b.value.numeric : -1;
};

export /**
 * Reading every stored item of a visit once by its item code (the forms' own keys), and nothing
 * else: no parse, no scoring. The ceiling any scorer fed this representation can reach.
 */
function readOnly(stored: readonly StoredVisit[]) {
  const first = stored[0]!;
  const forms = Object.keys(first.items);
  const codes = forms.map((f) => Object.keys(first.items[f]!));
  const previous = Object.keys(first.previousBilag2004);
  return (v: StoredVisit) => {
    let n = 0;
    for (let f = 0; f < forms.length; f++) {
      const form = v.items[forms[f]!]!;
      const cs = codes[f]!;
      for (let k = 0; k < cs.length; k++) n += form[cs[k]!]?.value?.length ?? 0;
    }
    for (let k = 0; k < previous.length; k++) n += v.previousBilag2004[previous[k]!]?.value?.length ?? 0;
    return n;
  };
}

/**
 * The same visits in slots, as a reader could hand them (the representation issue #19 item 6 asks
 * about): per form one array of values and one of units, in the form definition's item order, the
 * item code → slot table built once per form definition (MSCT_SLE_FORMS, BILAG2004_FORM), not per
 * visit. Only measured here, to know what that representation would allow; no scorer reads it.
 */
interface SlottedForm {
  values: (string | null)[];
  units: (string | null)[];
}
type SlottedVisit = SlottedForm[];

const SLOT_FORMS: readonly FormDefinitionItems[] = [
  ...MSCT_SLE_FORMS.filter((f) => ['sledai2k', 'labs', 'vital-signs', 'bilag'].includes(f.formCode)),
  BILAG2004_FORM,
  // The previous visit's BILAG-2004 items, in the same form's slots.
  { ...BILAG2004_FORM, formCode: 'previous' },
];

function slotted(stored: readonly StoredVisit[]): SlottedVisit[] {
  const tables = SLOT_FORMS.map((f) => new Map(f.items.map((it, i) => [it.code, i])));
  return stored.map((v) =>
    SLOT_FORMS.map((f, k) => {
      const form = f.formCode === 'previous' ? v.previousBilag2004 : v.items[f.formCode]!;
      const out: SlottedForm = {
        values: new Array(f.items.length).fill(null),
        units: new Array(f.items.length).fill(null),
      };
      for (const [code, it] of Object.entries(form)) {
        const slot = tables[k]!.get(code);
        if (slot === undefined) throw new Error(`${f.formCode} has no slot for ${code}`);
        out.values[slot] = it.value;
        out.units[slot] = it.unit;
      }
      return out;
    }),
  );
}

/** readOnly on slots: every value of every form read once by position, nothing else. */
function readSlots(v: SlottedVisit): number {
  let n = 0;
  for (let f = 0; f < v.length; f++) {
    const values = v[f]!.values;
    for (let k = 0; k < values.length; k++) n += values[k]?.length ?? 0;
  }
  return n;
}

/**
 * Reading and parsing on slots: every value read by position and parsed as the row writers parse
 * it (readDecimal: the same double as Number(), no allocation) — the item-reading work of the
 * product path without its keyed look-ups; still no scoring.
 */
function parseSlots(v: SlottedVisit): number {
  let n = 0;
  for (let f = 0; f < v.length; f++) {
    const values = v[f]!.values;
    for (let k = 0; k < values.length; k++) {
      const s = values[k];
      if (s === null || s === undefined) continue;
      const x = readDecimal(s);
      if (!Number.isNaN(x)) n += x;
    }
  }
  return n;
}

/** The visit as the SQLite reader hands it: its items' JSON text parsed once (dataset.ts visitItemsOf). */
function asLoaded(v: StoredVisit): StoredVisit {
  return JSON.parse(JSON.stringify(v)) as StoredVisit;
}

/** The visit as the PostgreSQL reader builds it: Object.fromEntries of [code, { value, unit }] per form. */
function asPostgres(v: StoredVisit): StoredVisit {
  const form = (f: Readonly<Record<string, RawItem>>) =>
    Object.fromEntries(Object.entries(f).map(([code, it]) => [code, { value: it.value, unit: it.unit }]));
  return {
    items: Object.fromEntries(Object.entries(v.items).map(([code, f]) => [code, form(f)])),
    previousBilag2004: form(v.previousBilag2004),
  };
}

export function pool(precise: boolean) {
  const rnd = mulberry32(20260301);
  const visits = Array.from({ length: POOL }, () => visit(rnd, precise));
  const keyed = visits.map(storedVisit);
  const stored = keyed.map(asLoaded);
  return { visits, stored, keyed, checksum: checkAgainstReference(visits, stored) };
}

export default async function run(): Promise<BenchResult[]> {
  const lab = pool(false);
  const analysis = timed(lab.stored, product(false));
  const api = timed(lab.stored, product(true), TIMED / 4);
  const before = timed(lab.stored, referenceFromItems, TIMED / 4);
  for (const [name, r] of [
    ['product, trace off', analysis],
    ['product, trace on', api],
    ['reference', before],
  ] as const)
    if (r.checksum !== (r.visits / POOL) * lab.checksum)
      throw new Error(`${name}: checksum ${r.checksum} ≠ ${(r.visits / POOL) * lab.checksum}`);
  const reading = timed(lab.stored, readOnly(lab.stored));
  const slots = slotted(lab.stored);
  const readingSlots = timed(slots, readSlots);
  const parsingSlots = timed(slots, parseSlots);
  const postgres = lab.keyed.map(asPostgres);
  if (checkAgainstReference(lab.visits, postgres) !== lab.checksum)
    throw new Error('PostgreSQL shape differs');
  const analysisPostgres = timed(postgres, product(false));
  const analysisKeyed = timed(lab.keyed, product(false));
  // The first 50 visits only, scored round-robin: they stay in the processor's caches, as a visit
  // the reader has just parsed would be (the 10 000-visit pool is read from memory).
  const analysisHot = timed(lab.stored.slice(0, 50), product(false));
  const precise = pool(true);
  const analysisPrecise = timed(precise.stored, product(false));
  return [
    {
      name: 'PRODUCT PATH: items as stored → deriveVisitScores (analysis: trace off), SLEDAI-2K + classic BILAG + BILAG-2004 + labs through the compact kernel, median of 3 × 200 000 visits, per CPU-second (one core)',
      value: analysis.perCpuSecond,
      unit: 'visits/s',
      target: '>= 1 000 000 visits/s',
      ok: analysis.perCpuSecond >= 1_000_000,
    },
    {
      name: "reading the visit's 175 stored items once by item code, nothing else (the ceiling of this input representation), per CPU-second",
      value: reading.perCpuSecond,
      unit: 'visits/s',
    },
    {
      name: "the same 175 items in slots (per form a value array in the definition's item order), read once by position, nothing else, per CPU-second",
      value: readingSlots.perCpuSecond,
      unit: 'visits/s',
    },
    {
      name: 'the same slots read and every value parsed (readDecimal, as the row writers parse), no scoring, per CPU-second',
      value: parsingSlots.perCpuSecond,
      unit: 'visits/s',
    },
    {
      name: 'product path, trace off, by the wall clock (median)',
      value: analysis.perSecond,
      unit: 'visits/s',
    },
    { name: 'product path, trace off, best of 3', value: analysis.best, unit: 'visits/s' },
    {
      name: 'product path with full-precision values (17-digit doubles, Number() parse), trace off, per CPU-second',
      value: analysisPrecise.perCpuSecond,
      unit: 'visits/s',
    },
    {
      name: 'product path, trace off, forms as the PostgreSQL reader builds them (Object.fromEntries), per CPU-second',
      value: analysisPostgres.perCpuSecond,
      unit: 'visits/s',
    },
    {
      name: 'product path, trace off, forms built by one keyed store per item (dictionary mode; the PostgreSQL reader before session 8), per CPU-second',
      value: analysisKeyed.perCpuSecond,
      unit: 'visits/s',
    },
    {
      name: 'product path, trace off, 50 visits round-robin (in the processor caches, as just parsed), per CPU-second',
      value: analysisHot.perCpuSecond,
      unit: 'visits/s',
    },
    {
      name: 'product path, trace on (the API explain view: kernel value + reference trace), 3 × 50 000 visits, per CPU-second',
      value: api.perCpuSecond,
      unit: 'visits/s',
    },
    {
      name: 'reference scorers from the same items (the path before; the test oracle), trace off, 3 × 50 000 visits, per CPU-second',
      value: before.perCpuSecond,
      unit: 'visits/s',
    },
    {
      name: 'reference scorers from the same items, trace off, by the wall clock (median)',
      value: before.perSecond,
      unit: 'visits/s',
    },
  ];
}
