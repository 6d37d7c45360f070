/**
 * Kaplan–Meier estimate of the survival function with Greenwood variance and pointwise
 * confidence intervals, as R's survfit(Surv(time, event) ~ 1, conf.type = ...) from package
 * survival (3.x), plus the median survival time and its confidence interval exactly as
 * quantile.survfit computes them, and the number-at-risk table of summary(fit, times, extend = TRUE).
 *
 * Sources: Kaplan & Meier (1958), JASA 53:457–481; Greenwood (1926) variance
 * Var(log S) = Σ d/(n(n − d)), which survfit reports as std.err (the SE of −log S); interval
 * transforms transcribed from survival:::survfit_confint (log-log: Kalbfleisch & Prentice 2002
 * §1.3); median and its CI from survival:::quantile.survfit / findq (Brookmeyer & Crowley 1982,
 * Biometrics 38:29–41). The default here is conf.type = "log-log", as the analysis plan asks;
 * R's default is "log".
 */
import { normalQuantile } from './distributions/normal.js';
import { badConfLevel, fail, ok, type StatResult } from './result.js';
import { checkSurvivalData, orderByTime } from './survival-data.js';

export type SurvivalConfType = 'log-log' | 'log' | 'plain';

export interface KaplanMeierOptions {
  readonly confType?: SurvivalConfType;
  readonly confLevel?: number;
}

export interface SurvivalQuantile {
  /** null where R reports NA (the curve never reaches the probability). */
  readonly estimate: number | null;
  readonly lower: number | null;
  readonly upper: number | null;
}

export interface KaplanMeierFit {
  readonly n: number;
  readonly events: number;
  readonly confType: SurvivalConfType;
  readonly confLevel: number;
  /** Distinct observed times (events or censorings), ascending, as survfit's `time`. */
  readonly time: number[];
  readonly nRisk: number[];
  readonly nEvent: number[];
  readonly nCensor: number[];
  readonly survival: number[];
  /** SE of −log S (survfit's std.err); null where it is infinite (S reached 0). */
  readonly stdErr: (number | null)[];
  /** Pointwise CI; null where R gives NA (e.g. S = 1 or S = 0 on the log-log scale). */
  readonly lower: (number | null)[];
  readonly upper: (number | null)[];
  readonly median: SurvivalQuantile;
}

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** One pointwise interval, transcribed from survival:::survfit_confint (logse = TRUE, ulimit = TRUE). */
function confidenceLimits(
  p: number,
  se: number,
  z: number,
  type: SurvivalConfType,
): [number | null, number | null] {
  if (type === 'plain') {
    const se2 = se * p * z;
    const lower = Math.max(p - se2, 0);
    const upper = Math.min(p + se2, 1);
    return [Number.isNaN(p - se2) ? null : lower, Number.isNaN(p + se2) ? null : upper];
  }
  if (type === 'log') {
    if (p === 0) return [null, null];
    const se2 = z * se;
    return [
      finiteOrNull(Math.exp(Math.log(p) - se2)),
      finiteOrNull(Math.min(Math.exp(Math.log(p) + se2), 1)),
    ];
  }
  if (p === 0 || p === 1) return [null, null];
  const se2 = (z * se) / Math.log(p);
  const ll = Math.log(-Math.log(p));
  return [finiteOrNull(Math.exp(-Math.exp(ll - se2))), finiteOrNull(Math.exp(-Math.exp(ll + se2)))];
}

/**
 * survival:::findq: the first time the curve 1 − S(t) reaches p (within tol); where the curve is
 * flat at exactly p the midpoint of the flat stretch. `y` may hold nulls (NA), which R's approx drops.
 */
function findQuantileTime(
  x: readonly number[],
  y: readonly (number | null)[],
  p: number,
  tol: number,
): number | null {
  let maxY = Number.NEGATIVE_INFINITY;
  for (const v of y) if (v !== null && v > maxY) maxY = v;
  if (maxY < p) return null;
  const xmax = x[x.length - 1]!;
  // Drop duplicated y values (keeping the first), as R's duplicated() — NA counts as a value.
  const xs: number[] = [];
  const ys: (number | null)[] = [];
  const seen = new Set<number | null>();
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (seen.has(v)) continue;
    seen.add(v);
    xs.push(x[i]!);
    ys.push(v);
  }
  // approx(y ± tol, seq_along(y), p, method = "constant", f = 1): approx drops NA points and sorts
  // by y (a CI curve need not be monotone), then takes the index of the first point whose shifted
  // y is ≥ p; NA outside the range of the points.
  const firstAtLeast = (shift: number): number | null => {
    const points: { v: number; j: number }[] = [];
    ys.forEach((v, j) => {
      if (v !== null) points.push({ v: v + shift, j });
    });
    points.sort((a, b) => a.v - b.v);
    const first = points[0];
    const lastPoint = points[points.length - 1];
    if (!first || !lastPoint || p < first.v || p > lastPoint.v) return null;
    return points.find((pt) => pt.v >= p)?.j ?? null;
  };
  const i1 = firstAtLeast(tol);
  const i2 = firstAtLeast(-tol);
  let quant = i1 !== null && i2 !== null ? (xs[i1]! + xs[i2]!) / 2 : null;
  const last = ys[ys.length - 1];
  if (last !== null && last !== undefined && Math.abs(p - last) < tol)
    quant = i1 === null ? null : (xs[i1]! + xmax) / 2;
  return quant;
}

/** quantile(fit, probs = p): the time at which S falls to 1 − p, with its CI from the CI curves. */
export function survivalQuantile(fit: KaplanMeierFit, p: number): SurvivalQuantile {
  const tol = Math.sqrt(Number.EPSILON);
  const x = [0, ...fit.time];
  const curve = (s: readonly (number | null)[]) => [0, ...s.map((v) => (v === null ? null : 1 - v))];
  return {
    estimate: findQuantileTime(x, curve(fit.survival), p, tol),
    lower: findQuantileTime(x, curve(fit.lower), p, tol),
    upper: findQuantileTime(x, curve(fit.upper), p, tol),
  };
}

export function kaplanMeier(
  time: readonly number[],
  event: readonly boolean[],
  options: KaplanMeierOptions = {},
): StatResult<KaplanMeierFit> {
  const confType = options.confType ?? 'log-log';
  const confLevel = options.confLevel ?? 0.95;
  const badLevel = badConfLevel(confLevel);
  if (badLevel) return fail('invalid-argument', badLevel);
  const checked = checkSurvivalData(time, event, 'Kaplan–Meier');
  if (!checked.ok) return checked;
  const { n, events } = checked.value;
  const order = orderByTime(time, event);
  const z = normalQuantile(1 - (1 - confLevel) / 2);
  const fit = {
    time: [] as number[],
    nRisk: [] as number[],
    nEvent: [] as number[],
    nCensor: [] as number[],
    survival: [] as number[],
    stdErr: [] as (number | null)[],
    lower: [] as (number | null)[],
    upper: [] as (number | null)[],
  };
  let atRisk = n;
  let s = 1;
  let greenwood = 0;
  let k = 0;
  while (k < n) {
    const t = time[order[k]!]!;
    let d = 0;
    let c = 0;
    while (k < n && time[order[k]!] === t) {
      if (event[order[k]!]) d++;
      else c++;
      k++;
    }
    if (d > 0) {
      s *= (atRisk - d) / atRisk;
      greenwood = atRisk > d ? greenwood + d / (atRisk * (atRisk - d)) : Number.POSITIVE_INFINITY;
    }
    const se = Math.sqrt(greenwood);
    const [lower, upper] = confidenceLimits(s, se, z, confType);
    fit.time.push(t);
    fit.nRisk.push(atRisk);
    fit.nEvent.push(d);
    fit.nCensor.push(c);
    fit.survival.push(s);
    fit.stdErr.push(finiteOrNull(se));
    fit.lower.push(lower);
    fit.upper.push(upper);
    atRisk -= d + c;
  }
  const partial: Omit<KaplanMeierFit, 'median'> = { n, events, confType, confLevel, ...fit };
  const median = survivalQuantile({ ...partial, median: { estimate: null, lower: null, upper: null } }, 0.5);
  return ok({ ...partial, median });
}

export interface SurvivalAtTime {
  readonly time: number;
  /** Number at risk at this time: subjects whose time is ≥ it. */
  readonly nRisk: number;
  /** Events and censorings since the previous requested time (or the start), up to and including this one. */
  readonly nEvent: number;
  readonly nCensor: number;
  readonly survival: number;
  /** SE of S itself (summary.survfit's std.err = S · SE(−log S)), not of −log S. */
  readonly stdErr: number | null;
  readonly lower: number | null;
  readonly upper: number | null;
}

function stdErrOfSurvival(s: number, seLog: number | null): number | null {
  return seLog === null ? null : s * seLog;
}

/**
 * The number-at-risk table under a KM plot: R's summary(fit, times = times, extend = TRUE).
 * `times` must be ascending.
 */
export function survivalAt(fit: KaplanMeierFit, times: readonly number[]): StatResult<SurvivalAtTime[]> {
  for (let i = 0; i < times.length; i++) {
    const t = times[i]!;
    if (!Number.isFinite(t)) return fail('non-finite', `survivalAt: time at index ${i} is ${t}`);
    if (i > 0 && t < times[i - 1]!) return fail('invalid-argument', 'survivalAt: times must be ascending');
  }
  const rows: SurvivalAtTime[] = [];
  let j = 0; // index of the first fit time not yet consumed
  let last = -1; // index of the last fit time ≤ current requested time
  for (const t of times) {
    let nEvent = 0;
    let nCensor = 0;
    while (j < fit.time.length && fit.time[j]! <= t) {
      nEvent += fit.nEvent[j]!;
      nCensor += fit.nCensor[j]!;
      last = j;
      j++;
    }
    let m = last >= 0 && fit.time[last] === t ? last : j; // first fit time ≥ t
    if (m > fit.time.length) m = fit.time.length;
    const nRisk = m < fit.time.length ? fit.nRisk[m]! : 0;
    if (last < 0) {
      // Before the first observed time R's summary reports S = 1 with a degenerate interval [1, 1].
      rows.push({ time: t, nRisk, nEvent, nCensor, survival: 1, stdErr: 0, lower: 1, upper: 1 });
    } else {
      rows.push({
        time: t,
        nRisk,
        nEvent,
        nCensor,
        survival: fit.survival[last]!,
        stdErr: stdErrOfSurvival(fit.survival[last]!, fit.stdErr[last]!),
        lower: fit.lower[last]!,
        upper: fit.upper[last]!,
      });
    }
  }
  return ok(rows);
}
