// Loads a study from the store and runs the analysis plan with the study definition's own
// parameters (endpoint rule set, re-treatment rule, BILAG version, SLEDAI-2K window), so the CLI
// and the API produce the same results from the same snapshot.
import {
  type AnalysisResults,
  type AnalyzeOptions,
  analysisTimepointsOf,
  analyzeRecords,
  compactRecord,
  type SubjectRecord,
  subjectRecord,
  subjectRecordOptionsOf,
} from '@msct/core/analysis';
import { getEndpointRuleSet } from '@msct/core/endpoints';
import { storedDefinition } from '@msct/core/protocol';
import { type Db, forEachTrialSubject, getStudy, type LoadDatasetOptions } from '@msct/store';

/**
 * AnalyzeOptions from a study's definition JSON, read through the one schema (an invalid one throws
 * InvalidDefinitionError listing every problem); an ad-hoc study (`{}`) keeps the defaults.
 */
export function analysisOptionsOf(definitionJson: string | null | undefined): AnalyzeOptions {
  const d = storedDefinition(definitionJson ?? '{}');
  const options: AnalyzeOptions = {};
  const ruleSet = d.endpointRuleSetId ? getEndpointRuleSet(d.endpointRuleSetId) : undefined;
  if (d.endpointRuleSetId && !ruleSet)
    throw new Error(`the study names endpoint rule set "${d.endpointRuleSetId}", which msct does not know`);
  if (ruleSet) options.ruleSet = ruleSet;
  if (d.retreatment) options.retreatment = d.retreatment;
  if (d.bilagVersion) options.bilagVersion = d.bilagVersion;
  if (d.analysisMeasures) options.measureKeys = d.analysisMeasures;
  // The study's own schedule, not the built-in trial's (issue #20: a study defined as data).
  const timepoints = d.visits ? analysisTimepointsOf(d.visits) : undefined;
  if (timepoints) options.timepoints = timepoints;
  if (d.arms?.length) options.arms = d.arms.map((a) => ({ id: a.id, label: a.label }));
  if (d.sledaiWindowDays === 10 || d.sledaiWindowDays === 30) options.sledaiWindowDays = d.sledaiWindowDays;
  return options;
}

/**
 * Streams the study's subjects from the store, derives each one as it comes and keeps its compact
 * record (no items), then runs the analysis plan over the records (issue 16: memory holds one page
 * of items, not the trial's).
 */
export async function analyzeStudy(
  db: Db,
  studyId: string,
  load: LoadDatasetOptions = {},
  onSubject?: (done: number) => void,
): Promise<AnalysisResults> {
  const study = await getStudy(db, studyId);
  const options = analysisOptionsOf(study.definition_json);
  const recordOptions = subjectRecordOptionsOf(options);
  const records: SubjectRecord[] = [];
  const frame = await forEachTrialSubject(db, studyId, load, (s) => {
    records.push(compactRecord(subjectRecord(s, recordOptions)));
    onSubject?.(records.length);
  });
  return analyzeRecords(frame, records, options);
}
