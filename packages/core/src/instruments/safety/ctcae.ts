// CTCAE v5.0 (NCI, Nov 2017): generic grade meanings and the lab grades the trial needs.
// Generic text: instruments.md §5.1 [READ: several repos' CTCAE seed text]. Lab bands: §5.1 as
// coded in one repo [READ: code id 58625302024] — to be checked against the NCI xlsx; creatinine
// baseline-relative bands are our reading of CTCAE v5 (INFERRED in the spec, PROVISIONAL here).
// Grades 4–5 that depend on clinical consequences (life-threatening, death) are not lab-derived.

export type CtcaeGrade = 0 | 1 | 2 | 3 | 4 | 5;

export const CTCAE_V5_GENERIC: Readonly<Record<1 | 2 | 3 | 4 | 5, string>> = Object.freeze({
  1: 'Mild; asymptomatic or mild symptoms; clinical or diagnostic observations only; intervention not indicated.',
  2: 'Moderate; minimal, local or non-invasive intervention indicated; limiting age-appropriate instrumental ADL.',
  3: 'Severe or medically significant but not immediately life-threatening; hospitalisation or prolongation of hospitalisation indicated; disabling; limiting self-care ADL.',
  4: 'Life-threatening consequences; urgent intervention indicated.',
  5: 'Death related to AE.',
});

/** Anaemia from Hb (g/dL): G1 < LLN–10.0, G2 < 10.0–8.0, G3 < 8.0. */
export function ctcaeAnaemia(hbGdL: number, lln: number): CtcaeGrade {
  if (hbGdL < 8) return 3;
  if (hbGdL < 10) return 2;
  if (hbGdL < lln) return 1;
  return 0;
}

/** Neutrophil count decreased (× 10⁹/L): G1 < LLN–1.5, G2 < 1.5–1.0, G3 < 1.0–0.5, G4 < 0.5. */
export function ctcaeNeutropenia(anc1e9L: number, lln: number): CtcaeGrade {
  if (anc1e9L < 0.5) return 4;
  if (anc1e9L < 1) return 3;
  if (anc1e9L < 1.5) return 2;
  if (anc1e9L < lln) return 1;
  return 0;
}

/** Platelet count decreased (× 10⁹/L): G1 < LLN–75, G2 < 75–50, G3 < 50–25, G4 < 25. */
export function ctcaeThrombocytopenia(plt1e9L: number, lln: number): CtcaeGrade {
  if (plt1e9L < 25) return 4;
  if (plt1e9L < 50) return 3;
  if (plt1e9L < 75) return 2;
  if (plt1e9L < lln) return 1;
  return 0;
}

/**
 * Creatinine increased: G1 > ULN–1.5 × ULN; G2 > 1.5–3.0 × ULN or > 1.5–3.0 × baseline;
 * G3 > 3.0–6.0 × ULN or > 3.0 × baseline; G4 > 6.0 × ULN. The higher of the two readings wins.
 * Same unit for value, ULN and baseline.
 */
export function ctcaeCreatinineIncreased(value: number, uln: number, baseline?: number): CtcaeGrade {
  const x = value / uln;
  let g: CtcaeGrade = x > 6 ? 4 : x > 3 ? 3 : x > 1.5 ? 2 : x > 1 ? 1 : 0;
  if (baseline !== undefined && baseline > 0) {
    const b = value / baseline;
    const gb: CtcaeGrade = b > 3 ? 3 : b > 1.5 ? 2 : 0;
    if (gb > g) g = gb;
  }
  return g;
}
