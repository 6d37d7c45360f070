// A protocol amendment in the browser (issue #20): the admin uploads a definition that narrows the
// C3 range while a stored C3 lies outside it — the report lists that value — applies it with a
// reason, and version 2 is listed with the reason; an invalid definition file shows its problem list
// (the same lines as `msct study validate`) and stores nothing.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { msctSleTrial, type StudyDefinition } from '@msct/core/protocol';
import { createSubject, createVisit, listDefinitionVersions, saveItems } from '@msct/store';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { type E2e, loginAs, screenshot, startE2e, stopE2e, waitForText } from './support.js';

function narrowedC3(): StudyDefinition {
  const d: StudyDefinition = JSON.parse(JSON.stringify(msctSleTrial));
  const labs = d.forms.find((f) => f.id === 'labs')!;
  labs.items = labs.items!.map((i) => (i.code === 'c3' ? { ...i, max: 3 } : i));
  return d;
}

describe('protocol amendment in the browser', () => {
  let e: E2e;
  let subjectCode = '';
  beforeAll(async () => {
    e = await startE2e({ definition: msctSleTrial });
    const coord = { id: e.trial.users.coordinator!.id, name: 'coordinator' };
    const s = await createSubject(e.server.db, coord, { studyId: e.trial.studyId, siteId: e.trial.siteA });
    subjectCode = s.subject_code;
    const m3 = await createVisit(e.server.db, coord, {
      subjectId: s.id,
      visitCode: 'M3',
      visitDate: '2024-04-10',
    });
    await saveItems(e.server.db, coord, {
      visitId: m3.id,
      formCode: 'labs',
      items: [{ itemCode: 'c3', value: '4.5', unit: 'g/L' }],
    });
  });
  afterAll(() => stopE2e(e));

  it('shows the problems of an invalid file; reports, then applies, a narrowing amendment as version 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'msct-e2e-amend-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const badDefinition = narrowedC3() as unknown as { forms: { items?: { codeList?: string }[] }[] };
    badDefinition.forms[4]!.items![7]!.codeList = 'yn2';
    const bad = join(dir, 'amendment-typo.json');
    writeFileSync(bad, JSON.stringify(badDefinition));
    const good = join(dir, 'amendment-1.json');
    writeFileSync(good, JSON.stringify(narrowedC3(), null, 2));

    const page = await loginAs(e, 'admin');
    await page.getByRole('link', { name: 'Admin' }).click();
    const form = page.getByRole('form', { name: 'Amend the study definition' });
    const versions = form.getByRole('table', { name: 'Definition versions' });
    await waitForText(versions, '1 (current)');

    // An invalid definition: its problem list, nothing stored.
    await form.getByLabel('New definition (JSON file)').setInputFiles(bad);
    await form.getByRole('button', { name: 'Check amendment' }).click();
    const problems = form.getByRole('region', { name: 'Problems in the definition' });
    await waitForText(problems, 'The definition has 1 problem; nothing was stored.');
    expect(await problems.locator('li').allTextContents()).toEqual([
      'forms[4].items[7].codeList: unknown code list "yn2" (bilag-classic-grade, end-of-study-status, lab_significance)',
    ]);
    expect(await form.getByRole('button', { name: 'Apply amendment' }).count()).toBe(0);
    await screenshot(page, 'amendment-problems');

    // The narrowing amendment: the report lists the stored C3 of 4.5 g/L.
    await form.getByLabel('New definition (JSON file)').setInputFiles(good);
    await form.getByRole('button', { name: 'Check amendment' }).click();
    const report = form.getByRole('region', { name: 'Amendment report' });
    await waitForText(report, 'definition version 1 → 2');
    expect(await report.getByRole('list', { name: 'Narrowed' }).locator('li').allTextContents()).toEqual([
      'item labs.c3: range 0–5 → 0–3 g/L',
    ]);
    const invalid = await report
      .getByRole('table', { name: 'Stored values that become invalid' })
      .locator('tbody tr')
      .evaluateAll((rows) =>
        rows.map((r) => [...r.querySelectorAll('td')].slice(0, 6).map((td) => td.textContent)),
      );
    expect(invalid).toEqual([[subjectCode, 'M3', 'labs', 'c3', '4.5 g/L', 'value-out-of-range']]);
    const apply = form.getByRole('button', { name: 'Apply amendment' });
    expect(await apply.isDisabled()).toBe(true);
    await screenshot(page, 'amendment-report');

    await form
      .getByLabel('Reason for the amendment (audit trail)')
      .fill('Amendment 1: C3 assay upper limit 3 g/L');
    await apply.click();
    await waitForText(form.getByRole('status'), 'Definition version 2 stored (was version 1)');
    await waitForText(versions, '2 (current)');
    const rows = await versions
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows.map((r) => [r[0], r[2], r[3]])).toEqual([
      ['1', 'test', '—'],
      ['2 (current)', 'admin', 'Amendment 1: C3 assay upper limit 3 g/L'],
    ]);
    await screenshot(page, 'amendment-applied');

    const stored = await listDefinitionVersions(e.server.db, e.trial.studyId);
    expect(stored.map((v) => [v.version, v.createdByName, v.reason])).toEqual([
      [1, 'test', null],
      [2, 'admin', 'Amendment 1: C3 assay upper limit 3 g/L'],
    ]);
    // The stored value is kept as entered.
    const c3 = await e.server.db.kysely
      .selectFrom('item_values')
      .select(['value', 'definition_version'])
      .where('item_code', '=', 'c3')
      .executeTakeFirstOrThrow();
    expect([c3.value, Number(c3.definition_version)]).toEqual(['4.5', 1]);
  });
});
