// One subject's data run through the core: scores per visit, endpoint verdict with its trace,
// time-to-event data — the shape the API's endpoint list, `msct adjudicate` and the SDTM export
// share. Nothing here decides anything clinical; it only calls the core's scorers and adjudication.
// The store's per-subject stream feeds it (server/src/clinical/subject-endpoints.ts).
import { explain } from '../crf/derive.js';
import { adjudicate } from '../endpoints/adjudicate.js';
import { getEndpointRuleSet } from '../endpoints/rule-set.js';
import { deriveTimeToEvent } from '../endpoints/time-to-event.js';
import { isProvisionalBilag2004Grade } from '../instruments/bilag2004/provisional.js';
import type { Bilag2004Value } from '../instruments/bilag2004/score.js';
import { BILAG2004_SYSTEMS, type Bilag2004System } from '../instruments/bilag2004/types.js';
import type { Result } from '../instruments/result.js';
import type { StudyDefinition } from '../protocol/study-definition.js';
import { deriveSubject } from './patient-history.js';
import type { DatasetSubject } from './trial-dataset.js';

function provisionalSystems(r: Result<Bilag2004Value> | undefined): Bilag2004System[] {
  if (!r?.ok) return [];
  return BILAG2004_SYSTEMS.filter((s) => isProvisionalBilag2004Grade(s, r.value.grades[s]));
}

export function adjudicationOptions(definition: Partial<StudyDefinition>) {
  const ruleSet = definition.endpointRuleSetId ? getEndpointRuleSet(definition.endpointRuleSetId) : undefined;
  return {
    ...(ruleSet ? { ruleSet } : {}),
    ...(definition.retreatment ? { retreatment: definition.retreatment } : {}),
  };
}

/** One subject's scores per visit (with traces), verdict and time-to-event data. */
export function endpointsOfSubject(s: DatasetSubject, definition: Partial<StudyDefinition>) {
  const d = deriveSubject(s, { ...deriveOptionsOf(definition), trace: true });
  const adjudication = d.history ? adjudicate(d.history, adjudicationOptions(definition)) : null;
  return {
    subjectId: s.subjectId,
    subjectCode: s.subjectCode,
    siteCode: s.siteCode,
    problems: d.problems,
    visits: d.visits.map((v) => ({
      visitId: v.visit.visitId,
      visitCode: v.visit.visitCode,
      cycle: v.visit.cycle,
      date: v.visit.date,
      studyDay: v.studyDay,
      sledai: v.scores.sledai?.ok ? v.scores.sledai.value.score : null,
      clinicalSledai: v.scores.sledai?.ok ? v.scores.sledai.value.clinicalScore : null,
      sledaiTrace: explain(v.scores.sledai),
      bilagTotal: v.scores.bilag?.ok ? v.scores.bilag.value.total : null,
      bilagGrades: v.scores.bilag?.ok ? v.scores.bilag.value.grades : null,
      bilagTrace: explain(v.scores.bilag),
      // BILAG-2004 grades, if recorded, with the systems whose grade rests on a provisional
      // rule (issue #18 item 13); they never drive endpoints (endpointBilagVersion).
      bilag2004Grades: v.scores.bilag2004?.ok ? v.scores.bilag2004.value.grades : null,
      bilag2004Provisional: provisionalSystems(v.scores.bilag2004),
      labs: v.scores.labs,
    })),
    adjudication,
    timeToEvent: d.history && adjudication ? deriveTimeToEvent(d.history, adjudication) : null,
  };
}

export type SubjectEndpoints = ReturnType<typeof endpointsOfSubject>;

/** Scoring options the definition sets (the SLEDAI-2K window is 10 or 30 days: instruments.md §1.1). */
export function deriveOptionsOf(definition: Partial<StudyDefinition>): { sledaiWindowDays?: 10 | 30 } {
  const w = definition.sledaiWindowDays;
  return w === 10 || w === 30 ? { sledaiWindowDays: w } : {};
}
