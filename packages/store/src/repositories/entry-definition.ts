// The study definition as the item writer applies it (issue #20, "entry follows the definition";
// issue #19: a rule added once holds on every write path). The rules themselves are core's
// (protocol/entry-rules.ts: visitOpeningRefusal, formEntryRefusal; crf/item-definition.ts: an item
// only if the form has it); this reads the study's stored definition once per study version and
// turns a refusal into the store's error, so the form save, the demo loader and the CSV/ODM imports
// (and their dry runs, through ItemWriter.refusal) refuse the same thing with the same words.
import { type FormDefinitionItems, itemFormsFor } from '@msct/core/crf';
import { type EntryRefusal, type StoredDefinition, storedDefinition } from '@msct/core/protocol';
import type { Tx } from '../audit/writer.js';
import { StoreError } from '../errors.js';

export interface EntryDefinition {
  studyCode: string;
  definition: StoredDefinition;
  /** The definition's forms with their items, by form code. */
  forms: Map<string, FormDefinitionItems>;
}

const cache = new Map<string, { version: number; loaded: EntryDefinition }>();

/**
 * The definition of `studyId` as this transaction sees it. `knownVersion`: the study's version when
 * the caller has just read it (a form save reads it with the visit), so a cached definition costs no
 * query. An invalid stored definition throws core's InvalidDefinitionError (every problem listed).
 */
export async function entryDefinition(
  tx: Tx,
  location: string,
  studyId: string,
  knownVersion?: number,
): Promise<EntryDefinition> {
  const key = `${location}:${studyId}`;
  const hit = cache.get(key);
  if (hit && knownVersion !== undefined && hit.version === knownVersion) return hit.loaded;
  const study = await tx
    .selectFrom('studies')
    .select(['code', 'version', 'definition_json'])
    .where('id', '=', studyId)
    .executeTakeFirst();
  if (!study) throw new StoreError('not_found', `study ${studyId} not found`);
  const version = Number(study.version);
  if (hit && hit.version === version) return hit.loaded;
  const definition = storedDefinition(study.definition_json, study.code);
  const loaded = { studyCode: study.code, definition, forms: itemFormsFor(definition) };
  cache.set(key, { version, loaded });
  return loaded;
}

/** A refusal of entry-rules.ts as the store's error, naming its rule and field. */
export function refuseEntry(refusal: EntryRefusal | undefined): void {
  if (refusal) throw new StoreError('invalid', refusal.message, { field: refusal.field, rule: refusal.rule });
}

/** An item only if the form has it (the form's own items; an ad-hoc form takes any item). */
export function refuseUnknownItem(entry: EntryDefinition, formCode: string, itemCode: string): void {
  const form = entry.forms.get(formCode);
  if (form && !form.items.some((i) => i.code === itemCode))
    throw new StoreError('invalid', `${formCode} has no item "${itemCode}"`, {
      field: itemCode,
      rule: 'item-unknown',
    });
}
