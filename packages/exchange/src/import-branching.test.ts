// Branching logic during an import (issue #20): a value for an item the form's `showIf` hides (a
// cause of death with status "completed"), or a value that hides an item already holding one, is a
// refusal of its row — listed by the dry run and the import report with its row, column and rule
// `item-hidden`, like the other refusals — never a refusal of the whole import. Both dialects, CSV
// and ODM.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { msctSleTrial, type StudyDefinition } from '@msct/core/protocol';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCsv } from './csv-import.js';
import { importOdm } from './odm-import.js';
import { createEmptyStudy, createTestStudy, exportToFile, type TestStudy } from './testing/test-study.js';

/** The built-in trial with the cause of death asked only when the status is "died". */
function withBranching(): StudyDefinition {
  const d: StudyDefinition = JSON.parse(JSON.stringify(msctSleTrial));
  const eos = d.forms.find((f) => f.id === 'end-of-study')!;
  eos.items = eos.items!.map((i) =>
    i.code === 'death_cause' ? { ...i, showIf: { op: 'is', item: 'status', value: 'died' } } : i,
  );
  return d;
}

const source = (text: string) => () => Readable.from([text]);

async function endOfStudy(t: TestDatabase): Promise<string[]> {
  const rows = await t.db.kysely
    .selectFrom('item_values')
    .innerJoin('form_instances', 'form_instances.id', 'item_values.form_instance_id')
    .innerJoin('subjects', 'subjects.id', 'form_instances.subject_id')
    .select(['subjects.subject_code', 'item_values.item_code', 'item_values.value'])
    .where('form_instances.form_code', '=', 'end-of-study')
    .execute();
  return rows.map((r) => `${r.subject_code} ${r.item_code}=${r.value}`).sort();
}

for (const dialect of TEST_DIALECTS)
  describe(`branching logic during an import on ${dialect}`, () => {
    let t: TestDatabase;
    let study: TestStudy;
    beforeAll(async () => {
      t = await createTestDatabase(dialect);
      study = await createTestStudy(t.db, 2, withBranching());
    });
    afterAll(() => t.drop());
    const [s1, s2] = ['NJDT-001', 'ZJJU-001'];
    const header = 'subject,visit,form,item,value,unit';

    // The test study holds status "completed" at M12 for both subjects.
    it('CSV: the dry run and the import list a hidden value at its row; the rest is imported with --skip-invalid', async () => {
      const before = await endOfStudy(t);
      expect(before).toContain(`${s1} status=completed`);
      const csv = [
        header,
        `${s1},M12,end-of-study,death_cause,sepsis,`,
        `${s2},M12,end-of-study,death_cause,sepsis,`,
        `${s2},M12,end-of-study,status,died,`,
      ].join('\n');
      const dry = await importCsv(t.db, study.studyId, source(csv), {
        format: 'long',
        actor: study.actor,
        dryRun: true,
      });
      expect(dry.invalidRows).toBe(1);
      expect(dry.problems).toEqual([
        {
          row: 2,
          column: 'value',
          rule: 'item-hidden',
          message: expect.stringContaining(
            '(end-of-study.death_cause) is asked only when status is "died": it takes no value while that does not hold',
          ),
        },
      ]);
      expect(dry.written).toBe(false);

      const refused = await importCsv(t.db, study.studyId, source(csv), {
        format: 'long',
        actor: study.actor,
      });
      expect(refused.written).toBe(false);
      expect(refused.problems.map((p) => [p.row, p.rule])).toEqual([[2, 'item-hidden']]);
      expect(await endOfStudy(t)).toEqual(before);

      const kept = await importCsv(t.db, study.studyId, source(csv), {
        format: 'long',
        actor: study.actor,
        skipInvalid: true,
      });
      expect(kept.written).toBe(true);
      expect(kept.problems.map((p) => [p.row, p.rule])).toEqual([[2, 'item-hidden']]);
      const after = await endOfStudy(t);
      expect(after).toContain(`${s1} status=completed`);
      expect(after).not.toContain(`${s1} death_cause=sepsis`);
      expect(after).toContain(`${s2} status=died`);
      expect(after).toContain(`${s2} death_cause=sepsis`);
    });

    it('CSV: a value that would hide a held one is refused at its row ("clear it first")', async () => {
      const csv = [header, `${s2},M12,end-of-study,status,completed,`].join('\n');
      const dry = await importCsv(t.db, study.studyId, source(csv), {
        format: 'long',
        actor: study.actor,
        dryRun: true,
        reason: 'status corrected',
      });
      expect(dry.problems).toEqual([
        {
          row: 2,
          column: 'value',
          rule: 'item-hidden',
          message: expect.stringContaining('it holds a value that would be hidden; clear it first'),
        },
      ]);
    });

    it('ODM: a hidden value is listed at its ItemData, not a whole-import refusal', async () => {
      // The file comes from a study without the branching logic, where the cause was entered with
      // status "completed".
      const other = await createTestDatabase(dialect);
      const target = await createTestDatabase(dialect);
      const dir = mkdtempSync(join(tmpdir(), 'msct-odm-hidden-'));
      try {
        const from = await createTestStudy(other.db, 1);
        await importCsv(
          other.db,
          from.studyId,
          source(
            [
              header,
              `${s1},M12,end-of-study,status,completed,`,
              `${s1},M12,end-of-study,death_cause,sepsis,`,
            ].join('\n'),
          ),
          { format: 'long', actor: from.actor },
        );
        const file = join(dir, 'other.xml');
        await exportToFile(other, from.studyId, file);
        const xml = readFileSync(file, 'utf8');
        const to = await createEmptyStudy(target.db, withBranching());
        const r = await importOdm(target.db, to.studyId, xml, { actor: to.actor, dryRun: true });
        const hidden = r.problems.filter((p) => p.rule === 'item-hidden');
        expect(hidden).toHaveLength(1);
        expect(hidden[0]!.column).toBe('M12/end-of-study.death_cause');
        expect(hidden[0]!.message).toContain('is asked only when status is "died"');
        expect(r.problems.filter((p) => p.rule !== 'item-hidden')).toEqual([]);
      } finally {
        await Promise.all([other.drop(), target.drop()]);
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
