// Runs the core on one subject's stored items: scores per visit, endpoint verdict with its trace,
// time-to-event data. Nothing here decides anything clinical; it only loads and calls the core.
import { explain } from '@msct/core/crf';
import { deriveSubject } from '@msct/core/dataset';
import { adjudicate, deriveTimeToEvent, getEndpointRuleSet } from '@msct/core/endpoints';
import {
  BILAG2004_SYSTEMS,
  type Bilag2004System,
  type Bilag2004Value,
  isProvisionalBilag2004Grade,
  type Result,
} from '@msct/core/instruments';
import type { StudyDefinition } from '@msct/core/protocol';
import { type Db, loadTrialDataset } from '@msct/store';
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

export async function subjectEndpoints(
  db: Db,
  studyId: string,
  definition: Partial<StudyDefinition>,
  opts: { subjectIds?: string[]; siteIds?: string[]; pseudonymise?: boolean },
) {
  const dataset = await loadTrialDataset(db, studyId, opts);
  const options = adjudicationOptions(definition);
  // A pseudonymised list is ordered by pseudonym: in subject-code order (site code and enrolment
  // number) its positions would map each pseudonym back to its code (issue 17, Medium 3).
  const subjects = opts.pseudonymise
    ? [...dataset.subjects].sort((a, b) =>
        a.subjectCode < b.subjectCode ? -1 : a.subjectCode > b.subjectCode ? 1 : 0,
      )
    : dataset.subjects;
  return {
    snapshot: dataset.snapshot,
    subjects: subjects.map((s) => {
      const d = deriveSubject(s, deriveOptionsOf(definition));
      const adjudication = d.history ? adjudicate(d.history, options) : null;
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
    }),
  };
}
