// The study definition as the item writer applies it (issue #20, "entry follows the definition";
// issue #19: a rule added once holds on every write path). The rules themselves are core's
// (protocol/entry-rules.ts: visitOpeningRefusal, formEntryRefusal; crf/item-definition.ts: an item
// only if the form has it); this reads the study's stored definition once per study version and
// turns a refusal into the store's error, so the form save, the demo loader and the CSV/ODM imports
// (and their dry runs, through ItemWriter.refusal) refuse the same thing with the same words.
import { type FormDefinitionItems, itemFormsFor } from '@msct/core/crf';
import { type EntryRefusal, type StoredDefinition, storedDefinition } from '@msct/core/protocol';
import type { Kysely } from 'kysely';
import type { Db } from '../database.js';
import { EntryRefusalError, type EntryTarget, StoreError } from '../errors.js';
import type { Database } from '../schema.js';

export interface EntryDefinition {
  studyCode: string;
  definition: StoredDefinition;
  /** The definition's forms with their items, by form code. */
  forms: Map<string, FormDefinitionItems>;
}

const cache = new Map<string, { version: number; loaded: EntryDefinition }>();

/**
 * The definition of `studyId` as this connection or transaction sees it, parsed once per study
 * version (a study's definition changes rarely, items often). `knownVersion`: the study's version when
 * the caller has just read it (a form save reads it with the visit), so a cached definition costs no
 * query; otherwise only the version is read unless the cache is stale. An invalid stored definition
 * throws core's InvalidDefinitionError (every problem listed).
 */
export async function entryDefinition(
  kysely: Kysely<Database>,
  location: string,
  studyId: string,
  knownVersion?: number,
): Promise<EntryDefinition> {
  const key = `${location}:${studyId}`;
  const hit = cache.get(key);
  if (hit && knownVersion !== undefined && hit.version === knownVersion) return hit.loaded;
  if (hit) {
    const current = await kysely
      .selectFrom('studies')
      .select('version')
      .where('id', '=', studyId)
      .executeTakeFirst();
    if (current && Number(current.version) === hit.version) return hit.loaded;
  }
  const study = await kysely
    .selectFrom('studies')
    .select(['code', 'version', 'definition_json'])
    .where('id', '=', studyId)
    .executeTakeFirst();
  if (!study) throw new StoreError('not_found', `study ${studyId} not found`);
  const definition = storedDefinition(study.definition_json, study.code);
  const loaded = { studyCode: study.code, definition, forms: itemFormsFor(definition) };
  cache.set(key, { version: Number(study.version), loaded });
  return loaded;
}

/** A study's definition as entry applies it (the server's routes read it through this too). */
export function studyDefinition(db: Db, studyId: string, knownVersion?: number): Promise<EntryDefinition> {
  return entryDefinition(db.kysely, db.location, studyId, knownVersion);
}

/**
 * A refusal of entry-rules.ts as the store's typed error, naming its rule, the field it is about and
 * the visit/form it was going to.
 */
export function refuseEntry(refusal: EntryRefusal | undefined, target: EntryTarget): void {
  if (refusal) throw new EntryRefusalError(refusal.rule, refusal.field, refusal.message, target);
}

/**
 * An item only if the form has it (the form's own items; an ad-hoc form takes any item). `field`:
 * where the item code sits in the writer's input (`items.2.itemCode` in a form save).
 */
export function refuseUnknownItem(
  entry: EntryDefinition,
  target: EntryTarget & { formCode: string; itemCode: string },
  field = 'itemCode',
): void {
  const form = entry.forms.get(target.formCode);
  if (form && !form.items.some((i) => i.code === target.itemCode))
    throw new EntryRefusalError(
      'item-unknown',
      field,
      `${target.formCode} has no item "${target.itemCode}"`,
      target,
    );
}
