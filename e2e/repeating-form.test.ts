// Repeating forms (issues #20, #23), in Chromium against the real server: a study whose definition
// has a repeating concomitant-medication form at M3. The coordinator enters record 1, adds record 2
// ("Add a record"), sees both panels (Record 1, Record 2), changes record 2 with a reason (its item
// history shows the change and the reason; record 1 is untouched), and the subject's audit trail
// names the second record.
import { msctSleTrial, type StudyDefinition } from '@msct/core/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, type E2e, loginAs, screenshot, startE2e, stopE2e, waitForText } from './support.js';

function withConmed(): StudyDefinition {
  const d: StudyDefinition = JSON.parse(JSON.stringify(msctSleTrial));
  d.forms.push({
    id: 'conmed',
    title: 'Concomitant medication',
    visitCodes: ['M3'],
    repeating: true,
    items: [{ code: 'drug', label: 'Drug', type: 'text' }],
  });
  return d;
}

describe('a repeating form: several records at one visit', () => {
  let e: E2e;
  let visitId: string;
  let subjectId: string;
  beforeAll(async () => {
    e = await startE2e({ definition: withConmed() });
    const api = await apiAs(e, 'coordinator');
    const s = await api.post<{ id: string }>(`/api/studies/${e.trial.studyId}/subjects`, {
      siteId: e.trial.siteA,
      sex: 'female',
      birthDate: '1990-01-01',
    });
    expect(s.status).toBe(201);
    subjectId = s.body.id;
    const v = await api.post<{ id: string }>(`/api/subjects/${subjectId}/visits`, {
      visitCode: 'M3',
      visitDate: '2026-04-10',
    });
    expect(v.status).toBe(201);
    visitId = v.body.id;
  });
  afterAll(() => stopE2e(e));

  it('enters two records, shows both, edits one with a reason', async () => {
    const page = await loginAs(e, 'coordinator');
    await page.goto(`/visits/${visitId}`);
    await page.getByText('Enter Concomitant medication').click();
    const first = page.getByRole('region', { name: 'New Concomitant medication' });
    await first.getByLabel('Drug', { exact: true }).fill('Hydroxychloroquine');
    await first.getByRole('button', { name: 'Save Concomitant medication' }).click();
    await page.getByRole('region', { name: 'Form Concomitant medication record 1' }).waitFor();

    await page.getByText('Add a record to Concomitant medication (record 2)').click();
    const second = page.getByRole('region', { name: 'New Concomitant medication record 2' });
    await second.getByLabel('Drug', { exact: true }).fill('Prednisone');
    await second.getByRole('button', { name: 'Save Concomitant medication' }).click();
    const record2 = page.getByRole('region', { name: 'Form Concomitant medication record 2' });
    await record2.waitFor();
    const record1 = page.getByRole('region', { name: 'Form Concomitant medication record 1' });
    await waitForText(record1, 'Record 1');
    await waitForText(record2, 'Record 2');
    expect(await record1.getByLabel('Drug', { exact: true }).inputValue()).toBe('Hydroxychloroquine');
    expect(await record2.getByLabel('Drug', { exact: true }).inputValue()).toBe('Prednisone');
    // The next record is offered.
    await page.getByText('Add a record to Concomitant medication (record 3)').waitFor();
    await screenshot(page, 'repeating-01-two-records');

    // A change of record 2 needs a reason; record 1 keeps its value.
    await record2.getByLabel('Drug', { exact: true }).fill('Prednisolone');
    await record2.getByLabel(/reason/i).fill('transcription error');
    await record2.getByRole('button', { name: 'Save Concomitant medication' }).click();
    await page.getByRole('button', { name: 'Save Concomitant medication', disabled: true }).first().waitFor();
    await page.reload();
    const saved2 = page.getByRole('region', { name: 'Form Concomitant medication record 2' });
    await saved2.waitFor();
    expect(await saved2.getByLabel('Drug', { exact: true }).inputValue()).toBe('Prednisolone');
    expect(
      await page
        .getByRole('region', { name: 'Form Concomitant medication record 1' })
        .getByLabel('Drug', { exact: true })
        .inputValue(),
    ).toBe('Hydroxychloroquine');
    await saved2.getByText('Items, history and queries').click();
    await saved2.getByRole('button', { name: 'History of Drug' }).click();
    const history = saved2.getByRole('table', { name: 'History of Drug' });
    await waitForText(history, 'Prednisolone');
    await waitForText(history, 'transcription error');
    await screenshot(page, 'repeating-02-record-2-changed');

    // The audit trail names the record each form creation opened.
    const api = await apiAs(e, 'coordinator');
    const audit = await api.get<{ action: string; newValue: string | null }[]>(
      `/api/subjects/${subjectId}/audit?entityType=form`,
    );
    expect(audit.status).toBe(200);
    expect(audit.body.filter((x) => x.action === 'form.create').map((x) => x.newValue)).toEqual([
      'conmed',
      'conmed record 2',
    ]);
  });
});
