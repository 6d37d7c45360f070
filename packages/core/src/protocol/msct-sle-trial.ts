/**
 * The built-in trial: umbilical-cord MSC transplantation in active, refractory SLE, as data
 * (issue #20): studies/msct-sle.json, parsed through the one definition schema when loaded.
 *
 * Source: Wang D et al., Arthritis Res Ther 2014;16:R79 (registry NCT01741857), operationalised in
 * shared/protocol/trial.md. [paper] = from the publication; [design] = our operationalisation, a
 * parameter a study can change. Where each value of the file comes from (items and criteria carry
 * their own `source`):
 * - centres: trial.md "Design", the four Jiangsu centres of the author list [paper, affiliations].
 * - visits: trial.md "Schedule" table. Screening −28 … −1 (target −1, 27 days before it); day 0 =
 *   baseline / infusion 1, window 0; infusion 2 on day 7 ± 1 [paper: day 0 and day 7; window design];
 *   month 1 = day 30 ± 7 [design]; months 3, 6, 9, 12 = days 91, 182, 273, 365, each ± 14 [design].
 * - forms: trial.md "Schedule" (content column) and "Intervention" (infusion record, background
 *   therapy); the assessments (SLEDAI-2K, BILAG, labs, medication) at screening and at D0, M1, M3, M6,
 *   M9, M12 and unscheduled visits; vital signs and AEs also at D7. Items: crf/forms.ts cites each.
 * - infusion: trial.md "Intervention": allogeneic UC-MSC, IV, day 0 and day 7 [paper]; 1 × 10^6
 *   cells/kg per infusion [design]; dose tolerance ±10 % [design, issue 4]; viability ≥ 90 % [design];
 *   one repeat cycle (maxCycles 2) [paper conclusion].
 * - eligibility: trial.md "Population" (msct-sle-eligibility.ts documents the criteria).
 * - editChecks: soft plausibility checks raising system queries (issues #20/#21), each with its
 *   `source` in the file: diastolic < systolic BP (Whelton 2017 ACC/AHA guideline), weight within
 *   ±10 % of day 0 (trial.md "Intervention", the dose per kg), cause of death and reason for
 *   withdrawal required (ICH E3 §12.3.1.1, §10.1).
 * - endpointRuleSetId: endpoints.md, FDA 2010 / EXPLORER-style BILAG MCR/PCR over 12 months.
 * - retreatment: endpoints.md "Re-treatment rule": after month 6 = after the month-6 assessment (or,
 *   when it was not done, after day 196 = 182 + 14, the end of its window): relapse, or SLEDAI-2K
 *   rise ≥ 3 with falling C3 / rising anti-dsDNA at 2 consecutive assessments.
 * - bilagVersion 'classic': trial.md "Published results", Table 1 BILAG totals decompose into classic
 *   weights; endpointBilagVersion 'classic': issue #18 item 13 (instruments.md §2.1).
 * - sledaiWindowDays 10: instruments.md §1.1, the canonical SLEDAI-2K window.
 */

import { studyDefinitionSchema } from './definition-schema.js';
import definition from './studies/msct-sle.json' with { type: 'json' };
import type { StudyDefinition, VisitDefinition } from './study-definition.js';

/** The built-in trial's definition, checked against the definition schema when loaded. */
export const msctSleTrial: StudyDefinition = studyDefinitionSchema.parse(definition);

/** trial.md "Schedule" table: target days and [design] windows. */
export const msctSleVisits: VisitDefinition[] = msctSleTrial.visits;
