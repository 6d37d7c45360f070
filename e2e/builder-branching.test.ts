import { msctSleTrial } from '@msct/core/protocol';
import { getDefinitionVersion, listDefinitionVersions } from '@msct/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type E2e,
  loginForAxe,
  screenshot,
  seriousAxeViolations,
  startE2e,
  stopE2e,
  waitForText,
} from './support.js';

const definition = {
  id: 'LN-FOLLOW',
  title: 'Follow-on study',
  version: '1.0',
  source: 'builder-branching e2e',
  centres: [{ id: 'C1', name: 'Centre one', city: 'Nanjing', country: 'CN' }],
  visits: [
    { code: 'BL', label: 'Baseline', kind: 'baseline', targetDay: 0, windowDays: 0, repeatsInCycles: true },
    { code: 'W4', label: 'Week 4', kind: 'assessment', targetDay: 28, windowDays: 3, repeatsInCycles: true },
  ],
  infusion: { ...msctSleTrial.infusion, infusionVisitCodes: ['BL'], maxCycles: 1 },
  codeLists: [
    {
      id: 'eos-status',
      codes: [
        { code: 'completed', label: 'Completed' },
        { code: 'died', label: 'Died' },
      ],
    },
  ],
  forms: [
    {
      id: 'eos',
      title: 'End of study',
      visitCodes: ['W4'],
      items: [
        { code: 'status', label: 'Status', type: 'code', codeList: 'eos-status' },
        { code: 'death_cause', label: 'Cause of death', type: 'text' },
      ],
    },
  ],
  eligibility: [],
  endpointRuleSetId: msctSleTrial.endpointRuleSetId,
  retreatment: { afterStudyDay: 196, flagOnRelapse: true, sledaiRise: 3, consecutiveAssessments: 2 },
  bilagVersion: 'classic',
  sledaiWindowDays: 10,
};

describe('form builder: missing-data codes and branching logic', () => {
  let e: E2e;
  beforeAll(async () => {
    e = await startE2e({ definition });
  });
  afterAll(() => stopE2e(e));

  it('edits them, shows a problem at its control, previews, and saves version 2', async () => {
    const page = await loginForAxe(e, 'admin');
    await page.goto(`/studies/${e.trial.studyId}/builder`);
    await page.getByRole('heading', { name: /^Form builder/ }).waitFor();

    const cause = page.locator('fieldset.builder-item[data-item="death_cause"]');
    await cause.getByLabel('not known (NK)').check();
    await cause.getByLabel('Ask death_cause only when item').selectOption('status');
    await cause.getByLabel(/has the value .* to ask death_cause/).fill('died');

    // The preview asks the cause only once Died is chosen.
    const preview = page.getByRole('region', { name: 'Preview' });
    expect(await preview.getByLabel('Cause of death', { exact: true }).count()).toBe(0);
    await preview.getByLabel('Status', { exact: true }).selectOption('died');
    await preview.getByLabel('Cause of death', { exact: true }).waitFor();
    expect(await preview.getByLabel('Missing-data code of Cause of death').count()).toBe(1);

    // A condition naming an item the form does not have is a problem at the branching control.
    const status = page.locator('fieldset.builder-item[data-item="status"]');
    await status.getByLabel('Item code').fill('state');
    const when = cause.getByLabel('Ask death_cause only when item');
    await waitForText(
      page.locator(`[id="${await when.getAttribute('aria-describedby')}"]`),
      'unknown item "status"',
    );
    expect(await when.getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByRole('button', { name: 'Check changes' }).isDisabled()).toBe(true);
    await screenshot(page, 'builder-branching-01-problem');
    await page.locator('fieldset.builder-item[data-item="state"]').getByLabel('Item code').fill('status');
    await cause.locator('[aria-invalid="true"]').first().waitFor({ state: 'detached' });
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Check changes' }).click();
    const report = page.getByRole('region', { name: 'Amendment report' });
    await waitForText(report, 'definition version 1 → 2');
    await page.getByLabel('Reason for the amendment (audit trail)').fill('Cause of death only for deaths');
    await page.getByRole('button', { name: 'Save as version 2' }).click();
    await waitForText(page.getByRole('status').first(), 'Definition version 2 stored (was version 1)');
    await screenshot(page, 'builder-branching-02-saved');

    const stored = await listDefinitionVersions(e.server.db, e.trial.studyId);
    expect(stored.map((v) => [v.version, v.reason])).toEqual([
      [1, null],
      [2, 'Cause of death only for deaths'],
    ]);
    const saved = JSON.parse(
      await getDefinitionVersion(e.server.db, e.trial.studyId, 2),
    ) as typeof definition;
    expect(saved.forms[0]!.items.find((i) => i.code === 'death_cause')).toEqual({
      code: 'death_cause',
      label: 'Cause of death',
      type: 'text',
      missingCodes: ['NK'],
      showIf: { op: 'is', item: 'status', value: 'died' },
    });
  });
});
