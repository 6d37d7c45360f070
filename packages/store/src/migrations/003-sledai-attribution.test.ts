// Migration 003 (issue #18, endpoints.md Clarification 5): up reinterprets every stored SLEDAI-2K 0 as
// absent with one audit event each on the hash chain; down re-encodes explicit attributions the old
// way and records the old reading again, also audited. Both directions on SQLite and PostgreSQL.
import { deriveVisitScores } from '@msct/core/crf';
import { Migrator } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Actor,
  createSite,
  createStudy,
  createSubject,
  createUser,
  createVisit,
  type Db,
  listForms,
  listItems,
  saveItems,
  verifyAuditChain,
} from '../index.js';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '../testing/databases.js';
import { REINTERPRET_REASON, REVERT_REASON } from './003-sledai-attribution.js';
import { migrationProvider } from './index.js';

const system: Actor = { id: null, name: 'system' };

for (const dialect of TEST_DIALECTS)
  describe(`migration 003-sledai-attribution on ${dialect}`, () => {
    let t: TestDatabase;
    let db: Db;
    let user: Actor;
    let visitId: string;
    const migrator = () => new Migrator({ db: db.kysely, provider: migrationProvider });

    beforeAll(async () => {
      t = await createTestDatabase(dialect);
      db = t.db;
      const u = await createUser(db, system, { username: 'coord', displayName: 'C', passwordHash: 'x' });
      user = { id: u.id, name: u.username };
      const study = await createStudy(db, system, { code: 'S', title: 'S', definition: {} });
      const site = await createSite(db, system, { studyId: study.id, code: 'A', name: 'A' });
      const subject = await createSubject(db, user, { studyId: study.id, siteId: site.id });
      visitId = (
        await createVisit(db, user, { subjectId: subject.id, visitCode: 'D0', visitDate: '2024-01-10' })
      ).id;
    });
    afterAll(() => t.drop());

    const events = async (action: string, reason: string) =>
      db.kysely
        .selectFrom('audit_events')
        .select(['field', 'old_value', 'new_value', 'actor_name'])
        .where('action', '=', action)
        .where('reason', '=', reason)
        .orderBy('seq')
        .execute();
    const items = async () => {
      const form = (await listForms(db, visitId)).find((f) => f.form_code === 'sledai2k')!;
      return Object.fromEntries((await listItems(db, form.id)).map((i) => [i.item_code, i.value]));
    };
    const score = async () => {
      const sledai = Object.fromEntries(
        Object.entries(await items()).map(([k, value]) => [k, { value, unit: null }]),
      );
      const r = deriveVisitScores({
        sledai2k: sledai,
        labs: {
          c3: { value: '0.5', unit: 'g/L' },
          c3_lln: { value: '0.9', unit: 'g/L' },
          urine_wbc_hpf: { value: '30', unit: '/hpf' },
        },
      }).sledai!;
      return r.ok ? r.value.score : null;
    };

    it('up: every stored 0 is reinterpreted as absent, one audited event each; values unchanged', async () => {
      // Data as the old code stored it (REDCap-style import: 0 = absent), then back to just before 003
      // (the migrations after it are reverted with it; 003's down finds nothing of its own to revert).
      // Written first: today's writer writes migration 007's columns, which 002's schema lacks.
      await saveItems(db, user, {
        visitId,
        formCode: 'sledai2k',
        items: [
          { itemCode: 'arthritis', value: '1' },
          { itemCode: 'low_complement', value: '0' },
          { itemCode: 'seizure', value: '0' },
          { itemCode: 'rash', value: null },
        ],
      });
      const down = await migrator().migrateTo('002-account-security');
      expect(down.error).toBeUndefined();
      const before = await items();
      const upgraded = await migrator().migrateTo('003-sledai-attribution');
      expect(upgraded.error).toBeUndefined();
      expect(upgraded.results?.map((r) => r.migrationName)).toEqual(['003-sledai-attribution']);
      expect(await items()).toEqual(before);
      const ev = await events('item.reinterpret', REINTERPRET_REASON);
      expect(ev).toEqual([
        {
          field: 'sledai2k.low_complement',
          old_value: '0 (read as: present, not due to SLE)',
          new_value: '0 (absent)',
          actor_name: 'migration 003-sledai-attribution',
        },
        expect.objectContaining({ field: 'sledai2k.seizure' }),
      ]);
      // arthritis 4 + low complement from C3 0.5 < 0.9 (2) + pyuria 30/hpf (4): the 0 no longer vetoes.
      expect(await score()).toBe(10);
      expect((await verifyAuditChain(db)).ok).toBe(true);
    });

    it('down: attributions re-encoded as the old 0, reinterpreted 0s read the old way again, audited', async () => {
      expect((await migrator().migrateToLatest()).error).toBeUndefined();
      const form = (await listForms(db, visitId)).find((f) => f.form_code === 'sledai2k')!;
      const current = await listItems(db, form.id);
      await saveItems(db, user, {
        visitId,
        formCode: 'sledai2k',
        items: [{ itemCode: 'pyuria_not_sle', value: '1' }],
      });
      expect(current.length).toBeGreaterThan(0);
      expect(await score()).toBe(6);
      const r = await migrator().migrateTo('002-account-security');
      expect(r.error).toBeUndefined();
      const now = await items();
      expect(now.pyuria).toBe('0');
      expect(now.pyuria_not_sle).toBeNull();
      expect(now.low_complement).toBe('0');
      const changes = await db.kysely
        .selectFrom('audit_events')
        .select(['action', 'field', 'old_value', 'new_value'])
        .where('reason', '=', REVERT_REASON)
        .orderBy('seq')
        .execute();
      expect(changes).toEqual([
        { action: 'item.enter', field: 'sledai2k.pyuria', old_value: null, new_value: '0' },
        { action: 'item.change', field: 'sledai2k.pyuria_not_sle', old_value: '1', new_value: null },
        {
          action: 'item.reinterpret',
          field: 'sledai2k.low_complement',
          old_value: '0 (absent)',
          new_value: '0 (read as: present, not due to SLE)',
        },
        expect.objectContaining({ action: 'item.reinterpret', field: 'sledai2k.seizure' }),
      ]);
      expect((await verifyAuditChain(db)).ok).toBe(true);
      // Up again: every 0 (pyuria's included) is absent; the chain still verifies.
      expect((await migrator().migrateUp()).error).toBeUndefined();
      expect((await events('item.reinterpret', REINTERPRET_REASON)).length).toBe(2 + 3);
      expect((await verifyAuditChain(db)).ok).toBe(true);
    });
  });
