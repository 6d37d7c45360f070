// The admin imports a site's CSV in the browser: the check lists each bad row with its column and
// rule and writes nothing; the corrected file checks clean and is imported; the value is then on the
// patient's visit, entered by the admin.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { msctSleTrial } from '@msct/core/protocol';
import { createSubject } from '@msct/store';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { type E2e, loginAs, screenshot, startE2e, stopE2e, waitForText } from './support.js';

describe('CSV import in the browser', () => {
  let e: E2e;
  let code = '';
  beforeAll(async () => {
    e = await startE2e({ definition: msctSleTrial });
    const s = await createSubject(
      e.server.db,
      { id: null, name: 'test' },
      {
        studyId: e.trial.studyId,
        siteId: e.trial.siteA,
      },
    );
    code = s.subject_code;
  });
  afterAll(() => stopE2e(e));

  it('checks a file, shows its problems, then imports the corrected file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'msct-e2e-import-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const bad = join(dir, 'site-export.csv');
    const good = join(dir, 'site-export-corrected.csv');
    writeFileSync(
      bad,
      `subject,visit,form,item,value,unit\n${code},M1,labs,c3,0.8,\n${code},M1,labs,c3,9,g/L\n`,
    );
    writeFileSync(good, `subject,visit,form,item,value,unit\n${code},M1,labs,c3,0.8,g/L\n`);

    const page = await loginAs(e, 'admin');
    await page.getByRole('link', { name: 'Admin' }).click();
    const form = page.getByRole('form', { name: 'Import data' });
    await form.getByLabel('File', { exact: true }).setInputFiles(bad);
    await form.getByRole('button', { name: 'Check file' }).click();
    const problems = form.getByRole('table', { name: 'Problems in the file' });
    await problems.waitFor();
    await waitForText(form.getByRole('alert'), '2 of 2 rows are invalid; nothing was written');
    const cells = await problems
      .locator('tbody tr')
      .evaluateAll((rows) =>
        rows.map((r) => [...r.querySelectorAll('td')].slice(0, 3).map((td) => td.textContent)),
      );
    expect(cells).toEqual([
      ['2', 'unit', 'unit-missing'],
      ['3', 'value', 'value-out-of-range'],
    ]);
    expect(await form.getByRole('button', { name: 'Import checked file' }).isDisabled()).toBe(true);
    await screenshot(page, 'import-problems');

    await form.getByLabel('File', { exact: true }).setInputFiles(good);
    await form.getByRole('button', { name: 'Check file' }).click();
    await waitForText(form.getByRole('status'), 'The file checked clean: 1 rows, 1 values');
    await form.getByRole('button', { name: 'Import checked file' }).click();
    await waitForText(form.getByRole('status'), 'Imported: 1 values entered');

    const row = await e.server.db.kysely
      .selectFrom('item_values')
      .innerJoin('users', 'users.id', 'item_values.updated_by')
      .select(['item_values.value', 'item_values.unit', 'users.username'])
      .where('item_values.item_code', '=', 'c3')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ value: '0.8', unit: 'g/L', username: 'admin' });

    // Another system's ODM file, mapped by OID: checked clean, then imported.
    const odm = join(dir, 'other-edc.odm.xml');
    writeFileSync(
      odm,
      `<?xml version="1.0"?>
<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" ODMVersion="1.3.2" FileType="Snapshot" FileOID="x" CreationDateTime="2024-01-01T00:00:00">
  <ClinicalData StudyOID="OTHER" MetaDataVersionOID="v1">
    <SubjectData SubjectKey="${code}"><StudyEventData StudyEventOID="EV3"><FormData FormOID="B"><ItemGroupData ItemGroupOID="G">
      <ItemData ItemOID="REN" Value="C"/>
    </ItemGroupData></FormData></StudyEventData></SubjectData>
  </ClinicalData>
</ODM>`,
    );
    await form.getByLabel('Layout of the file').selectOption('odm');
    await form.getByLabel(/^OID map/).fill(JSON.stringify({ EV3: 'M3', REN: 'bilag.renal' }));
    await form.getByLabel('File', { exact: true }).setInputFiles(odm);
    await form.getByRole('button', { name: 'Check file' }).click();
    await waitForText(form.getByRole('status'), 'The file checked clean');
    await form.getByRole('button', { name: 'Import checked file' }).click();
    await waitForText(form.getByRole('status'), 'Imported: 1 values entered');

    // The same file with an item nobody mapped, and the CLI's mapping format (issue #23): skipped
    // and listed with its row and path, the rest checked clean.
    const unmapped = join(dir, 'other-edc-unmapped.odm.xml');
    writeFileSync(
      unmapped,
      readFileSync(odm, 'utf8').replace(
        '<ItemData ItemOID="REN" Value="C"/>',
        '<ItemData ItemOID="REN" Value="C"/><ItemData ItemOID="NOTE" Value="x"/>',
      ),
    );
    await form
      .getByLabel(/^OID map/)
      .fill(JSON.stringify({ visits: { EV3: 'M3' }, columns: { REN: 'bilag.renal' } }));
    await form.getByLabel('Skip the items the mapping does not map (each listed)').check();
    await form.getByLabel('File', { exact: true }).setInputFiles(unmapped);
    await form.getByRole('button', { name: 'Check file' }).click();
    await waitForText(
      form.getByRole('table', { name: 'Items skipped (not in the mapping)' }),
      'ItemOID NOTE is not in the mapping',
    );
    await waitForText(form.getByRole('status'), 'The file checked clean: 2 rows, 1 values');
  });
});
