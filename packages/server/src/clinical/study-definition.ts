import type { FormDefinitionItems } from '@msct/core/crf';
import { itemFormsFor } from '@msct/core/crf';
import { type StoredDefinition, storedDefinition } from '@msct/core/protocol';
import { type Db, getStudy } from '@msct/store';

/** Scoring options a definition sets: core/dataset's, re-exported for the routes. */
export { deriveOptionsOf } from '@msct/core/dataset';

export interface LoadedDefinition {
  /** The definition as stored: a full StudyDefinition for defined studies, `{}` for ad-hoc ones. */
  definition: StoredDefinition;
  /** The study's code, for messages naming it. */
  studyCode: string;
  /** Forms whose items are checked at entry. */
  forms: Map<string, FormDefinitionItems>;
}

// Parsed definitions by study id and version: a study's definition changes rarely, items often.
const cache = new Map<string, { version: number; loaded: LoadedDefinition }>();

export async function studyDefinition(
  db: Db,
  studyId: string,
  /** The study's version, when the caller has just read it (saves read it with the visit). */
  knownVersion?: number,
): Promise<LoadedDefinition> {
  // Every form save asks for the definition: read only the version unless the cache is stale.
  const key = `${db.location}:${studyId}`;
  const hit = cache.get(key);
  if (hit && knownVersion !== undefined && hit.version === knownVersion) return hit.loaded;
  const current = await db.kysely
    .selectFrom('studies')
    .select('version')
    .where('id', '=', studyId)
    .executeTakeFirst();
  if (hit && current && hit.version === Number(current.version)) return hit.loaded;
  const study = await getStudy(db, studyId);
  // Through the one schema (throws InvalidDefinitionError, answered 409 with every problem listed).
  const definition = storedDefinition(study.definition_json, study.code);
  const loaded = { definition, studyCode: study.code, forms: itemFormsFor(definition) };
  cache.set(key, { version: Number(study.version), loaded });
  return loaded;
}
