/**
 * The parts of a randomisation design shared by the methods: arms with an integer allocation
 * ratio (1:1, 2:1, …), stratification factors with their levels, the seed, and the derivation of
 * one independent ChaCha20 stream per purpose from the seed.
 *
 * Seed: 32 bytes (64 hexadecimal characters), drawn at the edge from the operating system's
 * CSPRNG when the list is generated and stored where no site role can read it; core only uses it.
 * The commitment SHA-256(seed) can be recorded in the audit trail and the trial master file from
 * day one, so the seed revealed at unblinding is provably the one used.
 * Stream for a purpose (a stratum, a minimisation decision) = ChaCha20 keyed by
 * SHA-256(seed ‖ "msct/randomisation/v1/" ‖ purpose): streams are independent of one another, so
 * adding a site or a stratum later leaves every existing stratum's list unchanged.
 */
import { chacha20Stream, type RandomStream } from './chacha20.js';
import { fail, ok, type RandomisationResult } from './result.js';
import { fromHex, sha256, toHex, utf8 } from './sha256.js';

export interface Arm {
  /** The arm's code in the study definition (e.g. 'msct', 'control'). */
  readonly code: string;
  /** Its share of the allocation ratio, a positive integer (2 and 1 for 2:1). */
  readonly ratio: number;
}

export interface StratificationFactor {
  /** The factor's name in the study definition (e.g. 'lnClass', 'sledaiBand'). */
  readonly name: string;
  readonly levels: readonly string[];
}

/** A checked seed: its bytes and the SHA-256 commitment that may be published before unblinding. */
export interface Seed {
  readonly bytes: Uint8Array;
  readonly commitment: string;
}

const NAME = /^[^;=|]+$/;

export function parseSeed(hex: string): RandomisationResult<Seed> {
  const bytes = fromHex(hex);
  if (bytes === null || bytes.length !== 32)
    return fail(
      'invalid-seed',
      `seed must be 64 hexadecimal characters (32 bytes), got ${hex.length} characters`,
    );
  return ok({ bytes, commitment: `sha256:${toHex(sha256(bytes))}` });
}

export function checkArms(arms: readonly Arm[]): RandomisationResult<number> {
  if (arms.length < 2) return fail('invalid-arms', `randomisation needs at least 2 arms, got ${arms.length}`);
  const seen = new Set<string>();
  let total = 0;
  for (const [i, arm] of arms.entries()) {
    if (!NAME.test(arm.code)) return fail('invalid-arms', `arm ${i} has an empty code or one with ; = |`);
    if (seen.has(arm.code)) return fail('invalid-arms', `arm code '${arm.code}' appears twice`);
    seen.add(arm.code);
    if (!Number.isInteger(arm.ratio) || arm.ratio < 1)
      return fail('invalid-arms', `arm '${arm.code}': ratio must be a positive integer, got ${arm.ratio}`);
    total += arm.ratio;
  }
  return ok(total);
}

export function checkFactors(factors: readonly StratificationFactor[]): RandomisationResult<true> {
  const names = new Set<string>();
  for (const f of factors) {
    if (!NAME.test(f.name)) return fail('invalid-factors', `factor name '${f.name}' is empty or has ; = |`);
    if (names.has(f.name)) return fail('invalid-factors', `factor '${f.name}' appears twice`);
    names.add(f.name);
    if (f.levels.length < 1) return fail('invalid-factors', `factor '${f.name}' has no levels`);
    if (new Set(f.levels).size !== f.levels.length)
      return fail('invalid-factors', `factor '${f.name}' lists a level twice`);
    const bad = f.levels.find((l) => !NAME.test(l));
    if (bad !== undefined)
      return fail('invalid-factors', `factor '${f.name}': level '${bad}' is empty or has ; = |`);
  }
  return ok(true);
}

/** The ChaCha20 stream of one purpose, derived from the seed (see the header). */
export function streamFor(seed: Seed, purpose: string): RandomStream {
  const label = utf8(`msct/randomisation/v1/${purpose}`);
  const input = new Uint8Array(seed.bytes.length + label.length);
  input.set(seed.bytes);
  input.set(label, seed.bytes.length);
  return chacha20Stream(sha256(input));
}

/** Levels of the factors for one subject, by factor name. */
export type FactorLevels = Readonly<Record<string, string>>;

/** Checks that levels give exactly one known level for each factor; returns a message or null. */
export function badLevels(factors: readonly StratificationFactor[], levels: FactorLevels): string | null {
  for (const f of factors) {
    const level = levels[f.name];
    if (level === undefined) return `no level given for factor '${f.name}'`;
    if (!f.levels.includes(level))
      return `factor '${f.name}' has no level '${level}' (levels: ${f.levels.join(', ')})`;
  }
  const extra = Object.keys(levels).find((k) => !factors.some((f) => f.name === k));
  return extra === undefined ? null : `'${extra}' is not a stratification factor of this design`;
}
