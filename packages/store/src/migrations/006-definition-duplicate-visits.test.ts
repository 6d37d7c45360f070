// Migration 006 (issue #20): a study stored with a form listing the same visit twice — as every
// install before the definition schema stored the built-in trial (D0 twice for vital signs and AEs) —
// is read by the new schema after `up`: the repeat removed, nothing else changed, the study's version
// stepped, one audited `study.definition.amend` on the chain, and `msct audit verify` still proves the
// data (the definition's SHA-256 follows the amendment). Both dialects.
import { msctSleTrial, readStoredDefinition } from '@msct/core/protocol';
import { Migrator } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, createStudy, type Db, getStudy, verifyAuditChain, verifyAuditedData } from '../index.js';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '../testing/databases.js';
import { DEDUPE_REASON, withoutRepeatedFormVisits } from './006-definition-duplicate-visits.js';
import { migrationProvider } from './index.js';

const system: Actor = { id: null, name: 'system' };

/** The built-in trial as versions before issue #20 stored it: D0 twice in two forms. */
const asStoredBefore = {
  ...msctSleTrial,
  forms: msctSleTrial.forms.map((f) =>
    f.id === 'vital-signs' || f.id === 'adverse-events' ? { ...f, visitCodes: [...f.visitCodes, 'D0'] } : f,
  ),
};

describe('withoutRepeatedFormVisits', () => {
  it('removes repeats only, keeping the first occurrence and the order', () => {
    const out = withoutRepeatedFormVisits(
      JSON.stringify({
        title: 'x',
        forms: [{ id: 'a', visitCodes: ['D0', 'M1', 'D0', 'M3', 'M1'] }, { id: 'b' }],
      }),
    );
    expect(JSON.parse(out!)).toEqual({
      title: 'x',
      forms: [{ id: 'a', visitCodes: ['D0', 'M1', 'M3'] }, { id: 'b' }],
    });
    expect(withoutRepeatedFormVisits(JSON.stringify({ forms: [{ visitCodes: ['D0', 'M1'] }] }))).toBeNull();
    expect(withoutRepeatedFormVisits('{}')).toBeNull();
    expect(withoutRepeatedFormVisits('not json')).toBeNull();
  });
});

for (const dialect of TEST_DIALECTS)
  describe(`migration 006-definition-duplicate-visits on ${dialect}`, () => {
    let t: TestDatabase;
    let db: Db;
    let studyId: string;
    let adHocId: string;

    beforeAll(async () => {
      t = await createTestDatabase(dialect);
      db = t.db;
      // Stored as before (the store writes what it is given; the API now validates first), then 006 run
      // again over it: down is a no-op, up reads every study (007 after it keeps that as version 1).
      studyId = (await createStudy(db, system, { code: 'OLD', title: 'Old', definition: asStoredBefore })).id;
      adHocId = (await createStudy(db, system, { code: 'ADHOC', title: 'Ad hoc', definition: {} })).id;
      const migrator = new Migrator({ db: db.kysely, provider: migrationProvider });
      expect((await migrator.migrateTo('005-subject-lists')).error).toBeUndefined();
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
    });
    afterAll(() => t.drop());

    it('the stored trial reads under the schema after up; nothing but the repeats changed', async () => {
      expect(readStoredDefinition(asStoredBefore).ok).toBe(false);
      const s = await getStudy(db, studyId);
      const read = readStoredDefinition(JSON.parse(s.definition_json));
      expect(read.ok).toBe(true);
      expect(JSON.parse(s.definition_json)).toEqual(JSON.parse(JSON.stringify(msctSleTrial)));
      expect(Number(s.version)).toBe(2);
      const adHoc = await getStudy(db, adHocId);
      expect([adHoc.definition_json, Number(adHoc.version)]).toEqual(['{}', 1]);
    });

    it('is audited with a reason, and audit verify proves the amended definition', async () => {
      const events = await db.kysely
        .selectFrom('audit_events')
        .select(['entity_id', 'field', 'reason', 'actor_name'])
        .where('action', '=', 'study.definition.amend')
        .execute();
      expect(events).toEqual([
        {
          entity_id: studyId,
          field: 'definition',
          reason: DEDUPE_REASON,
          actor_name: 'migration 006-definition-duplicate-visits',
        },
      ]);
      expect((await verifyAuditChain(db)).ok).toBe(true);
      const data = await verifyAuditedData(db);
      expect(data.findings).toEqual([]);
      expect(data.ok).toBe(true);
    });
  });
