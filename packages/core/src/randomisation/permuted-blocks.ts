/**
 * Stratified permuted-block randomisation with blocks of random (mixed) sizes, and the allocation
 * list it generates from a recorded seed.
 *
 * Within each stratum (site × the levels of each named factor) the list is a sequence of blocks.
 * Each block's size is drawn uniformly from the design's allowed sizes, every one a multiple of
 * the ratio total T (for 2:1, T = 3: sizes 3, 6, 9); a block of size m·T holds exactly m·r_i
 * assignments to arm i, in a uniformly random order (Fisher–Yates shuffle; Knuth, TAOCP vol. 2,
 * Algorithm 3.4.2 P). So at the end of every block each arm has exactly its ratio share, and within
 * a block the imbalance never exceeds half the largest block for 1:1; mixing sizes keeps the end of
 * a block from being predictable by someone who has counted assignments.
 * Sources: Rosenberger & Lachin, Randomization in Clinical Trials, 2nd ed. (Wiley 2016),
 * the chapter on restricted randomization (permuted blocks, random block sizes); Zelen (1974), J Chronic Dis 27:365–375
 * (stratified permuted blocks); ICH E9 §2.3.2 (randomisation: block length kept from investigators).
 */
import type { RandomStream } from './chacha20.js';
import {
  type Arm,
  badLevels,
  checkArms,
  checkFactors,
  type FactorLevels,
  parseSeed,
  type StratificationFactor,
  streamFor,
} from './design.js';
import { fail, ok, type RandomisationResult } from './result.js';

export interface PermutedBlockDesign {
  readonly arms: readonly Arm[];
  /** Allowed block sizes, each a positive multiple of the ratio total; one drawn uniformly per block. */
  readonly blockSizes: readonly number[];
  /** Sites to stratify by; omit (or leave empty) for no stratification by site. */
  readonly sites?: readonly string[];
  /** Named stratification factors (e.g. lupus nephritis class, baseline SLEDAI-2K band). */
  readonly factors: readonly StratificationFactor[];
}

export interface Stratum {
  /** Canonical id: "site=<site>;<factor>=<level>;…" in design order (or "all" when unstratified). */
  readonly id: string;
  readonly site: string | null;
  readonly levels: FactorLevels;
}

export interface AllocationEntry {
  readonly stratum: string;
  /** 1-based position in the stratum's list: the n-th subject randomised in the stratum gets entry n. */
  readonly sequence: number;
  readonly block: number;
  readonly blockSize: number;
  /** 1-based position inside its block. */
  readonly positionInBlock: number;
  readonly arm: string;
}

export interface StratumList {
  readonly stratum: Stratum;
  readonly entries: readonly AllocationEntry[];
}

export interface AllocationList {
  /** SHA-256 of the seed ("sha256:…"), safe to record before unblinding. */
  readonly seedCommitment: string;
  readonly strata: readonly StratumList[];
}

function checkDesign(design: PermutedBlockDesign): RandomisationResult<number> {
  const total = checkArms(design.arms);
  if (!total.ok) return total;
  if (design.blockSizes.length < 1) return fail('invalid-block-sizes', 'at least one block size is needed');
  for (const size of design.blockSizes)
    if (!Number.isInteger(size) || size < 1 || size % total.value !== 0)
      return fail(
        'invalid-block-sizes',
        `block size ${size} is not a positive multiple of the ratio total ${total.value} (${design.arms
          .map((a) => a.ratio)
          .join(':')})`,
      );
  if (new Set(design.blockSizes).size !== design.blockSizes.length)
    return fail('invalid-block-sizes', 'a block size is listed twice (it would be drawn twice as often)');
  const factors = checkFactors(design.factors);
  if (!factors.ok) return factors;
  const sites = design.sites ?? [];
  if (new Set(sites).size !== sites.length) return fail('invalid-factors', 'a site is listed twice');
  if (sites.some((s) => !/^[^;=|]+$/.test(s)))
    return fail('invalid-factors', 'a site code is empty or has ; = |');
  return total;
}

function stratumId(
  site: string | null,
  factors: readonly StratificationFactor[],
  levels: FactorLevels,
): string {
  const parts = [
    ...(site === null ? [] : [`site=${site}`]),
    ...factors.map((f) => `${f.name}=${levels[f.name]}`),
  ];
  return parts.length === 0 ? 'all' : parts.join(';');
}

/** Every stratum of the design: sites × factor levels, in design order. */
export function strataOf(design: PermutedBlockDesign): Stratum[] {
  const sites: (string | null)[] = design.sites && design.sites.length > 0 ? [...design.sites] : [null];
  let combos: Record<string, string>[] = [{}];
  for (const f of design.factors)
    combos = combos.flatMap((c) => f.levels.map((l) => ({ ...c, [f.name]: l })));
  return sites.flatMap((site) =>
    combos.map((levels) => ({ id: stratumId(site, design.factors, levels), site, levels })),
  );
}

/** The stratum of a subject from its site and factor levels; a typed error names what is unknown. */
export function stratumOf(
  design: PermutedBlockDesign,
  subject: { readonly site?: string; readonly levels: FactorLevels },
): RandomisationResult<Stratum> {
  const stratified = design.sites !== undefined && design.sites.length > 0;
  if (stratified && (subject.site === undefined || !design.sites!.includes(subject.site)))
    return fail('unknown-stratum', `site '${subject.site ?? ''}' is not a site of this design`);
  const bad = badLevels(design.factors, subject.levels);
  if (bad) return fail('unknown-stratum', bad);
  const site = stratified ? subject.site! : null;
  return ok({ id: stratumId(site, design.factors, subject.levels), site, levels: subject.levels });
}

/** One block of size `size`: m·r_i copies of each arm, shuffled by Fisher–Yates. */
function block(arms: readonly Arm[], size: number, total: number, stream: RandomStream): string[] {
  const m = size / total;
  const slots = arms.flatMap((a) => new Array<string>(m * a.ratio).fill(a.code));
  for (let i = slots.length - 1; i > 0; i--) {
    const j = stream.uniformInt(i + 1);
    [slots[i], slots[j]] = [slots[j]!, slots[i]!];
  }
  return slots;
}

/** The list of one stratum: whole blocks until at least `length` entries. */
function stratumList(
  design: PermutedBlockDesign,
  total: number,
  stratum: Stratum,
  stream: RandomStream,
  length: number,
): AllocationEntry[] {
  const entries: AllocationEntry[] = [];
  let blockNumber = 0;
  while (entries.length < length) {
    blockNumber++;
    const size = design.blockSizes[stream.uniformInt(design.blockSizes.length)]!;
    block(design.arms, size, total, stream).forEach((arm, k) => {
      entries.push({
        stratum: stratum.id,
        sequence: entries.length + 1,
        block: blockNumber,
        blockSize: size,
        positionInBlock: k + 1,
        arm,
      });
    });
  }
  return entries;
}

/**
 * The allocation list of every stratum, deterministic from the seed: each stratum's list holds at
 * least `perStratum` entries (whole blocks). The same seed and design always give the same list.
 */
export function generateAllocationList(
  design: PermutedBlockDesign,
  seedHex: string,
  options: { readonly perStratum: number },
): RandomisationResult<AllocationList> {
  const total = checkDesign(design);
  if (!total.ok) return total;
  const seed = parseSeed(seedHex);
  if (!seed.ok) return seed;
  if (!Number.isInteger(options.perStratum) || options.perStratum < 1 || options.perStratum > 1_000_000)
    return fail(
      'invalid-argument',
      `perStratum must be an integer from 1 to 1 000 000, got ${options.perStratum}`,
    );
  return ok({
    seedCommitment: seed.value.commitment,
    strata: strataOf(design).map((stratum) => ({
      stratum,
      entries: stratumList(
        design,
        total.value,
        stratum,
        streamFor(seed.value, `permuted-blocks/${stratum.id}`),
        options.perStratum,
      ),
    })),
  });
}

/**
 * The assignment of the next subject of a stratum: entry `alreadyRandomised + 1` of its list.
 * Refuses when the list is used up (generate a longer list; never improvise an assignment).
 */
export function nextAllocation(
  list: AllocationList,
  stratumId: string,
  alreadyRandomised: number,
): RandomisationResult<AllocationEntry> {
  const stratum = list.strata.find((s) => s.stratum.id === stratumId);
  if (!stratum) return fail('unknown-stratum', `the allocation list has no stratum '${stratumId}'`);
  if (!Number.isInteger(alreadyRandomised) || alreadyRandomised < 0)
    return fail(
      'invalid-argument',
      `alreadyRandomised must be a non-negative integer, got ${alreadyRandomised}`,
    );
  const entry = stratum.entries[alreadyRandomised];
  if (!entry)
    return fail(
      'list-exhausted',
      `stratum '${stratumId}' has ${stratum.entries.length} entries, all used; generate a longer list`,
    );
  return ok(entry);
}
