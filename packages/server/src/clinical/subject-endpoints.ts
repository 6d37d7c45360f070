// Runs the core on one subject's stored items: scores per visit, endpoint verdict with its trace,
// time-to-event data. Nothing here decides anything clinical; it only loads and calls the core.
import { explain } from '@msct/core/crf';
import { deriveSubject } from '@msct/core/dataset';
import { adjudicate, deriveTimeToEvent, getEndpointRuleSet } from '@msct/core/endpoints';
import type { StudyDefinition } from '@msct/core/protocol';
import { type Db, loadTrialDataset } from '@msct/store';
import { deriveOptionsOf } from './study-definition.js';

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
          labs: v.scores.labs,
        })),
        adjudication,
        timeToEvent: d.history && adjudication ? deriveTimeToEvent(d.history, adjudication) : null,
      };
    }),
  };
}
