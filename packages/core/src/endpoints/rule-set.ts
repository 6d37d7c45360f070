/**
 * Named, versioned endpoint rule sets. A study definition names one by id (`endpointRuleSetId`);
 * the report prints the id and version it used (endpoints.md, first paragraph).
 */
import type { RetreatmentRuleParameters } from '../protocol/study-definition.js';

export interface EndpointRuleSet {
  id: string;
  version: string;
  title: string;
  source: string;
  /** Assessments at which a (first) response may be established, in order. */
  responseVisits: ReadonlyArray<{ month: number; visitCode: string }>;
  /** The visit that ends follow-up, and the last cycle day that counts if it is missing. */
  endOfFollowUp: { visitCode: string; earliestDay: number; latestDay: number };
  /** PCR route 1: days without flare after the response assessment ("≥ 4 months"). */
  pcr1MaintainedDays: number;
  /** PCR route 2: most B systems at the response assessment (no A). */
  pcr2MaxB: number;
  /** PCR route 3: most B systems at the response assessment for a very high baseline. */
  pcr3MaxB: number;
  /** Very high baseline activity: ≥ minA A; or 1 A and ≥ oneAMinB B; or ≥ minB B. */
  veryHighBaseline: { minA: number; oneAMinB: number; minB: number };
  /** Flare: ≥ minNewA new A or ≥ minNewB new B. */
  flare: { minNewA: number; minNewB: number };
  /** Relapse also by SLEDAI-2K rise ≥ sledaiRise with ≥ minNewB new B, vs the response assessment. */
  relapseSledai: { sledaiRise: number; minNewB: number };
  /** Default re-treatment rule (a study definition may override it). */
  retreatment: RetreatmentRuleParameters;
}

/**
 * MSCT–SLE (Wang 2014): FDA 2010 / EXPLORER-style BILAG MCR and PCR over 12 months, exactly as
 * shared/protocol/endpoints.md. Numbers cite its sections.
 */
export const msctSleBilag2014: EndpointRuleSet = {
  id: 'msct-sle-bilag-2014',
  // 2.0.0: endpoints.md Clarifications 1–4 (new A/B against the response assessment after it; MCR
  // turns PCR on a non-flare new A/B; a relapse is never erased; death within follow-up is NR;
  // re-treatment "after month 6" = after the month-6 assessment). 1.0.0 judged maintenance against
  // baseline and let a later MCR hide a relapse.
  version: '2.0.0',
  title: 'BILAG MCR/PCR over 12 months with relapse after response (FDA 2010 guidance, EXPLORER-style)',
  source: 'shared/protocol/endpoints.md; Wang D et al. Arthritis Res Ther 2014;16:R79',
  // endpoints.md PCR: response at month 6, or first met at 9 or 12 months "during 12 months".
  responseVisits: [
    { month: 6, visitCode: 'M6' },
    { month: 9, visitCode: 'M9' },
    { month: 12, visitCode: 'M12' },
  ],
  // trial.md Schedule: month 12 = day 365 ± 14 ends the study.
  endOfFollowUp: { visitCode: 'M12', earliestDay: 351, latestDay: 379 },
  // endpoints.md PCR 1: "maintained without flare for ≥ 4 months" = 4 × 30.4375 days, rounded up.
  pcr1MaintainedDays: 122,
  // endpoints.md PCR 2: at most one system B.
  pcr2MaxB: 1,
  // endpoints.md PCR 3: at most two systems B.
  pcr3MaxB: 2,
  // endpoints.md PCR 3: very high baseline = ≥ 2 A; or 1 A and ≥ 2 B; or ≥ 4 B.
  veryHighBaseline: { minA: 2, oneAMinB: 2, minB: 4 },
  // endpoints.md PCR 2 and Relapse: flare = ≥ 1 new A or ≥ 2 new B.
  flare: { minNewA: 1, minNewB: 2 },
  // endpoints.md Relapse: SLEDAI-2K increase ≥ 4 together with ≥ 1 new B.
  relapseSledai: { sledaiRise: 4, minNewB: 1 },
  // endpoints.md Re-treatment rule (as in msctSleTrial.retreatment): "after month 6" = after the
  // month-6 assessment; when M6 was not done, after day 196 (end of its window, trial.md Schedule).
  retreatment: {
    afterVisitCode: 'M6',
    afterStudyDay: 196,
    flagOnRelapse: true,
    sledaiRise: 3,
    consecutiveAssessments: 2,
  },
};

/** Every rule set the platform knows, by id. */
export const endpointRuleSets: Readonly<Record<string, EndpointRuleSet>> = {
  [msctSleBilag2014.id]: msctSleBilag2014,
};

export function getEndpointRuleSet(id: string): EndpointRuleSet | undefined {
  return endpointRuleSets[id];
}
