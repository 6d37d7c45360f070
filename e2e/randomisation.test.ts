// Randomisation in the browser (issue 24): a second study defined only as data, with two arms; a
// site coordinator enrols and randomises a subject; the blinded monitor does not see the arm; an
// investigator unblinds the subject in an emergency, with a reason, and the safety role sees it.
import { randomisedLnTrial } from '@msct/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, type E2e, loginAs, screenshot, startE2e, stopE2e } from './support.js';

const LABELS = randomisedLnTrial.arms!.map((a) => a.label);

describe('randomisation and blinding (issue 24)', () => {
  let e: E2e;
  let subjectId: string;
  let armLabel: string;
  beforeAll(async () => {
    e = await startE2e({ definition: randomisedLnTrial });
    const api = await apiAs(e, 'coordinator');
    const s = await api.post<{ id: string }>(`/api/studies/${e.trial.studyId}/subjects`, {
      siteId: e.trial.siteA,
      sex: 'female',
      birthDate: '1988-04-02',
    });
    subjectId = s.body.id;
    const scr = await api.post<{ id: string }>(`/api/subjects/${subjectId}/visits`, {
      visitCode: 'SCR',
      visitDate: '2026-11-20',
    });
    const f = await api.put(`/api/visits/${scr.body.id}/forms/renal-screening`, {
      items: [{ itemCode: 'ln_class', value: 'IV' }],
    });
    expect(f.status).toBe(200);
  });
  afterAll(() => stopE2e(e));

  it('a site coordinator enrols and randomises the subject and sees the arm', async () => {
    const page = await loginAs(e, 'coordinator');
    await page.goto(`/subjects/${subjectId}`);
    const panel = page.getByRole('region', { name: 'Randomisation' });
    await panel.getByText('Randomisation opens once eligibility is confirmed').waitFor();
    // Enrolment (eligibility confirmed by the server's enrol route) as the same coordinator.
    const api = await apiAs(e, 'coordinator');
    const s = await api.get<{ version: number }>(`/api/subjects/${subjectId}`);
    const enrolled = await api.post(`/api/subjects/${subjectId}/enrol`, {
      version: s.body.version,
      day0Date: '2026-12-01',
    });
    expect(enrolled.status).toBe(200);
    await page.reload();
    await panel.getByText('Not randomised yet').waitFor();
    await screenshot(page, 'randomisation-01-before');
    await panel.getByRole('button', { name: 'Randomise' }).click();
    const arm = panel.getByRole('definition').first();
    await panel.getByText('site=SA;lnClass=IV').waitFor();
    armLabel = (await arm.textContent()) ?? '';
    expect(LABELS).toContain(armLabel);
    await screenshot(page, 'randomisation-02-randomised');
    // Final: the button is gone, and the API refuses a second randomisation.
    expect(await panel.getByRole('button', { name: 'Randomise' }).count()).toBe(0);
    const again = await (await apiAs(e, 'coordinator')).post(`/api/subjects/${subjectId}/randomise`);
    expect(again.status).toBe(409);
  });

  it('the blinded monitor does not see the arm', async () => {
    const page = await loginAs(e, 'monitor');
    await page.goto(`/subjects/${subjectId}`);
    const panel = page.getByRole('region', { name: 'Randomisation' });
    await panel.getByText('Blinded (your role does not see the arm)').waitFor();
    const text = await page.locator('body').textContent();
    for (const label of LABELS) expect(text).not.toContain(label);
    expect(await panel.getByRole('button', { name: 'Emergency unblinding' }).count()).toBe(0);
    await screenshot(page, 'randomisation-03-monitor-blinded');
  });

  it('an investigator unblinds the subject with a reason; audited, shown to safety, the monitor stays blinded', async () => {
    const page = await loginAs(e, 'investigator');
    await page.goto(`/subjects/${subjectId}`);
    const panel = page.getByRole('region', { name: 'Randomisation' });
    await panel.getByRole('button', { name: 'Emergency unblinding' }).click();
    const dialog = page.getByRole('dialog', { name: 'Emergency unblinding' });
    // The reason is required: the browser refuses an empty one before the server would.
    await dialog.getByLabel('Reason for unblinding').fill('Serious adverse event: choice of rescue therapy');
    await screenshot(page, 'randomisation-04-unblind-dialog');
    await dialog.getByRole('button', { name: 'Unblind' }).click();
    await panel
      .getByRole('list', { name: 'Emergency unblindings' })
      .getByText(/by investigator: Serious adverse event: choice of rescue therapy/)
      .waitFor();
    await screenshot(page, 'randomisation-05-unblinded');

    const safety = await apiAs(e, 'safety');
    const u = await safety.get<{ subjectId: string; arm: string | null; reason: string }[]>(
      `/api/studies/${e.trial.studyId}/unblindings`,
    );
    const armId = randomisedLnTrial.arms!.find((a) => a.label === armLabel)!.id;
    expect(u.body).toEqual([
      expect.objectContaining({
        subjectId,
        arm: armId,
        reason: 'Serious adverse event: choice of rescue therapy',
      }),
    ]);
    const audit = await (await apiAs(e, 'investigator')).get<{ action: string; reason: string | null }[]>(
      `/api/subjects/${subjectId}/audit?entityType=unblinding`,
    );
    expect(audit.body.map((a) => a.action)).toEqual(['subject.unblind']);

    const monitor = await loginAs(e, 'monitor');
    await monitor.goto(`/subjects/${subjectId}`);
    const mpanel = monitor.getByRole('region', { name: 'Randomisation' });
    await mpanel.getByText(/by investigator: Serious adverse event/).waitFor();
    await mpanel.getByText('Blinded (your role does not see the arm)').waitFor();
  });
});
