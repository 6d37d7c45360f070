// Branching logic enforced at entry (issue #20), both dialects, through the one item writer: on the
// end-of-study form with `death_cause` shown only when status is "died", a cause sent with status
// "completed" is refused at its field (rule item-hidden) and nothing is stored, whatever the order
// of the items in the save; with "died" it is saved; changing the status away from "died" while the
// cause holds a value is refused (clear it first, with a reason); a definition whose showIf names an
// item the form does not have is refused by path.
import { msctSleTrial, type StudyDefinition, validateStudyDefinition } from '@msct/core/protocol';
import { createSubject, createVisit } from '@msct/store';
import { TEST_DIALECTS } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, createTestTrial, startTestServer, type TestServer } from '../testing/test-server.js';

interface Answer {
  detail?: string;
  errors?: { field: string; rule: string; message: string }[];
  items?: { itemCode: string; value: string | null; version: number }[];
}

function withBranching(item = 'status'): StudyDefinition {
  const d: StudyDefinition = JSON.parse(JSON.stringify(msctSleTrial));
  const eos = d.forms.find((f) => f.id === 'end-of-study')!;
  eos.items = eos.items!.map((i) =>
    i.code === 'death_cause' ? { ...i, showIf: { op: 'is', item, value: 'died' } } : i,
  );
  return d;
}

describe('branching logic in the definition', () => {
  it('is validated: it reads an item of the same form, not itself', () => {
    expect(validateStudyDefinition(withBranching()).ok).toBe(true);
    const bad = validateStudyDefinition(withBranching('nope'));
    expect(bad.ok).toBe(false);
    expect(JSON.stringify(bad.issues)).toContain(
      'unknown item \\"nope\\": branching logic reads items of the same form',
    );
    expect(validateStudyDefinition(withBranching('death_cause')).ok).toBe(false);
  });
});

for (const dialect of TEST_DIALECTS)
  describe(`branching logic at entry on ${dialect}`, () => {
    let server: TestServer;
    let coord: ApiClient;
    let visitId: string;
    const save = (body: unknown) => coord.put<Answer>(`/api/visits/${visitId}/forms/end-of-study`, body);
    const stored = () =>
      server.db.kysely
        .selectFrom('item_values')
        .innerJoin('form_instances', 'form_instances.id', 'item_values.form_instance_id')
        .select(['item_values.item_code', 'item_values.value'])
        .where('form_instances.visit_id', '=', visitId)
        .orderBy('item_values.item_code')
        .execute();

    beforeAll(async () => {
      server = await startTestServer(dialect);
      const trial = await createTestTrial(server.db, { definition: withBranching() });
      coord = new ApiClient(server.baseUrl);
      expect((await coord.login('coordinator')).status).toBe(200);
      const actor = { id: trial.users.coordinator!.id, name: 'coordinator' };
      const s = await createSubject(server.db, actor, { studyId: trial.studyId, siteId: trial.siteA });
      visitId = (
        await createVisit(server.db, actor, { subjectId: s.id, visitCode: 'M12', visitDate: '2025-01-09' })
      ).id;
    });
    afterAll(async () => {
      await server?.close();
    });

    it('refuses a value for a hidden item at its field, in either order, and stores nothing', async () => {
      for (const items of [
        [
          { itemCode: 'death_cause', value: 'sepsis' },
          { itemCode: 'status', value: 'completed' },
        ],
        [
          { itemCode: 'status', value: 'completed' },
          { itemCode: 'death_cause', value: 'sepsis' },
        ],
      ]) {
        const r = await save({ items });
        expect(r.status).toBe(400);
        const at = items.findIndex((i) => i.itemCode === 'death_cause');
        expect(r.body.errors).toEqual([
          {
            field: `items.${at}.value`,
            rule: 'item-hidden',
            message: expect.stringContaining(
              '(end-of-study.death_cause) is asked only when status is "died"',
            ),
          },
        ]);
      }
      expect(await stored()).toEqual([]);
    });

    it('takes the value while the condition holds; hiding an item that holds a value is refused', async () => {
      const ok = await save({
        items: [
          { itemCode: 'status', value: 'died' },
          { itemCode: 'death_cause', value: 'sepsis' },
          { itemCode: 'date', value: '2025-01-09' },
        ],
      });
      expect(ok.status).toBe(200);
      const version = (code: string) => ok.body.items!.find((i) => i.itemCode === code)!.version;
      const hide = await save({
        items: [{ itemCode: 'status', value: 'completed', version: version('status') }],
        reason: 'entered the wrong status',
      });
      expect(hide.status).toBe(400);
      expect(hide.body.errors?.[0]).toMatchObject({ field: 'items.0.value', rule: 'item-hidden' });
      expect(hide.body.detail).toContain('clear it first');
      // Cleared in the same save: accepted.
      const both = await save({
        items: [
          { itemCode: 'status', value: 'completed', version: version('status') },
          { itemCode: 'death_cause', value: null, version: version('death_cause') },
        ],
        reason: 'entered the wrong status',
      });
      expect(both.status).toBe(200);
      expect((await stored()).map((r) => `${r.item_code}=${r.value}`)).toEqual([
        'date=2025-01-09',
        'death_cause=null',
        'status=completed',
      ]);
    });
  });
