/**
 * Cox proportional-hazards regression with Efron's method for tied event times, fitted by
 * Newton–Raphson exactly as R's coxph(Surv(time, event) ~ x1 + …, ties = "efron") does with its
 * default control (start at β = 0, at most 20 iterations, converged when
 * |1 − ℓ_old/ℓ_new| ≤ 1e-9, step halving when the log-likelihood falls): the same sequence of
 * iterates, so coefficients agree with R to rounding rather than merely to R's tolerance.
 *
 * Efron (1977), JASA 72:557–565: at an event time with d tied events, risk-set sums S_k and
 * event sums D_k, the partial log-likelihood term is Σ_events xβ − Σ_{l=0}^{d−1} log(S_0 − (l/d)·D_0),
 * with score and information built from the same weighted sums. Transcribed from survival's
 * coxfit6.c (Therneau & Grambsch, Modeling Survival Data, 2000, §3.3); covariates are centred
 * first, as coxfit6 does, which leaves the fit unchanged. Tests as summary.coxph: Wald
 * βᵀ I β, likelihood ratio 2(ℓ(β̂) − ℓ(0)), score U(0)ᵀ I(0)⁻¹ U(0), all on p df; per-coefficient
 * z = β/se with p = P(χ²₁ > z²), 95% CI of the hazard ratio exp(β ± z_{0.975}·se).
 */
import { chiSquareUpperTail } from './distributions/chi-square.js';
import { normalQuantile } from './distributions/normal.js';
import { cholesky, invertSymmetric, solveLinear } from './linear-algebra.js';
import { badConfLevel, fail, ok, type StatResult } from './result.js';
import { checkSurvivalData, timeOrder } from './survival-data.js';

export interface CoxCoefficient {
  readonly coefficient: number;
  readonly se: number;
  readonly hazardRatio: number;
  readonly lower: number;
  readonly upper: number;
  readonly z: number;
  readonly pValue: number;
}

export interface CoxTest {
  readonly statistic: number;
  readonly df: number;
  readonly pValue: number;
}

export interface CoxModel {
  readonly n: number;
  readonly events: number;
  readonly confLevel: number;
  readonly coefficients: CoxCoefficient[];
  /** Inverse information at β̂ (R: fit$var). */
  readonly variance: number[][];
  /** Partial log-likelihood at β = 0 and at β̂ (R: fit$loglik). */
  readonly logLikelihood: { readonly initial: number; readonly final: number };
  readonly likelihoodRatio: CoxTest;
  readonly wald: CoxTest;
  readonly score: CoxTest;
  readonly iterations: number;
  /** False when the iteration limit was reached (R then warns that the fit did not converge). */
  readonly converged: boolean;
}

export interface CoxOptions {
  readonly confLevel?: number;
  readonly maxIterations?: number;
  readonly eps?: number;
}

interface Evaluation {
  loglik: number;
  u: number[];
  imat: number[][];
}

/**
 * The data in the order evaluate() walks them: subjects by ascending time (ties in index order),
 * covariates centred on `means` and flattened (position · p + a), events as 0/1, and where each run of equal
 * times starts. Built once per fit (it was rebuilt from the index order at every Newton step, and
 * the comparator sort behind it was much of the fit's time at 100 000 subjects: bench/analysis-two-arm).
 */
interface SortedData {
  n: number;
  p: number;
  x: Float64Array;
  event: Uint8Array;
  /** Start position of each tie group, then n. */
  starts: Int32Array;
}

function sortedData(
  x: readonly (readonly number[])[],
  means: readonly number[],
  time: readonly number[],
  event: readonly boolean[],
  p: number,
): SortedData {
  const n = time.length;
  const order = timeOrder(time);
  const xs = new Float64Array(n * p);
  const ev = new Uint8Array(n);
  const starts: number[] = [];
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    const row = x[i]!;
    for (let a = 0; a < p; a++) xs[k * p + a] = row[a]! - means[a]!;
    ev[k] = event[i] ? 1 : 0;
    if (k === 0 || time[i] !== time[order[k - 1]!]) starts.push(k);
  }
  starts.push(n);
  return { n, p, x: xs, event: ev, starts: Int32Array.from(starts) };
}

/**
 * Efron partial log-likelihood, score and information at beta, walking the subjects from the
 * latest time back (coxfit6's order). The same operations in the same order as the row-by-row
 * transcription it replaced, on typed arrays and without allocating per tie group, so the
 * results are the same numbers (core/stats cox.test.ts pins them against R).
 */
function evaluate(beta: readonly number[], data: SortedData): Evaluation {
  const { p, x, event, starts } = data;
  const u = new Float64Array(p);
  const imat = new Float64Array(p * p);
  let loglik = 0;
  let s0 = 0;
  const s1 = new Float64Array(p);
  const s2 = new Float64Array(p * p);
  const d1 = new Float64Array(p);
  const d2 = new Float64Array(p * p);
  const meanX = new Float64Array(p);
  for (let g = starts.length - 2; g >= 0; g--) {
    let d = 0;
    let d0 = 0;
    d1.fill(0);
    d2.fill(0);
    for (let k = starts[g + 1]! - 1; k >= starts[g]!; k--) {
      const base = k * p;
      let eta = 0;
      for (let a = 0; a < p; a++) eta += beta[a]! * x[base + a]!;
      const risk = Math.exp(eta);
      s0 += risk;
      for (let a = 0; a < p; a++) {
        const xa = x[base + a]!;
        s1[a]! += risk * xa;
        for (let b = 0; b <= a; b++) s2[a * p + b]! += risk * xa * x[base + b]!;
      }
      if (event[k]) {
        d++;
        d0 += risk;
        loglik += eta;
        for (let a = 0; a < p; a++) {
          const xa = x[base + a]!;
          u[a]! += xa;
          d1[a]! += risk * xa;
          for (let b = 0; b <= a; b++) d2[a * p + b]! += risk * xa * x[base + b]!;
        }
      }
    }
    for (let l = 0; l < d; l++) {
      const f = l / d;
      const denom = s0 - f * d0;
      loglik -= Math.log(denom);
      for (let a = 0; a < p; a++) {
        meanX[a] = (s1[a]! - f * d1[a]!) / denom;
        u[a]! -= meanX[a]!;
      }
      for (let a = 0; a < p; a++) {
        for (let b = 0; b <= a; b++) {
          imat[a * p + b]! += (s2[a * p + b]! - f * d2[a * p + b]!) / denom - meanX[a]! * meanX[b]!;
        }
      }
    }
  }
  const matrix = Array.from({ length: p }, (_, a) =>
    Array.from({ length: p }, (_, b) => (b <= a ? imat[a * p + b]! : imat[b * p + a]!)),
  );
  return { loglik, u: Array.from(u), imat: matrix };
}

/** `covariates[i]` is the covariate vector of subject i (same order as time and event). */
export function coxPH(
  time: readonly number[],
  event: readonly boolean[],
  covariates: readonly (readonly number[])[],
  options: CoxOptions = {},
): StatResult<CoxModel> {
  const confLevel = options.confLevel ?? 0.95;
  const maxIter = options.maxIterations ?? 20;
  const eps = options.eps ?? 1e-9;
  const badLevel = badConfLevel(confLevel);
  if (badLevel) return fail('invalid-argument', badLevel);
  const checked = checkSurvivalData(time, event, 'Cox model');
  if (!checked.ok) return checked;
  const { n, events } = checked.value;
  if (covariates.length !== n)
    return fail('length-mismatch', `Cox model: ${n} times but ${covariates.length} covariate rows`);
  const p = covariates[0]?.length ?? 0;
  if (p < 1) return fail('invalid-argument', 'Cox model: needs at least one covariate');
  for (let i = 0; i < n; i++) {
    const row = covariates[i]!;
    if (row.length !== p)
      return fail('length-mismatch', `Cox model: covariate row ${i} has ${row.length} values, expected ${p}`);
    const bad = row.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) return fail('non-finite', `Cox model: covariate ${bad} of subject ${i} is ${row[bad]}`);
  }
  if (events === 0) return fail('no-events', 'Cox model: no events, so the partial likelihood is flat');
  // Centre the covariates (coxfit6 does the same; the partial likelihood is invariant to it).
  const means = Array.from({ length: p }, (_, a) => covariates.reduce((s, row) => s + row[a]!, 0) / n);
  const data = sortedData(covariates, means, time, event, p);

  let beta = new Array<number>(p).fill(0);
  const first = evaluate(beta, data);
  const step0 = solveLinear(first.imat, first.u);
  if (!step0)
    return fail(
      'singular',
      'Cox model: the information matrix at β = 0 is singular (a constant or collinear covariate?)',
    );
  let scoreStatistic = 0;
  for (let a = 0; a < p; a++) scoreStatistic += first.u[a]! * step0[a]!;
  let previousLoglik = first.loglik;
  let newBeta = beta.map((b, a) => b + step0[a]!);
  let current = first;
  let halving = false;
  let converged = false;
  let iterations = 0;
  for (let iter = 1; iter <= maxIter; iter++) {
    iterations = iter;
    current = evaluate(newBeta, data);
    const finite = Number.isFinite(current.loglik);
    if (finite && Math.abs(1 - previousLoglik / current.loglik) <= eps && !halving) {
      converged = true;
      break;
    }
    if (iter === maxIter) break;
    if (!finite || current.loglik < previousLoglik) {
      halving = true;
      newBeta = newBeta.map((b, a) => (b + beta[a]!) / 2);
    } else {
      halving = false;
      previousLoglik = current.loglik;
      const step = solveLinear(current.imat, current.u);
      if (!step) return fail('singular', 'Cox model: the information matrix became singular during the fit');
      beta = newBeta;
      newBeta = newBeta.map((b, a) => b + step[a]!);
    }
  }
  const finalBeta = newBeta;
  const variance = cholesky(current.imat) ? invertSymmetric(current.imat) : null;
  if (!variance) return fail('singular', 'Cox model: the information matrix at the estimate is singular');
  const z975 = normalQuantile(1 - (1 - confLevel) / 2);
  const coefficients = finalBeta.map((b, a) => {
    const se = Math.sqrt(variance[a]![a]!);
    const z = b / se;
    return {
      coefficient: b,
      se,
      hazardRatio: Math.exp(b),
      lower: Math.exp(b - z975 * se),
      upper: Math.exp(b + z975 * se),
      z,
      pValue: chiSquareUpperTail(z * z, 1),
    };
  });
  let waldStatistic = 0;
  for (let a = 0; a < p; a++)
    for (let b = 0; b < p; b++) waldStatistic += finalBeta[a]! * current.imat[a]![b]! * finalBeta[b]!;
  const lr = 2 * (current.loglik - first.loglik);
  const test = (statistic: number): CoxTest => ({
    statistic,
    df: p,
    pValue: chiSquareUpperTail(statistic, p),
  });
  return ok({
    n,
    events,
    confLevel,
    coefficients,
    variance,
    logLikelihood: { initial: first.loglik, final: current.loglik },
    likelihoodRatio: test(lr),
    wald: test(waldStatistic),
    score: test(scoreStatistic),
    iterations,
    converged,
  });
}
