import { PassThrough, Readable } from 'node:stream';
import { msctSleTrial, type StudyDefinition } from '@msct/core/protocol';
import { saveItems } from '@msct/store';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '@msct/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CsvExportOptions } from './csv-export.js';
import { csvDictionary, csvDictionaryText, exportCsv, wideMappingFromDictionary } from './csv-export.js';
import { importCsv } from './csv-import.js';
import { readCsv } from './csv-reader.js';
import { loadMetadata } from './study-metadata.js';
import { createTestStudy, databaseFingerprint, type TestStudy } from './testing/test-study.js';

async function exported(t: TestDatabase, studyId: string, opts: CsvExportOptions) {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const report = await exportCsv(t.db, studyId, out, opts);
  out.end();
  const text = Buffer.concat(chunks).toString('utf8');
  const dictionary = csvDictionaryText(csvDictionary(await loadMetadata(t.db, studyId), opts), opts);
  return { report, text, dictionary };
}

async function records(text: string) {
  const out: string[][] = [];
  for await (const r of readCsv(Readable.from([Buffer.from(text)]))) out.push(r.fields);
  return out;
}

const source = (text: string) => () => Readable.from([Buffer.from(text, 'utf8')]);

for (const dialect of TEST_DIALECTS)
  describe(`CSV export on ${dialect}`, () => {
    let t: TestDatabase;
    let study: TestStudy;
    let storedValues: number;
    beforeAll(async () => {
      t = await createTestDatabase(dialect);
      study = await createTestStudy(t.db, 3);
      const n = await t.db.kysely
        .selectFrom('item_values')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      storedValues = Number(n.n);
    });
    afterAll(() => t.drop());

    it('a wide CSV with its dictionary re-imports through the wide import unchanged', async () => {
      const { report, text, dictionary } = await exported(t, study.studyId, { layout: 'wide' });
      expect(report.subjects).toBe(3);
      expect(report.values).toBe(storedValues);
      expect(report.skippedValues).toBe(0);
      // One row per subject-visit that holds values (SCR, D0, M3, … per subject).
      const rows = await records(text);
      expect(rows[0]!.slice(0, 5)).toEqual(['subject', 'site', 'visit', 'cycle', 'visit_date']);
      expect(rows.length - 1).toBe(report.rows);
      // The dictionary describes every column of the file, in its order.
      const dict = await records(dictionary);
      expect(dict.slice(1).map((d) => d[0])).toEqual(rows[0]);
      const creat = dict.find((d) => d[0] === 'labs.creatinine')!;
      expect(creat.slice(1, 6)).toEqual([
        'labs',
        'creatinine',
        expect.any(String),
        'decimal',
        expect.any(String),
      ]);

      const mapping = await wideMappingFromDictionary(dictionary);
      expect(mapping.columns['labs.creatinine']).toBe('labs.creatinine');
      const before = await databaseFingerprint(t.db);
      const back = await importCsv(t.db, study.studyId, source(text), {
        format: 'wide',
        mapping,
        actor: study.actor,
      });
      expect(back.problems).toEqual([]);
      expect(back.invalidRows).toBe(0);
      expect(back.rows).toBe(report.rows);
      expect(back.values).toBe(storedValues);
      expect({ entered: back.entered, changed: back.changed, unchanged: back.unchanged }).toEqual({
        entered: 0,
        changed: 0,
        unchanged: storedValues,
      });
      expect(await databaseFingerprint(t.db)).toBe(before);
      // And exported again, the same bytes.
      expect((await exported(t, study.studyId, { layout: 'wide' })).text).toBe(text);
    });

    it('a changed cell of the wide file changes exactly that value (the round trip can fail)', async () => {
      const { text, dictionary } = await exported(t, study.studyId, { layout: 'wide', formCodes: ['labs'] });
      const rows = await records(text);
      const at = rows[0]!.indexOf('labs.creatinine');
      const row = rows.findIndex((r, i) => i > 0 && r[at] === '88');
      rows[row]![at] = '89';
      const edited = `${rows.map((r) => r.join(',')).join('\r\n')}\r\n`;
      const back = await importCsv(t.db, study.studyId, source(edited), {
        format: 'wide',
        mapping: await wideMappingFromDictionary(dictionary),
        actor: study.actor,
        reason: 'corrected',
      });
      expect(back.problems).toEqual([]);
      expect(back.changed).toBe(1);
      expect(back.entered).toBe(0);
    });

    it('the long file re-imports through the long import unchanged', async () => {
      const { report, text } = await exported(t, study.studyId, { layout: 'long' });
      expect(report.values).toBe(storedValues);
      const before = await databaseFingerprint(t.db);
      const back = await importCsv(t.db, study.studyId, source(text), { format: 'long', actor: study.actor });
      expect(back.problems).toEqual([]);
      expect(back.unchanged).toBe(storedValues);
      expect(back.entered + back.changed).toBe(0);
      expect(await databaseFingerprint(t.db)).toBe(before);
    });

    it('filters by site, form and visit', async () => {
      const sites = await t.db.kysely
        .selectFrom('sites')
        .select(['id', 'code'])
        .where('study_id', '=', study.studyId)
        .orderBy('code')
        .execute();
      const { report, text } = await exported(t, study.studyId, {
        layout: 'long',
        siteIds: [sites[0]!.id],
        formCodes: ['labs'],
        visitCodes: ['M3'],
      });
      const rows = (await records(text)).slice(1);
      expect(rows.length).toBeGreaterThan(0);
      expect(report.values).toBe(rows.length);
      expect(new Set(rows.map((r) => `${r[1]} ${r[2]} ${r[5]}`))).toEqual(
        new Set([`${sites[0]!.code} M3 labs`]),
      );
      // Subjects of the one site only (2 of 3 subjects: sites alternate).
      expect(report.subjects).toBe(2);
    });

    it('pseudonymised: pseudonyms, study days, no free text, no calendar date; and its dictionary refuses import', async () => {
      const { text, dictionary } = await exported(t, study.studyId, { layout: 'wide', pseudonymise: true });
      const rows = await records(text);
      expect(rows[0]).toContain('study_day');
      expect(rows[0]).not.toContain('visit_date');
      expect(rows[0]).not.toContain('demographics.manifestations');
      expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}/);
      expect(text).not.toContain('Dr Smith');
      for (const code of study.subjectCodes) expect(text).not.toContain(code);
      const day = rows[0]!.indexOf('study_day');
      const visit = rows[0]!.indexOf('visit');
      expect(rows.find((r) => r[visit] === 'M3')![day]).toBe('91');
      await expect(wideMappingFromDictionary(dictionary)).rejects.toThrow(
        /pseudonymised export cannot be imported/,
      );
    });
    it('blinded: the arm-revealing forms and items left out, counted, and the dictionary says so (issue 24)', async () => {
      const blind = { forms: new Set(['labs']), items: new Set(['bilag/renal']) };
      for (const layout of ['long', 'wide'] as const) {
        const open = await exported(t, study.studyId, { layout });
        const { report, text, dictionary } = await exported(t, study.studyId, { layout, blind });
        // The unblinded file holds them (the check can fail).
        expect(open.text).toMatch(/labs[.,]creatinine/);
        expect(open.text).toMatch(/bilag[.,]renal/);
        expect(open.dictionary).not.toContain('Blinded export');
        expect(text).not.toMatch(/labs[.,]/);
        expect(text).not.toMatch(/bilag[.,]renal/);
        // The rest is there: another BILAG domain, the other forms.
        expect(text).toMatch(/bilag[.,]general/);
        expect(text).toMatch(/medication[.,]prednisone_mg_day/);
        const labsAndRenal = await t.db.kysely
          .selectFrom('item_values as iv')
          .innerJoin('form_instances as fi', 'fi.id', 'iv.form_instance_id')
          .select((eb) => eb.fn.countAll().as('n'))
          .where((eb) =>
            eb.or([
              eb('fi.form_code', '=', 'labs'),
              eb.and([eb('fi.form_code', '=', 'bilag'), eb('iv.item_code', '=', 'renal')]),
            ]),
          )
          .executeTakeFirstOrThrow();
        expect(report.blindedValues).toBe(Number(labsAndRenal.n));
        expect(report.values + report.blindedValues).toBe(open.report.values);
        const dict = await records(dictionary);
        expect(dict.at(-1)).toEqual([
          '',
          '',
          '',
          'Blinded export: no treatment arm; the forms labs, 1 item(s) of other forms left out as revealing the arm (study definition, randomisation.armRevealing)',
          'note',
          '',
          '',
        ]);
        expect(dict.some((d) => d[1] === 'labs' || d[0] === 'bilag.renal')).toBe(false);
        if (layout === 'wide') {
          // The columns are the dictionary's column rows; the note row is not a column and not mapped.
          const header = (await records(text))[0]!;
          expect(dict.slice(1, -1).map((d) => d[0])).toEqual(header);
          const mapping = await wideMappingFromDictionary(dictionary);
          expect(Object.values(mapping.columns)).not.toContain('bilag.renal');
          expect(mapping.columns['bilag.general']).toBe('bilag.general');
        }
      }
    });
  });

for (const dialect of TEST_DIALECTS)
  describe(`CSV export of a repeating form on ${dialect}`, () => {
    let a: TestDatabase;
    let study: TestStudy;
    const withConmed = (): StudyDefinition => {
      const d: StudyDefinition = JSON.parse(JSON.stringify(msctSleTrial));
      d.forms.push({
        id: 'conmed',
        title: 'Concomitant medication',
        visitCodes: ['M3'],
        repeating: true,
        items: [{ code: 'drug', label: 'Drug', type: 'text' }],
      });
      return d;
    };
    beforeAll(async () => {
      a = await createTestDatabase(dialect);
      study = await createTestStudy(a.db, 1, withConmed());
      const m3 = await a.db.kysely
        .selectFrom('visits')
        .select('id')
        .where('visit_code', '=', 'M3')
        .executeTakeFirstOrThrow();
      for (const [record, drug] of [
        [1, 'Hydroxychloroquine'],
        [2, 'Prednisone'],
      ] as const)
        await saveItems(a.db, study.actor, {
          visitId: m3.id,
          formCode: 'conmed',
          record,
          items: [{ itemCode: 'drug', value: drug }],
        });
    });
    afterAll(() => a.drop());

    it('long: a record column, one row per value of each record; it re-imports record by record', async () => {
      const { text, dictionary } = await exported(a, study.studyId, { layout: 'long' });
      const rows = await records(text);
      expect(rows[0]).toEqual([
        'subject',
        'site',
        'visit',
        'cycle',
        'visit_date',
        'form',
        'record',
        'item',
        'value',
        'unit',
      ]);
      expect((await records(dictionary)).slice(1).map((d) => d[0])).toEqual(rows[0]);
      expect(rows.filter((r) => r[5] === 'conmed').map((r) => [r[6], r[8]])).toEqual([
        ['1', 'Hydroxychloroquine'],
        ['2', 'Prednisone'],
      ]);
      expect(rows.filter((r) => r[5] === 'labs').every((r) => r[6] === '1')).toBe(true);
      // Read back into the same study: every value is found in its own record, unchanged …
      const before = await databaseFingerprint(a.db);
      const back = await importCsv(a.db, study.studyId, source(text), { format: 'long', actor: study.actor });
      expect(back.problems).toEqual([]);
      expect(back.entered + back.changed).toBe(0);
      expect(await databaseFingerprint(a.db)).toBe(before);
      // … and a changed value of record 2 changes record 2 only; a third record is opened.
      const second = rows.find((r) => r[5] === 'conmed' && r[6] === '2')!;
      const third = [...second.slice(0, 6), '3', 'drug', 'Belimumab', ''].join(',');
      const edited = `${text.replace('Prednisone', 'Prednisolone')}${third}\r\n`;
      const changed = await importCsv(a.db, study.studyId, source(edited), {
        format: 'long',
        actor: study.actor,
      });
      expect(changed.problems).toEqual([]);
      expect([changed.entered, changed.changed]).toEqual([1, 1]);
      const stored = await a.db.kysely
        .selectFrom('item_values')
        .innerJoin('form_instances', 'form_instances.id', 'item_values.form_instance_id')
        .select(['form_instances.record', 'item_values.value'])
        .where('form_instances.form_code', '=', 'conmed')
        .orderBy('form_instances.record')
        .execute();
      expect(stored.map((r) => [Number(r.record), r.value])).toEqual([
        [1, 'Hydroxychloroquine'],
        [2, 'Prednisolone'],
        [3, 'Belimumab'],
      ]);
    });

    it('wide: refused with the repeating form named, unless the forms filter leaves it out', async () => {
      await expect(exported(a, study.studyId, { layout: 'wide' })).rejects.toThrow(
        'a wide CSV has one cell per item and visit, but form conmed is repeating (several records per visit): export the long layout, which has a record column, or leave it out with the forms filter',
      );
      const { report } = await exported(a, study.studyId, { layout: 'wide', formCodes: ['labs'] });
      expect(report.values).toBeGreaterThan(0);
    });
  });
