import { randomisedLnTrial } from '@msct/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiAs,
  type E2e,
  loginAs,
  loginForAxe,
  screenshot,
  seriousAxeViolations,
  startE2e,
  stopE2e,
  subjectWithVisit,
  waitForText,
} from './support.js';

/** The randomised trial with a screening form built from two eligibility criteria. */
const definition = {
  ...randomisedLnTrial,
  forms: [
    { id: 'eligibility', title: 'Eligibility and screening', visitCodes: ['SCR'] },
    ...randomisedLnTrial.forms!,
  ],
  eligibility: [
    {
      id: 'inc-acr-sle',
      label: 'Meets the ACR classification criteria for SLE',
      kind: 'inclusion' as const,
      condition: { op: 'is' as const, item: 'acr_sle_classification', value: true },
      source: 'trial.md Population, registry NCT01741857 inclusion 1',
    },
    {
      id: 'inc-age',
      label: 'Age 15–60 years',
      kind: 'inclusion' as const,
      condition: { op: 'between' as const, item: 'age_years', min: 15, max: 60, unit: 'years' },
      source: 'trial.md Population, registry NCT01741857 inclusion 1',
    },
  ],
};
const LABELS = randomisedLnTrial.arms!.map((a) => a.label);

describe('randomisation and blinding in the browser (issue 24)', () => {
  let e: E2e;
  let subjectId: string;
  let subjectCode: string;
  let armLabel: string;
  beforeAll(async () => {
    e = await startE2e({ definition });
    const set = await subjectWithVisit(e, {
      visitCode: 'SCR',
      visitDate: '2026-11-20',
      birthDate: '1988-04-02',
    });
    ({ subjectId, subjectCode } = set);
    // The stratification factor (LN class on the renal screening form), entered as data.
    const f = await set.api.put(`/api/visits/${set.visitId}/forms/renal-screening`, {
      items: [{ itemCode: 'ln_class', value: 'IV' }],
    });
    expect(f.status).toBe(200);
  });
  afterAll(() => stopE2e(e));

  it('a site coordinator confirms eligibility, enrols and randomises in the UI, and sees the arm', async () => {
    const page = await loginAs(e, 'coordinator');
    await page.goto(`/subjects/${subjectId}`);
    const panel = page.getByRole('region', { name: 'Randomisation' });
    await panel.getByText('Randomisation opens once eligibility is confirmed').waitFor();
    await page.getByRole('link', { name: 'Screening checklist and enrolment' }).click();
    const form = page.getByRole('region', { name: 'Screening form' });
    const overall = form.getByTestId('eligibility-overall');
    await waitForText(overall, 'incomplete');
    await form.getByLabel(/^Meets the ACR/).selectOption({ label: 'Yes' });
    await form.getByLabel(/^Age \(years\)/).fill('38');
    await waitForText(overall, 'eligible');
    expect(await overall.textContent()).toBe('eligible');
    const saved = page.waitForResponse(
      (r) => r.url().includes('/forms/eligibility') && r.request().method() === 'PUT',
    );
    await page.getByRole('button', { name: 'Save Eligibility and screening' }).click();
    expect((await saved).status()).toBe(200);
    await screenshot(page, 'randomisation-01-eligible');
    await page.getByLabel('Day 0 (first infusion)').fill('2026-12-01');
    await page.getByRole('button', { name: 'Enrol', exact: true }).click();
    await waitForText(page.getByTestId('subject-status'), 'Enrolled');

    await page.getByRole('link', { name: subjectCode }).click();
    await panel.getByText('Not randomised yet').waitFor();
    await screenshot(page, 'randomisation-02-before');
    await panel.getByRole('button', { name: 'Randomise' }).click();
    await panel.getByText('site=SA;lnClass=IV').waitFor();
    armLabel = (await panel.getByRole('definition').first().textContent()) ?? '';
    expect(LABELS).toContain(armLabel);
    await screenshot(page, 'randomisation-03-randomised');
    // Final: the button is gone, and the API refuses a second randomisation.
    expect(await panel.getByRole('button', { name: 'Randomise' }).count()).toBe(0);
    const again = await (await apiAs(e, 'coordinator')).post(`/api/subjects/${subjectId}/randomise`);
    expect(again.status).toBe(409);
    // The coordinator may not correct an assignment.
    expect(await panel.getByRole('button', { name: 'Correct the assignment' }).count()).toBe(0);
  });

  it('the blinded monitor does not see the arm', async () => {
    const page = await loginAs(e, 'monitor');
    await page.goto(`/subjects/${subjectId}`);
    const panel = page.getByRole('region', { name: 'Randomisation' });
    await panel.getByText('Blinded (your role does not see the arm)').waitFor();
    const text = await page.locator('body').textContent();
    for (const label of LABELS) expect(text).not.toContain(label);
    expect(await panel.getByRole('button', { name: 'Emergency unblinding' }).count()).toBe(0);
    expect(await panel.getByRole('button', { name: 'Correct the assignment' }).count()).toBe(0);
    await screenshot(page, 'randomisation-04-monitor-blinded');
  });

  it('an investigator unblinds the subject with a reason; audited, notified to safety on the study home, the monitor stays blinded', async () => {
    const page = await loginAs(e, 'investigator');
    await page.goto(`/subjects/${subjectId}`);
    const panel = page.getByRole('region', { name: 'Randomisation' });
    await panel.getByRole('button', { name: 'Emergency unblinding' }).click();
    const dialog = page.getByRole('dialog', { name: 'Emergency unblinding' });
    await dialog.getByLabel('Reason for unblinding').fill('Serious adverse event: choice of rescue therapy');
    await screenshot(page, 'randomisation-05-unblind-dialog');
    await dialog.getByRole('button', { name: 'Unblind' }).click();
    await panel
      .getByRole('list', { name: 'Emergency unblindings' })
      .getByText(/by investigator: Serious adverse event: choice of rescue therapy/)
      .waitFor();
    await screenshot(page, 'randomisation-06-unblinded');
    const audit = await (await apiAs(e, 'investigator')).get<{ action: string }[]>(
      `/api/subjects/${subjectId}/audit?entityType=unblinding`,
    );
    expect(audit.body.map((a) => a.action)).toEqual(['subject.unblind']);

    // Safety: the study home lists the unblinding, with the subject, the reason and the arm.
    const safety = await loginAs(e, 'safety');
    await safety.goto(`/studies/${e.trial.studyId}`);
    const table = safety.getByRole('table', { name: 'Emergency unblindings' });
    const row = table.getByRole('row').filter({ hasText: 'Serious adverse event: choice of rescue therapy' });
    await row.waitFor();
    expect(await row.textContent()).toContain(subjectCode);
    expect(await row.textContent()).toContain(armLabel);
    expect(await row.textContent()).toContain('investigator');
    await screenshot(safety, 'randomisation-07-safety-notified');

    const monitor = await loginAs(e, 'monitor');
    await monitor.goto(`/subjects/${subjectId}`);
    const mpanel = monitor.getByRole('region', { name: 'Randomisation' });
    await mpanel.getByText(/by investigator: Serious adverse event/).waitFor();
    await mpanel.getByText('Blinded (your role does not see the arm)').waitFor();
  });

  it('an investigator corrects the assignment: a new record with its reason; the arm as randomised stays; the monitor sees nothing of it', async () => {
    const other = LABELS.find((l) => l !== armLabel)!;
    const page = await loginAs(e, 'investigator');
    await page.goto(`/subjects/${subjectId}`);
    const panel = page.getByRole('region', { name: 'Randomisation' });
    await panel.getByRole('button', { name: 'Correct the assignment' }).click();
    const dialog = page.getByRole('dialog', { name: 'Correct the assignment' });
    await dialog.getByLabel('Corrected arm').selectOption({ label: other });
    await dialog.getByLabel('Reason for the correction').fill('Kit of the other arm dispensed at day 0');
    await screenshot(page, 'randomisation-08-correct-dialog');
    await dialog.getByRole('button', { name: 'Record the correction' }).click();
    const list = panel.getByRole('list', { name: 'Corrections of the assignment' });
    await list.getByText(`${armLabel} → ${other} (Kit of the other arm dispensed at day 0)`).waitFor();
    // The arm as randomised is still the subject's arm; the correction is shown beside it.
    expect(await panel.getByRole('definition').first().textContent()).toBe(armLabel);
    await panel.getByText(/intention to treat/).waitFor();
    await screenshot(page, 'randomisation-09-corrected');

    const monitor = await loginAs(e, 'monitor');
    await monitor.goto(`/subjects/${subjectId}`);
    const mpanel = monitor.getByRole('region', { name: 'Randomisation' });
    await mpanel.getByText('Blinded (your role does not see the arm)').waitFor();
    expect(await mpanel.getByText(/Corrected/).count()).toBe(0);
    const text = await monitor.locator('body').textContent();
    for (const label of LABELS) expect(text).not.toContain(label);
  });

  it('the randomisation panel with its dialogs and the unblindings table: axe-clean, usable at 390 px', async () => {
    const page = await loginForAxe(e, 'investigator', {
      viewport: { width: 390, height: 844 },
      timeoutMs: 20_000,
    });
    await page.goto(`/subjects/${subjectId}`);
    const panel = page.getByRole('region', { name: 'Randomisation' });
    await panel.getByRole('list', { name: 'Corrections of the assignment' }).waitFor();
    await panel.getByRole('button', { name: 'Correct the assignment' }).click();
    await page.getByRole('dialog', { name: 'Correct the assignment' }).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    // Nothing of the panel is wider than the phone's viewport.
    const width = await panel.evaluate((el) => (el as unknown as { scrollWidth: number }).scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    await screenshot(page, 'randomisation-10-phone-correct');
    await page.goto(`/studies/${e.trial.studyId}`);
    await page.getByRole('table', { name: 'Emergency unblindings' }).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'randomisation-11-phone-unblindings');
  });
});
