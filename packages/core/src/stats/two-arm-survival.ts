/**
 * Time to event between the two arms of a randomised trial: the log-rank test and the Cox model
 * with arm as the only covariate (hazard ratio of the experimental arm against the reference arm,
 * Wald CI and p), as R's
 *   survdiff(Surv(time, event) ~ arm)  and  coxph(Surv(time, event) ~ arm, ties = "efron")
 * with arm a factor whose first level is the reference. Both are the existing transcriptions
 * (log-rank.ts, cox.ts); this adds the two-arm framing and its refusals.
 * Sources: Mantel (1966), Cancer Chemother Rep 50:163–170; Cox (1972), JRSS B 34:187–220;
 * Efron (1977), JASA 72:557–565.
 */
import { type CoxCoefficient, coxPH } from './cox.js';
import { type LogRankTest, logRankTest } from './log-rank.js';
import { badConfLevel, fail, ok, type StatResult } from './result.js';

export interface TwoArmSurvival {
  readonly reference: string;
  readonly experimental: string;
  /** Groups as log-rank.ts orders them (code-point order of the labels). */
  readonly logRank: LogRankTest;
  /** Hazard ratio experimental : reference, with its Wald CI and p (Efron ties). */
  readonly cox: CoxCoefficient & { readonly converged: boolean };
}

export function compareArmsSurvival(
  time: readonly number[],
  event: readonly boolean[],
  arm: readonly string[],
  options: { readonly reference: string; readonly confLevel?: number },
): StatResult<TwoArmSurvival> {
  const confLevel = options.confLevel ?? 0.95;
  const badLevel = badConfLevel(confLevel);
  if (badLevel) return fail('invalid-argument', `two-arm survival: ${badLevel}`);
  if (arm.length !== time.length)
    return fail('length-mismatch', `two-arm survival: ${time.length} times but ${arm.length} arm labels`);
  const arms = [...new Set(arm)];
  if (arms.length !== 2)
    return fail(
      'invalid-argument',
      `two-arm survival needs exactly 2 arms, got ${arms.length} (${arms.join(', ')})`,
    );
  if (!arms.includes(options.reference))
    return fail('invalid-argument', `two-arm survival: reference arm '${options.reference}' has no subjects`);
  const experimental = arms.find((a) => a !== options.reference)!;
  const logRank = logRankTest(time, event, arm);
  if (!logRank.ok) return logRank;
  const cox = coxPH(
    time,
    event,
    arm.map((a) => [a === experimental ? 1 : 0]),
    { confLevel },
  );
  if (!cox.ok) return cox;
  return ok({
    reference: options.reference,
    experimental,
    logRank: logRank.value,
    cox: { ...cox.value.coefficients[0]!, converged: cox.value.converged },
  });
}
