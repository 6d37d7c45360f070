// Each subject's endpoints (core/dataset endpointsOfSubject) over the store's per-subject stream
// (issue 16), so a caller that writes each subject out (msct adjudicate) holds one subject's items
// at a time.
import { endpointsOfSubject, type SubjectEndpoints } from '@msct/core/dataset';
import type { StoredDefinition } from '@msct/core/protocol';
import { type Db, forEachTrialSubject } from '@msct/store';

export { adjudicationOptions, endpointsOfSubject, type SubjectEndpoints } from '@msct/core/dataset';

export interface SubjectEndpointsOptions {
  subjectIds?: string[];
  siteIds?: string[];
  pseudonymise?: boolean;
}

/** Each subject's endpoints in turn (subject-code order); returns the data snapshot. */
export async function forEachSubjectEndpoints(
  db: Db,
  studyId: string,
  definition: StoredDefinition,
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
  definition: StoredDefinition,
  opts: SubjectEndpointsOptions,
) {
  const subjects: SubjectEndpoints[] = [];
  const snapshot = await forEachSubjectEndpoints(db, studyId, definition, opts, (s) => {
    subjects.push(s);
  });
  return { snapshot, subjects };
}
