// Issue #20: study definitions are now read through one schema (core/src/protocol/definition-schema.ts),
// which refuses a form listing the same visit twice. The built-in MSCT–SLE trial as stored by every
// earlier version listed D0 twice for `vital-signs` and `adverse-events` (a harmless repeat: the
// form was collected once at D0), so without this migration every existing install's study would
// be refused on read (`msct analyze` failed with InvalidDefinitionError on a database built before).
//
// `up` removes repeated visit codes from each stored form's `visitCodes` (first occurrence kept, order
// unchanged), nothing else, and records it on the hash chain as `study.definition.amend` with the
// SHA-256 of the definition before and after and a reason; the study's version steps by one so a
// cached definition is read again. `msct audit verify` follows the amendment (audit/verify-data.ts).
// `down` changes nothing: the normalised definition means the same to the code before this one.

import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { type Actor, migrationWriteTransaction } from '../audit/writer.js';

export const MIGRATION_006_ACTOR: Actor = { id: null, name: 'migration 006-definition-duplicate-visits' };
export const DEDUPE_REASON =
  'issue #20: a form listed the same visit twice in the stored definition; the repeat is removed (meaning unchanged)';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The definition with repeated visit codes of each form removed, or null when nothing repeats. */
export function withoutRepeatedFormVisits(definitionJson: string): string | null {
  let def: unknown;
  try {
    def = JSON.parse(definitionJson);
  } catch {
    return null; // not JSON: left for the reader to refuse with its own message
  }
  if (typeof def !== 'object' || def === null || !Array.isArray((def as { forms?: unknown }).forms))
    return null;
  let changed = false;
  for (const form of (def as { forms: unknown[] }).forms) {
    if (typeof form !== 'object' || form === null) continue;
    const f = form as { visitCodes?: unknown };
    if (!Array.isArray(f.visitCodes)) continue;
    const unique = [...new Set(f.visitCodes)];
    if (unique.length !== f.visitCodes.length) {
      f.visitCodes = unique;
      changed = true;
    }
  }
  return changed ? JSON.stringify(def) : null;
}

// biome-ignore lint/suspicious/noExplicitAny: migrations take an untyped Kysely
export async function up(db: Kysely<any>): Promise<void> {
  await migrationWriteTransaction(db, MIGRATION_006_ACTOR, async (tx, audit) => {
    const studies = await tx.selectFrom('studies').select(['id', 'definition_json', 'version']).execute();
    for (const s of studies) {
      const next = withoutRepeatedFormVisits(s.definition_json);
      if (next === null) continue;
      await tx
        .updateTable('studies')
        .set({ definition_json: next, version: Number(s.version) + 1 })
        .where('id', '=', s.id)
        .execute();
      await audit.record({
        action: 'study.definition.amend',
        entityType: 'study',
        entityId: s.id,
        studyId: s.id,
        field: 'definition',
        oldValue: JSON.stringify({ definitionSha256: sha256(s.definition_json) }),
        newValue: JSON.stringify({ definitionSha256: sha256(next) }),
        reason: DEDUPE_REASON,
      });
    }
  });
}

export async function down(): Promise<void> {}
