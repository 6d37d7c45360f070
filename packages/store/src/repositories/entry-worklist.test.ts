// listVisitsNeedingEntry on both databases: the total counts every visit needing entry, however small
// the page (one query gives both: a window count taken before the limit), oldest visit first.
import { msctSleTrial } from '@msct/core/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Actor,
  createSite,
  createStudy,
  createSubject,
  createUser,
  createVisit,
  type Db,
  listVisitsNeedingEntry,
  saveItems,
} from '../index.js';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '../testing/databases.js';

const system: Actor = { id: null, name: 'system' };

for (const dialect of TEST_DIALECTS)
  describe(`listVisitsNeedingEntry on ${dialect}`, () => {
    let t: TestDatabase;
    let db: Db;
    let studyId: string;
    const visitIds: string[] = [];

    beforeAll(async () => {
      t = await createTestDatabase(dialect);
      db = t.db;
      const c = await createUser(db, system, { username: 'coord', displayName: 'C', passwordHash: 'x' });
      const coord: Actor = { id: c.id, name: c.username };
      studyId = (await createStudy(db, system, { code: 'MSCT', title: 'MSCT', definition: msctSleTrial })).id;
      const site = await createSite(db, system, { studyId, code: 'A', name: 'A' });
      for (const [i, date] of ['2024-03-01', '2024-01-01', '2024-02-01'].entries()) {
        const subjectId = (await createSubject(db, coord, { studyId, siteId: site.id })).id;
        const visitId = (await createVisit(db, coord, { subjectId, visitCode: 'M3', visitDate: date })).id;
        visitIds[i] = visitId;
        await saveItems(db, coord, {
          visitId,
          formCode: 'labs',
          items: [{ itemCode: 'c3', value: '0.9', unit: 'g/L' }],
        });
      }
    });
    afterAll(() => t.drop());

    it('counts every visit needing entry whatever the page size, oldest first', async () => {
      const expected = new Map([['M3', ['labs', 'vital-signs']]]);
      const one = await listVisitsNeedingEntry(db, { studyId, expected, limit: 1 });
      expect(one.total).toBe(3);
      expect(one.visits.map((v) => v.visit_id)).toEqual([visitIds[1]]);
      expect(one.visits[0]).not.toHaveProperty('total');
      expect(one.visits[0]!.forms.map((f) => f.form_code)).toEqual(['labs']);
      const all = await listVisitsNeedingEntry(db, { studyId, expected, limit: 10 });
      expect(all.total).toBe(3);
      expect(all.visits.map((v) => v.visit_id)).toEqual([visitIds[1], visitIds[2], visitIds[0]]);
      // No site of the reader: nothing, counted as nothing.
      const none = await listVisitsNeedingEntry(db, { studyId, expected: new Map(), limit: 10, siteIds: [] });
      expect(none).toEqual({ total: 0, visits: [] });
    });
  });
