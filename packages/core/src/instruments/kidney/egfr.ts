// eGFR equations (mL/min/1.73 m²). Coefficients: instruments.md §6.1–6.2.
// CKD-EPI 2021 creatinine and creatinine–cystatin C (race-free; Inker et al., NEJM 2021;385:1737-49);
// MDRD-175 (IDMS-traceable 4-variable MDRD, Levey 2006) for legacy data only.
// Creatinine is IDMS-standardised and converted to mg/dL with 88.4 (units/conversions.ts).

import { EMPTY_TRACE, fail, type Issue, issue, ok, type Result, type TraceEntry } from '../result.js';
import { creatinineInMgDl } from '../units/conversions.js';
import { checkNumber, checkQuantity, type Quantity } from '../units/lab-value.js';

export type Sex = 'female' | 'male';

export interface EgfrInput {
  readonly creatinine: Quantity<'mg/dL' | 'µmol/L'>;
  /** Years (adults, ≥ 18). Not floored: one public implementation truncates age (instruments.md §7). */
  readonly ageYears: number;
  readonly sex: Sex;
}

export interface EgfrCysInput extends EgfrInput {
  readonly cystatinC: Quantity<'mg/L'>;
}

export interface MdrdInput extends EgfrInput {
  /** MDRD's race coefficient 1.212 (instruments.md §6.2); kept only to recompute legacy data. */
  readonly black?: boolean;
}

export type EgfrEquation = 'ckd-epi-2021-cr' | 'ckd-epi-2021-cr-cys' | 'mdrd-175';

export interface EgfrValue {
  readonly egfr: number;
  readonly equation: EgfrEquation;
}

/** CKD-EPI 2021 creatinine coefficients (instruments.md §6.1). */
export const CKD_EPI_2021_CR = Object.freeze({
  constant: 142,
  kappa: { female: 0.7, male: 0.9 },
  alpha: { female: -0.241, male: -0.302 },
  upperExponent: -1.2,
  ageBase: 0.9938,
  female: 1.012,
});

/** CKD-EPI 2021 creatinine–cystatin C coefficients (instruments.md §6.1). */
export const CKD_EPI_2021_CR_CYS = Object.freeze({
  constant: 135,
  kappa: { female: 0.7, male: 0.9 },
  alpha: { female: -0.219, male: -0.144 },
  upperExponent: -0.544,
  cysKappa: 0.8,
  cysLowerExponent: -0.323,
  cysUpperExponent: -0.778,
  ageBase: 0.9961,
  female: 0.963,
});

/** MDRD-175 (instruments.md §6.2). */
export const MDRD_175 = Object.freeze({
  constant: 175,
  crExponent: -1.154,
  ageExponent: -0.203,
  female: 0.742,
  black: 1.212,
});

function validate(input: EgfrInput, name: string, issues: Issue[]): number | undefined {
  const bad = checkQuantity(input.creatinine, ['mg/dL', 'µmol/L'], [name, 'creatinine']);
  if (bad) issues.push(bad);
  const badAge = checkNumber(input.ageYears, [name, 'ageYears']);
  if (badAge) issues.push(badAge);
  else if (input.ageYears < 18)
    issues.push(issue('value-out-of-range', [name, 'ageYears'], 'adult equations need age ≥ 18 years'));
  if (input.sex !== 'female' && input.sex !== 'male') {
    issues.push(issue('code-invalid', [name, 'sex'], `sex ${String(input.sex)} not in female, male`));
  }
  if (bad) return undefined;
  const scr = creatinineInMgDl(input.creatinine.value, input.creatinine.unit);
  if (scr === 0) {
    issues.push(issue('value-out-of-range', [name, 'creatinine'], 'creatinine must be greater than 0'));
    return undefined;
  }
  return scr;
}

/** CKD-EPI 2021 creatinine equation. */
export function egfrCkdEpi2021(input: EgfrInput): Result<EgfrValue> {
  const issues: Issue[] = [];
  const scr = validate(input, 'egfrCkdEpi2021', issues);
  if (scr === undefined || issues.length > 0) return fail(issues);
  const k = CKD_EPI_2021_CR;
  const ratio = scr / k.kappa[input.sex];
  const egfr =
    k.constant *
    Math.min(ratio, 1) ** k.alpha[input.sex] *
    Math.max(ratio, 1) ** k.upperExponent *
    k.ageBase ** input.ageYears *
    (input.sex === 'female' ? k.female : 1);
  const trace: TraceEntry[] = [
    {
      item: 'equation',
      source: 'rule',
      detail: `CKD-EPI 2021 creatinine; Scr ${scr.toFixed(3)} mg/dL, age ${input.ageYears}, ${input.sex}`,
    },
  ];
  return ok({ egfr, equation: 'ckd-epi-2021-cr' }, trace);
}

/** CKD-EPI 2021 creatinine–cystatin C equation. */
export function egfrCkdEpi2021CrCys(input: EgfrCysInput): Result<EgfrValue> {
  const issues: Issue[] = [];
  const scr = validate(input, 'egfrCkdEpi2021CrCys', issues);
  const badCys = checkQuantity(input.cystatinC, ['mg/L'], ['egfrCkdEpi2021CrCys', 'cystatinC']);
  if (badCys) issues.push(badCys);
  else if (input.cystatinC.value === 0) {
    issues.push(
      issue('value-out-of-range', ['egfrCkdEpi2021CrCys', 'cystatinC'], 'cystatin C must be greater than 0'),
    );
  }
  if (scr === undefined || issues.length > 0) return fail(issues);
  const k = CKD_EPI_2021_CR_CYS;
  const ratio = scr / k.kappa[input.sex];
  const cys = input.cystatinC.value / k.cysKappa;
  const egfr =
    k.constant *
    Math.min(ratio, 1) ** k.alpha[input.sex] *
    Math.max(ratio, 1) ** k.upperExponent *
    Math.min(cys, 1) ** k.cysLowerExponent *
    Math.max(cys, 1) ** k.cysUpperExponent *
    k.ageBase ** input.ageYears *
    (input.sex === 'female' ? k.female : 1);
  return ok({ egfr, equation: 'ckd-epi-2021-cr-cys' }, EMPTY_TRACE);
}

/** MDRD-175 (IDMS) for legacy data; not recommended above 60 mL/min/1.73 m² (instruments.md §6.2). */
export function egfrMdrd175(input: MdrdInput): Result<EgfrValue> {
  const issues: Issue[] = [];
  const scr = validate(input, 'egfrMdrd175', issues);
  if (scr === undefined || issues.length > 0) return fail(issues);
  const k = MDRD_175;
  const egfr =
    k.constant *
    scr ** k.crExponent *
    input.ageYears ** k.ageExponent *
    (input.sex === 'female' ? k.female : 1) *
    (input.black === true ? k.black : 1);
  const trace: TraceEntry[] =
    egfr > 60
      ? [
          {
            item: 'equation',
            source: 'rule',
            detail: 'MDRD above 60 mL/min/1.73 m² is not recommended; report "> 60"',
          },
        ]
      : [];
  return ok({ egfr, equation: 'mdrd-175' }, trace);
}
