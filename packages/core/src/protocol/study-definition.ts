/**
 * The study definition: everything the platform needs to run a trial, as plain data.
 *
 * A new study is a new value of this type (JSON or TS), checked by `validateStudyDefinition`; no
 * platform code changes. The built-in MSCT–SLE trial is `msctSleTrial` (msct-sle-trial.ts).
 */
import type { EligibilityCriterion } from './eligibility.js';

export interface Centre {
  /** Stable short id used in subject numbers and site scoping, e.g. 'NJ-DT'. */
  id: string;
  name: string;
  city: string;
  country: string;
}

/** What happens at a visit; decides how the schedule treats it. */
export type VisitKind = 'screening' | 'baseline' | 'infusion' | 'assessment';

/** Allowed distance from the target day, in days: symmetric, or different before/after. */
export type VisitWindow = number | { before: number; after: number };

export interface VisitDefinition {
  /** Unique within the study, e.g. 'SCR', 'D0', 'D7', 'M1'. */
  code: string;
  label: string;
  kind: VisitKind;
  /** Study day relative to the cycle's day 0 (day 0 = first infusion of the cycle). */
  targetDay: number;
  windowDays: VisitWindow;
  /** Month label of a follow-up assessment (1, 3, 6, 9, 12), used by endpoint rules. */
  month?: number;
  /** Whether a re-treatment cycle repeats this visit against its own day 0 (screening does not). */
  repeatsInCycles: boolean;
}

export interface InfusionPlan {
  product: string;
  route: string;
  /** Visit codes at which an infusion is given, in order (day 0, day 7 for MSCT–SLE). */
  infusionVisitCodes: string[];
  /** Planned dose per infusion, cells per kg body weight. */
  cellsPerKg: number;
  /** Largest allowed relative deviation of the given dose from plan before it is flagged (0.1 = ±10%). */
  doseTolerance: number;
  /** Product release criterion: minimum viability, percent of cells. */
  minViabilityPercent: number;
  /** Largest number of treatment cycles (1 = no re-treatment). */
  maxCycles: number;
}

export interface FormDefinition {
  id: string;
  title: string;
  /** Visit codes at which the form is expected; 'UNSCHEDULED' allows it at unscheduled visits. */
  visitCodes: string[];
}

/**
 * When a responder is flagged for a repeat cycle (endpoints.md "Re-treatment rule"). The flag is
 * advice; starting a cycle is an audited action at the edge.
 */
export interface RetreatmentRuleParameters {
  /**
   * "After month 6" (endpoints.md "Re-treatment rule") = after this cycle's assessment with this visit
   * code (e.g. 'M6'): only relapses and assessments later than it count. Absent: `afterStudyDay` only.
   */
  afterVisitCode?: string;
  /**
   * Cycle day after which assessments count when `afterVisitCode` is absent or that visit was not
   * done (the end of its window, e.g. 196 = 182 + 14 for M6, trial.md Schedule).
   */
  afterStudyDay: number;
  /** A relapse after month 6 (as above) flags re-treatment. */
  flagOnRelapse: boolean;
  /** SLEDAI-2K rise, from the assessment that established response, that counts as rising. */
  sledaiRise: number;
  /** Number of consecutive assessments the serological worsening must persist. */
  consecutiveAssessments: number;
}

export type BilagVersion = 'classic' | '2004';

export interface StudyDefinition {
  id: string;
  title: string;
  version: string;
  /** Publication / registry the definition operationalises. */
  source: string;
  centres: Centre[];
  visits: VisitDefinition[];
  infusion: InfusionPlan;
  forms: FormDefinition[];
  eligibility: EligibilityCriterion[];
  /** Named, versioned endpoint rule set (see @msct/core/endpoints), e.g. 'msct-sle-bilag-2014'. */
  endpointRuleSetId: string;
  retreatment: RetreatmentRuleParameters;
  bilagVersion: BilagVersion;
  /**
   * The BILAG whose system grades drive the endpoints (MCR, PCR, relapse; endpoints.md). The
   * adjudication grades classic BILAG systems, whose grades the assessor enters from the glossary
   * (instruments.md §2.1): the only value accepted is 'classic'. BILAG-2004 grades can be recorded
   * and are shown, but several of its grading rules are provisional (instruments/bilag2004/
   * provisional.ts), so they never drive an endpoint. Absent in definitions written before it:
   * read as 'classic', which is what the adjudication has always used.
   */
  endpointBilagVersion?: 'classic';
  /** SLEDAI-2K look-back window in days (10 canonical, 30 variant). */
  sledaiWindowDays: number;
}

/** Earliest and latest study day of a visit's window. */
export function visitWindowDays(visit: Pick<VisitDefinition, 'targetDay' | 'windowDays'>): {
  earliestDay: number;
  latestDay: number;
} {
  const w = visit.windowDays;
  const before = typeof w === 'number' ? w : w.before;
  const after = typeof w === 'number' ? w : w.after;
  return { earliestDay: visit.targetDay - before, latestDay: visit.targetDay + after };
}

/** The BILAG version that drives the endpoints, for users (patient page, report, study page). */
export function endpointBilagStatement(
  definition: Partial<Pick<StudyDefinition, 'endpointBilagVersion'>>,
): string {
  const v = definition.endpointBilagVersion ?? 'classic';
  return v === 'classic'
    ? 'Endpoints are judged on classic BILAG system grades (verified); BILAG-2004 grades, where recorded, do not drive endpoints.'
    : `Endpoints are judged on BILAG ${v}.`;
}
