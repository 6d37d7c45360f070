// Runs the core on one subject's stored items: scores per visit, endpoint verdict with its trace,
// time-to-event data. Nothing here decides anything clinical; it only loads and calls the core.
// Subjects are read from the store's stream one at a time (issue 16), so a caller that writes each
// subject out (msct adjudicate) holds one subject's items at a time.
import { explain } from '@msct/core/crf';
import { type DatasetSubject, deriveSubject } from '@msct/core/dataset';
import { adjudicate, deriveTimeToEvent, getEndpointRuleSet } from '@msct/core/endpoints';
import {
  BILAG2004_SYSTEMS,
  type Bilag2004System,
  type Bilag2004Value,
  isProvisionalBilag2004Grade,
  type Result,
} from '@msct/core/instruments';
import type { StudyDefinition } from '@msct/core/protocol';
import { type Db, forEachTrialSubject } from '@msct/store';
import { deriveOptionsOf } from './study-definition.js';

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

export interface SubjectEndpointsOptions {
  subjectIds?: string[];
  siteIds?: string[];
  pseudonymise?: boolean;
}

/** One subject's scores per visit (with traces), verdict and time-to-event data. */
export function endpointsOfSubject(s: DatasetSubject, definition: Partial<StudyDefinition>) {
  const d = deriveSubject(s, deriveOptionsOf(definition));
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

/** Each subject's endpoints in turn (subject-code order); returns the data snapshot. */
export async function forEachSubjectEndpoints(
  db: Db,
  studyId: string,
  definition: Partial<StudyDefinition>,
  opts: SubjectEndpointsOptions,
  each: (s: SubjectEndpoints) => void | Promise<void>,
) {
  const { snapshot } = await forEachTrialSubject(db, studyId, opts, (s) =>
    each(endpointsOfSubject(s, definition)),
  );
  return snapshot;
}

export async function subjectEndpoints(
  db: Db,
  studyId: string,
  definition: Partial<StudyDefinition>,
  opts: SubjectEndpointsOptions,
) {
  const subjects: SubjectEndpoints[] = [];
  const snapshot = await forEachSubjectEndpoints(db, studyId, definition, opts, (s) => {
    subjects.push(s);
  });
  return { snapshot, subjects };
}
