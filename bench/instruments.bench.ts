// SLEDAI-2K + BILAG-2004 scoring throughput (issue 3: ≥ 1 000 000 visits/s on one core).
// PRODUCT PATH FIRST (issue #19 item 6): the figure that describes msct is (0), the visit's items
// as stored (form item codes, string values, units) → deriveVisitScores (@msct/core/crf), exactly
// the call the analysis (dataset/patient-history.ts) and the API (server routes/clinical.ts) make.
// Figures (2)–(3) below measure the compact kernel (instruments/compact), which no product code
// calls today: it is kept as a second implementation checked against the reference scorers.
// Three figures: (1) the reference scorers, which validate every field on every call; (2) compile,
// the same validation done once per visit into the compact row (compact/compile.ts); (3) the
// compact kernel scoring 1 000 000 pre-compiled rows, as the store or an analysis holds them —
// the figure the target applies to. The compact scores must sum to the reference checksum.
// 1 000 000 visits are scored, drawn in turn from a pool of 10 000 distinct synthetic visits
// generated deterministically (mulberry32, fixed seed) and passed through JSON (stringify +
// parse), as visits arrive from the API or the store. Only scoring is timed. (A fresh 1 000 000
// is not materialised: the young-generation GC copying freshly allocated batches would be timed
// instead of the scoring; and objects built key by key fall into V8's slow dictionary mode past
// ~20 properties, which JSON-parsed objects do not.) Every visit carries all 24 SLEDAI
// descriptors, SLEDAI labs, all 79 coded BILAG items and the renal/haematological values.

import {
  deriveVisitScores,
  dueToSleItemCode,
  historyItemCode,
  type RawItem,
  type VisitItems,
} from '../packages/core/src/crf/index.js';
import { mulberry32 } from '../packages/core/src/demo/prng.js';
import {
  BILAG2004_SYSTEMS,
  type Bilag2004Input,
  bilag2004Score,
  CARDIORESPIRATORY_ITEMS,
  CONSTITUTIONAL_ITEMS,
  compileVisitInto,
  createCompactScores,
  createCompactVisits,
  GASTROINTESTINAL_ITEMS,
  MUCOCUTANEOUS_ITEMS,
  MUSCULOSKELETAL_ITEMS,
  NEUROPSYCHIATRIC_ITEMS,
  OPHTHALMIC_ITEMS,
  SLEDAI2K_DESCRIPTOR_IDS,
  type Sledai2kInput,
  scoreBatch,
  sledai2kScore,
} from '../packages/core/src/instruments/index.js';
import type { BenchResult } from './types.js';

const VISITS = 1_000_000;

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

function visit(rnd: () => number): { sledai: Sledai2kInput; bilag: Bilag2004Input } {
  const descriptors: Record<string, 'present' | 'absent'> = {};
  for (const id of SLEDAI2K_DESCRIPTOR_IDS) descriptors[id] = rnd() < 0.1 ? 'present' : 'absent';
  const sledai: Sledai2kInput = {
    descriptors,
    labs: {
      proteinuria24h: { value: rnd() * 3, unit: 'g/24h' },
      c3: { value: 0.4 + rnd(), unit: 'g/L', lowerLimitOfNormal: 0.9 },
      antiDsDna: { value: rnd() * 400, unit: 'IU/mL', upperLimitOfNormal: 100 },
      platelets: { value: 20 + rnd() * 300, unit: '10^9/L' },
      wbc: { value: 1 + rnd() * 9, unit: '10^9/L' },
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
    upcr: { value: rnd() * 300, unit: 'mg/mmol' },
    proteinuria_24h: { value: rnd() * 3, unit: 'g/24h' },
    creatinine: { value: 60 + rnd() * 150, unit: 'µmol/L' },
    gfr: { value: 30 + rnd() * 90, unit: 'mL/min/1.73m2' },
    nephrotic_syndrome: rnd() < 0.05,
    active_urinary_sediment: rnd() < 0.2,
    active_nephritis: rnd() < 0.05,
  };
  bilag.previous = {
    renal: {
      systolic_bp: 120,
      diastolic_bp: 80,
      upcr: { value: rnd() * 300, unit: 'mg/mmol' },
      proteinuria_24h: { value: rnd() * 3, unit: 'g/24h' },
      creatinine: { value: 60 + rnd() * 150, unit: 'µmol/L' },
      gfr: { value: 30 + rnd() * 90, unit: 'mL/min/1.73m2' },
    },
  };
  bilag.haematological = {
    haemoglobin: { value: 7 + rnd() * 8, unit: 'g/dL' },
    wcc: { value: 1 + rnd() * 9, unit: '10^9/L' },
    neutrophils: { value: 0.4 + rnd() * 6, unit: '10^9/L' },
    lymphocytes: { value: 0.3 + rnd() * 3, unit: '10^9/L' },
    platelets: { value: 20 + rnd() * 300, unit: '10^9/L' },
    haemolysis: rnd() < 0.05,
    coombs_positive: rnd() < 0.05,
  };
  return { sledai, bilag: bilag as Bilag2004Input };
}

const POOL = 10_000;

/** The deterministic pool, JSON round-tripped; built once and then long-lived (old space). */
export function makePool(): { sledai: Sledai2kInput; bilag: Bilag2004Input }[] {
  const rnd = mulberry32(20260301);
  const pool = Array.from({ length: POOL }, () => visit(rnd));
  return JSON.parse(JSON.stringify(pool)) as typeof pool;
}

function runOnce(
  pool: readonly { sledai: Sledai2kInput; bilag: Bilag2004Input }[],
  trace: boolean,
  visits = VISITS,
) {
  const opts = { trace };
  let checksum = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < visits; i++) {
    const v = pool[i % POOL]!;
    const s = sledai2kScore(v.sledai, opts);
    const b = bilag2004Score(v.bilag, opts);
    if (s.ok && b.ok) checksum += s.value.score + b.value.numeric;
    else checksum -= 1;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { perSecond: Math.round(visits / seconds), checksum };
}

/** Validates every pool visit once more into a 1 000 000-row compact batch (row i = pool[i % POOL]). */
function compileAll(pool: readonly { sledai: Sledai2kInput; bilag: Bilag2004Input }[]) {
  const visits = createCompactVisits(VISITS);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < VISITS; i++) {
    const r = compileVisitInto(visits, i, pool[i % POOL]!);
    if (!r.ok) throw new Error(`visit ${i} refused: ${JSON.stringify(r.issues)}`);
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { visits, perSecond: Math.round(VISITS / seconds) };
}

/** Median of `reps` timed passes of the kernel over all 1 000 000 pre-compiled rows. */
function scoreCompiled(visits: ReturnType<typeof createCompactVisits>, reps = 5) {
  const out = createCompactScores(VISITS);
  scoreBatch(visits, out, { to: 200_000 }); // warm-up
  const rates: number[] = [];
  for (let k = 0; k < reps; k++) {
    const t0 = process.hrtime.bigint();
    scoreBatch(visits, out);
    rates.push(VISITS / (Number(process.hrtime.bigint() - t0) / 1e9));
  }
  rates.sort((a, b) => a - b);
  let checksum = 0;
  for (let i = 0; i < VISITS; i++) checksum += out.sledai[i]! + out.numeric[i]!;
  return { perSecond: Math.round(rates[reps >> 1]!), best: Math.round(rates[reps - 1]!), checksum };
}

type Pooled = { sledai: Sledai2kInput; bilag: Bilag2004Input };
interface StoredVisit {
  items: VisitItems;
  previousBilag2004: Record<string, RawItem>;
}

const raw = (value: string | number | boolean, unit: string | null = null): RawItem => ({
  value: typeof value === 'boolean' ? (value ? '1' : '0') : String(value),
  unit,
});

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

/**
 * The same visit as the store holds it (VisitItems: form code → item code → { value, unit }), the
 * shape the analysis and the API hand to deriveVisitScores: the SLEDAI-2K form's descriptor items,
 * the lab form (with the testing lab's C3 LLN and anti-dsDNA ULN as their own items), and the
 * BILAG-2004 form (a history item per system); the previous visit's renal values as the previous
 * BILAG-2004 items (as the API passes them).
 */
function storedVisit(v: Pooled): StoredVisit {
  const sledai2k: Record<string, RawItem> = {};
  for (const id of SLEDAI2K_DESCRIPTOR_IDS) sledai2k[id] = raw(v.sledai.descriptors?.[id] === 'present');
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
  return { items: { sledai2k, labs, bilag2004 }, previousBilag2004 };
}

const PRODUCT_VISITS = 200_000;

/**
 * The product path: items as stored → deriveVisitScores, over PRODUCT_VISITS visits drawn in turn
 * from the JSON round-tripped pool. Before timing, every pool visit's product scores are compared
 * with the reference scorers' (SLEDAI-2K score, BILAG-2004 numeric): the path must score the same.
 */
function runProduct(pool: readonly Pooled[]) {
  const stored = JSON.parse(JSON.stringify(pool.map(storedVisit))) as StoredVisit[];
  for (let i = 0; i < stored.length; i++) {
    const s = deriveVisitScores(stored[i]!.items, { previousBilag2004: stored[i]!.previousBilag2004 });
    const rs = sledai2kScore(pool[i]!.sledai);
    const rb = bilag2004Score(pool[i]!.bilag);
    const got = s.sledai?.ok && s.bilag2004?.ok ? [s.sledai.value.score, s.bilag2004.value.numeric] : null;
    const want = rs.ok && rb.ok ? [rs.value.score, rb.value.numeric] : null;
    if (JSON.stringify(got) !== JSON.stringify(want))
      throw new Error(`visit ${i}: product path ${JSON.stringify(got)} ≠ reference ${JSON.stringify(want)}`);
  }
  const pass = (visits: number) => {
    let checksum = 0;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < visits; i++) {
      const v = stored[i % POOL]!;
      const s = deriveVisitScores(v.items, { previousBilag2004: v.previousBilag2004 });
      if (s.sledai?.ok && s.bilag2004?.ok) checksum += s.sledai.value.score + s.bilag2004.value.numeric;
      else checksum -= 1;
    }
    return { perSecond: Math.round(visits / (Number(process.hrtime.bigint() - t0) / 1e9)), checksum };
  };
  pass(20_000); // warm-up
  return pass(PRODUCT_VISITS);
}

export default async function run(): Promise<BenchResult[]> {
  const pool = makePool();
  const product = runProduct(pool);
  runOnce(pool, false, 200_000); // warm-up: JIT settles and the pool is promoted to old space
  const fast = runOnce(pool, false);
  const traced = runOnce(pool, true);
  if (fast.checksum !== traced.checksum) throw new Error('trace on/off gave different scores');
  const compiled = compileAll(pool);
  const compact = scoreCompiled(compiled.visits);
  if (compact.checksum !== fast.checksum)
    throw new Error(`compact checksum ${compact.checksum} ≠ reference ${fast.checksum}`);
  return [
    {
      name: 'PRODUCT PATH: items as stored → deriveVisitScores (what the analysis and the API call), SLEDAI-2K + BILAG-2004 (200 000 visits)',
      value: product.perSecond,
      unit: 'visits/s',
      target: '>= 1 000 000 visits/s',
      ok: product.perSecond >= 1_000_000,
    },
    {
      name: 'reference sledai2kScore + bilag2004Score, validating every call, trace off (1 000 000 visits)',
      value: fast.perSecond,
      unit: 'visits/s',
    },
    {
      name: 'reference sledai2kScore + bilag2004Score, validating every call, full trace',
      value: traced.perSecond,
      unit: 'visits/s',
    },
    {
      name: 'compileVisitInto: validate once (reference checks) + write the compact row (1 000 000 visits)',
      value: compiled.perSecond,
      unit: 'visits/s',
    },
    {
      name: 'NOT THE PRODUCT PATH (compact kernel, bench-only) scoreBatch: SLEDAI-2K + clinical SLEDAI + 9 BILAG-2004 grades + numeric from 1 000 000 pre-compiled rows, no validation (median of 5)',
      value: compact.perSecond,
      unit: 'visits/s',
    },
    { name: 'scoreBatch, best of 5', value: compact.best, unit: 'visits/s' },
  ];
}
