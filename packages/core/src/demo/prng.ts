// A small seeded PRNG for the demo trial: mulberry32 (public domain, Tommy Ettinger), the same
// generator bench/instruments.bench.ts uses. Every draw of the demo comes from one of these streams,
// so a seed always gives the same trial, on any machine.

export type Rng = () => number;

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over a string: turns a seed text or a stream label into 32 bits. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A seed as given on the command line ("2014", 2014 or any text) → 32 bits. */
export function normaliseSeed(seed: number | string): number {
  if (typeof seed === 'number' && Number.isInteger(seed)) return seed >>> 0;
  const s = String(seed).trim();
  return /^\d+$/.test(s) ? Number(s) >>> 0 : hash32(s);
}

/** An independent stream per purpose (one per patient, one for enrolment…): changing one patient's
 * draws never shifts another's. */
export function stream(seed: number, label: string): Rng {
  return mulberry32((seed ^ hash32(label)) >>> 0);
}

export const uniform = (rng: Rng, min: number, max: number): number => min + (max - min) * rng();

export const intBetween = (rng: Rng, min: number, max: number): number =>
  min + Math.floor(rng() * (max - min + 1));

export const chance = (rng: Rng, p: number): boolean => rng() < p;

export function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[Math.floor(rng() * xs.length)]!;
}

/** Fisher–Yates on a copy. */
export function shuffle<T>(rng: Rng, xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Rounds to `digits` decimals and prints without float noise (a value as a lab would report it). */
export const fixed = (x: number, digits: number): string => x.toFixed(digits);
