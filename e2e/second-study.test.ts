// Issue #20 acceptance, in Chromium: "A second study, defined only as data (no code change): a 2-arm
// follow-on trial of repeat MSCT in refractory lupus nephritis with its own forms and schedule, built
// in the form builder, then used: enrol, enter, query, sign, export, analyse the measures its
// definition names."
// The admin creates the study from a minimal definition file (schedule, two arms, one eligibility
// criterion, core's lab form and the measures to analyse) and builds its renal form in the builder: a
// code list, a range, a required item and an edit check. Two subjects are screened, enrolled and
// randomised in the browser; the coordinator enters the renal form (a value that breaks the edit check
// raises the automatic query), a monitor raises a query that the site answers, the investigator signs
// the visit; the admin downloads an ODM export (xmllint-valid, with the new form's items) and a CSV
// from the Exports page; the statistician's analysis report shows the measures the definition names.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { msctSleTrial } from '@msct/core/protocol';
import { xsdErrors } from '@msct/exchange/testing';
import { assignRole, createSite } from '@msct/store';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiAs,
  type E2e,
  loginAs,
  screenshot,
  startE2e,
  stopE2e,
  TEST_PASSWORD,
  waitForText,
} from './support.js';

/** What a trial team writes before building its CRFs: schedule, arms, eligibility, what to analyse. */
const definition = {
  id: 'LN-RCT2',
  title: 'Repeat MSCT versus standard care in refractory lupus nephritis',
  version: '1.0',
  source: 'Follow-on trial the MSCT–SLE paper calls for (Wang D et al., Arthritis Res Ther 2014;16:R79)',
  centres: [{ id: 'C1', name: 'Centre one', city: 'Nanjing', country: 'CN' }],
  arms: [
    { id: 'msct', label: 'Repeat MSCT + standard care', ratio: 1 },
    { id: 'control', label: 'Standard care', ratio: 1 },
  ],
  randomisation: {
    method: 'blocks',
    blockSizes: [2],
    factors: [{ name: 'site', source: 'site' }],
    blindedRoles: ['monitor'],
  },
  visits: [
    {
      code: 'SCR',
      label: 'Screening',
      kind: 'screening',
      targetDay: -1,
      windowDays: { before: 27, after: 0 },
      repeatsInCycles: false,
    },
    { code: 'D0', label: 'Day 0', kind: 'baseline', targetDay: 0, windowDays: 0, repeatsInCycles: true },
    {
      code: 'M3',
      label: 'Month 3',
      kind: 'assessment',
      targetDay: 91,
      windowDays: 14,
      month: 3,
      repeatsInCycles: true,
    },
  ],
  infusion: { ...msctSleTrial.infusion, infusionVisitCodes: ['D0'], maxCycles: 1 },
  forms: [
    { id: 'eligibility', title: 'Eligibility and screening', visitCodes: ['SCR'] },
    { id: 'labs', title: 'Laboratory tests', visitCodes: ['D0', 'M3'] },
  ],
  eligibility: [
    {
      id: 'inc-refractory',
      label: 'Lupus nephritis refractory to standard induction',
      kind: 'inclusion',
      condition: { op: 'is', item: 'refractory_nephritis', value: true },
      source: 'second-study e2e: the follow-on trial population',
    },
  ],
  endpointRuleSetId: msctSleTrial.endpointRuleSetId,
  retreatment: { afterStudyDay: 196, flagOnRelapse: true, sledaiRise: 3, consecutiveAssessments: 2 },
  bilagVersion: 'classic',
  sledaiWindowDays: 10,
  analysisMeasures: ['albumin', 'c3'],
};

const ARMS = definition.arms.map((a) => a.label);

describe('a second study defined only as data, built and used in the browser (issue #20 acceptance)', () => {
  let e: E2e;
  let dir = '';
  let studyId = '';
  let siteId = '';
  const subjects: { id: string; code: string }[] = [];

  beforeAll(async () => {
    e = await startE2e({ definition: msctSleTrial });
    dir = mkdtempSync(join(tmpdir(), 'msct-e2e-second-'));
  });
  afterAll(async () => {
    await stopE2e(e);
    rmSync(dir, { recursive: true, force: true });
  });

  async function admin(): Promise<Page> {
    return loginAs(e, 'admin');
  }

  it('the admin creates the study from a definition file and builds its renal form in the builder', async () => {
    const file = join(dir, 'ln-rct2.json');
    writeFileSync(file, JSON.stringify(definition, null, 2));
    const page = await admin();
    await page.getByRole('link', { name: 'Admin' }).click();
    const upload = page.getByRole('form', { name: 'Study from a definition file' });
    await upload.getByLabel(/^Definition file/).setInputFiles(file);
    await upload.getByRole('button', { name: 'Check file' }).click();
    await waitForText(upload.getByRole('status'), 'Checked: the definition is valid');
    await upload.getByRole('button', { name: 'Create study from file' }).click();
    await waitForText(upload.getByRole('status'), 'Study LN-RCT2 created (definition version 1)');
    const studies = await (await apiAs(e, 'admin')).get<{ id: string; code: string }[]>('/api/studies');
    studyId = studies.body.find((s) => s.code === 'LN-RCT2')!.id;

    await page.goto(`/studies/${studyId}`);
    await page.getByRole('link', { name: 'Form builder' }).click();
    await page.getByRole('heading', { name: 'Form builder — LN-RCT2' }).waitFor();
    await page.getByRole('button', { name: 'Add code list' }).click();
    const list = page.locator('fieldset.builder-codelist').first();
    await list.getByLabel('Code list id').fill('isn-rps');
    await list.getByLabel('Code list label').fill('ISN/RPS class');
    const classes = ['III', 'IV', 'V'];
    for (const [i, c] of classes.entries()) {
      if (i > 0) await list.getByRole('button', { name: 'Add code to isn-rps' }).click();
      const row = list.getByRole('group', { name: `Code ${i + 1} of isn-rps` });
      await row.getByLabel('Code', { exact: true }).fill(c);
      await row.getByLabel('Code label').fill(`Class ${c}`);
    }

    await page.getByRole('button', { name: 'Add form' }).click();
    await page.getByLabel('Form code').fill('renal');
    await page.getByLabel('Form title').fill('Renal assessment');
    const visits = page.getByRole('group', { name: 'Collected at the visits' });
    await visits.getByLabel('D0 — Day 0').check();
    await visits.getByLabel('M3 — Month 3').check();
    await page.getByRole('button', { name: 'Add item' }).click();
    const cls = page.locator('fieldset.builder-item').nth(0);
    await cls.getByLabel('Item code').fill('ln_class');
    await cls.getByLabel('Label').fill('ISN/RPS class on the latest biopsy');
    await cls.getByLabel('Type').selectOption('code');
    await cls.getByLabel('Code list').selectOption('isn-rps');
    await cls.getByLabel('Required').check();
    await page.getByRole('button', { name: 'Add item' }).click();
    const upcr = page.locator('fieldset.builder-item').nth(1);
    await upcr.getByLabel('Item code').fill('upcr');
    await upcr.getByLabel('Label').fill('Urine protein/creatinine ratio');
    await upcr.getByLabel('Type').selectOption('decimal');
    await upcr.getByLabel(/^Units/).fill('g/g');
    await upcr.getByLabel('Minimum').fill('0');
    await upcr.getByLabel('Maximum').fill('30');

    // The edit check: a UPCR above 10 g/g is implausible and raises a query.
    const checks = page.getByRole('region', { name: 'Edit checks of renal' });
    await checks.getByRole('button', { name: 'Add edit check to renal' }).click();
    const check = checks.locator('fieldset.builder-check').first();
    await check.getByLabel('Check id').fill('upcr-plausible');
    await check.getByLabel(/^Message of upcr-plausible/).fill('UPCR above 10 g/g: check the unit (mg/g?)');
    await check.getByLabel('Item upcr-plausible checks').selectOption('upcr');
    await check.getByLabel('Plausible maximum of upcr-plausible').fill('10');
    await check.getByLabel(/^Unit of the bounds of upcr-plausible/).fill('g/g');
    expect(await page.getByRole('region', { name: 'Problems in the definition' }).count()).toBe(0);

    await page.getByRole('button', { name: 'Check changes' }).click();
    await waitForText(page.getByRole('region', { name: 'Amendment report' }), 'definition version 1 → 2');
    await page
      .getByLabel('Reason for the amendment (audit trail)')
      .fill('Renal CRF and its plausibility check');
    await page.getByRole('button', { name: 'Save as version 2' }).click();
    await waitForText(page.getByRole('status').first(), 'Definition version 2 stored (was version 1)');
    await screenshot(page, 'second-study-01-built');

    // The study's site and its people (the admin page's Add site / Assign role do the same).
    const system = { id: e.trial.users.admin!.id, name: 'admin' };
    const site = await createSite(e.server.db, system, { studyId, code: 'C1', name: 'Centre one' });
    siteId = site.id;
    for (const role of ['coordinator', 'investigator', 'monitor'] as const)
      await assignRole(e.server.db, system, { userId: e.trial.users[role]!.id, role, studyId, siteId });
    await assignRole(e.server.db, system, {
      userId: e.trial.users.statistician!.id,
      role: 'statistician',
      studyId,
      siteId: null,
    });
  });

  it('the coordinator screens, enrols and randomises two subjects in the browser', async () => {
    const api = await apiAs(e, 'coordinator');
    const page = await loginAs(e, 'coordinator');
    const allocated: string[] = [];
    for (const birthDate of ['1988-04-02', '1979-09-15']) {
      const s = await api.post<{ id: string; subjectCode: string }>(`/api/studies/${studyId}/subjects`, {
        siteId,
        sex: 'female',
        birthDate,
      });
      expect(s.status).toBe(201);
      subjects.push({ id: s.body.id, code: s.body.subjectCode });
      await page.goto(`/subjects/${s.body.id}`);
      await page.getByRole('link', { name: 'Screening checklist and enrolment' }).click();
      const open = page.getByRole('form', { name: 'Open the screening visit' });
      await open.getByLabel('Screening date').fill('2026-10-20');
      await open.getByRole('button', { name: 'Open screening visit' }).click();
      const form = page.getByRole('region', { name: 'Screening form' });
      await form.getByLabel('Refractory nephritis', { exact: true }).selectOption({ label: 'Yes' });
      await waitForText(form.getByTestId('eligibility-overall'), 'eligible');
      await page.getByRole('button', { name: 'Save Eligibility and screening' }).click();
      await page.getByLabel('Day 0 (first infusion)').fill('2026-11-01');
      await page.getByRole('button', { name: 'Enrol', exact: true }).click();
      await waitForText(page.getByTestId('subject-status'), 'Enrolled');
      await page.getByRole('link', { name: s.body.subjectCode }).click();
      const panel = page.getByRole('region', { name: 'Randomisation' });
      await panel.getByRole('button', { name: 'Randomise' }).click();
      await panel.getByText('site=C1').waitFor();
      allocated.push((await panel.getByRole('definition').first().textContent()) ?? '');
    }
    await screenshot(page, 'second-study-02-randomised');
    // Blocks of two stratified by site: one subject in each arm.
    expect(new Set(allocated)).toEqual(new Set(ARMS));
  });

  it('enters the forms at a visit; a value that breaks the edit check raises the automatic query', async () => {
    const page = await loginAs(e, 'coordinator');
    const api = await apiAs(e, 'coordinator');
    for (const [k, s] of subjects.entries()) {
      await page.goto(`/subjects/${s.id}`);
      await page.getByLabel('Visit code').selectOption('D0');
      await page.getByLabel('Visit date').fill('2026-11-01');
      await page.getByRole('button', { name: 'Open visit' }).click();
      await page.getByRole('heading', { name: /Visit D0/ }).waitFor();
      await page.getByText('Enter Renal assessment').click();
      const entry = page.getByRole('region', { name: 'New Renal assessment' });
      await entry.getByLabel('ISN/RPS class on the latest biopsy').selectOption('IV');
      // The second subject's ratio was entered in mg/g by mistake: 1200 is refused by the range (max 30);
      // 12 passes the item's range but breaks the plausibility check.
      await entry.getByLabel('Urine protein/creatinine ratio').fill(k === 0 ? '3.2' : '12');
      await entry.getByRole('button', { name: 'Save Renal assessment' }).click();
      const renal = page.getByRole('region', { name: 'Form Renal assessment' });
      await renal.waitFor();
      if (k === 1) {
        await waitForText(renal.getByTestId('query-marker-upcr'), '1 open');
        const thread = renal.getByRole('list', { name: 'Queries on Urine protein/creatinine ratio' });
        await waitForText(thread, 'UPCR above 10 g/g: check the unit (mg/g?)');
        expect((await thread.textContent()) ?? '').toContain('msct automatic check');
        await screenshot(page, 'second-study-03-automatic-query');
      } else expect(await renal.getByTestId('query-marker-upcr').count()).toBe(0);
      // The lab form and the month-3 visit through the API (the same write path).
      const visits = await api.get<{ id: string; visitCode: string }[]>(`/api/subjects/${s.id}/visits`);
      const d0 = visits.body.find((v) => v.visitCode === 'D0')!;
      const labs = (albumin: string, c3: string) => ({
        items: [
          { itemCode: 'albumin', value: albumin, unit: 'g/L' },
          { itemCode: 'c3', value: c3, unit: 'g/L' },
        ],
      });
      expect(
        (await api.put(`/api/visits/${d0.id}/forms/labs`, labs(k ? '26' : '28', k ? '0.45' : '0.5'))).status,
      ).toBe(200);
      const m3 = await api.post<{ id: string }>(`/api/subjects/${s.id}/visits`, {
        visitCode: 'M3',
        visitDate: '2027-01-31',
      });
      expect(m3.status).toBe(201);
      expect(
        (await api.put(`/api/visits/${m3.body.id}/forms/labs`, labs(k ? '31' : '35', k ? '0.7' : '0.8')))
          .status,
      ).toBe(200);
      expect(
        (
          await api.put(`/api/visits/${m3.body.id}/forms/renal`, {
            items: [
              { itemCode: 'ln_class', value: 'IV' },
              { itemCode: 'upcr', value: k ? '2.1' : '0.9', unit: 'g/g' },
            ],
          })
        ).status,
      ).toBe(200);
    }
  });

  it('a monitor raises a query on the renal form, the site answers, the investigator signs the visit', async () => {
    const d0 = async (subjectId: string) =>
      (
        await (
          await apiAs(e, 'coordinator')
        ).get<{ id: string; visitCode: string }[]>(`/api/subjects/${subjectId}/visits`)
      ).body.find((v) => v.visitCode === 'D0')!.id;
    const visitId = await d0(subjects[0]!.id);
    const monitor = await loginAs(e, 'monitor');
    await monitor.goto(`/visits/${visitId}`);
    const mRenal = monitor.getByRole('region', { name: 'Form Renal assessment' });
    const row = mRenal.locator('.item-row[data-item="ln_class"]');
    await row.getByRole('button', { name: 'Raise query on ISN/RPS class on the latest biopsy' }).click();
    await row.getByLabel('Query text').fill('Class IV: please confirm against the biopsy report.');
    await row.getByRole('button', { name: 'Raise query', exact: true }).click();
    await waitForText(row.getByTestId('query-marker-ln_class'), 'query: 1 open');
    const text = (await monitor.locator('body').textContent()) ?? '';
    for (const arm of ARMS) expect(text).not.toContain(arm);

    const coord = await loginAs(e, 'coordinator');
    await coord.goto(`/visits/${visitId}`);
    const cRow = coord
      .getByRole('region', { name: 'Form Renal assessment' })
      .locator('.item-row[data-item="ln_class"]');
    await cRow.getByRole('button', { name: 'Answer query' }).click();
    await cRow.getByLabel('Answer', { exact: true }).fill('Confirmed: class IV on the biopsy of 2026-09-30.');
    await cRow.getByRole('button', { name: 'Send answer' }).click();
    await waitForText(cRow.getByTestId('query-marker-ln_class'), 'query: 1 answered');
    await screenshot(coord, 'second-study-04-query-answered');
    // The site declares the visit's forms complete: the investigator signs complete forms.
    for (const title of ['Renal assessment', 'Laboratory tests']) {
      const mark = coord.getByRole('button', { name: `Mark ${title} complete` });
      await mark.click();
      await mark.waitFor({ state: 'detached' });
    }

    const inv = await loginAs(e, 'investigator');
    await inv.goto(`/visits/${visitId}`);
    await inv.getByRole('button', { name: /^Sign visit D0 \(2 forms\)/ }).click();
    const ceremony = inv.getByRole('form', { name: 'Sign visit D0' });
    await ceremony.getByLabel('Password (entered once for all these forms)').fill(TEST_PASSWORD);
    await ceremony.getByRole('button', { name: 'Sign 2 forms electronically' }).click();
    for (const [code, title] of [
      ['renal', 'Renal assessment'],
      ['labs', 'Laboratory tests'],
    ])
      await inv
        .getByRole('region', { name: `Form ${title}` })
        .getByTestId(`form-status-${code}`)
        .getByText('signed — locked')
        .waitFor();
    await screenshot(inv, 'second-study-05-signed');
  });

  it('the admin downloads ODM (xmllint-valid, with the new form) and CSV exports from the Exports page', async () => {
    const page = await admin();
    const download = async (format: string) => {
      await page.goto(`/studies/${studyId}`);
      await page.getByRole('link', { name: 'Exports' }).click();
      const form = page.getByRole('form', { name: 'Start an export' });
      await form.getByLabel('Format').selectOption(format);
      await form.getByRole('button', { name: 'Start the export' }).click();
      const table = page.getByRole('table', { name: 'My exports' });
      const link = table.getByRole('link', { name: /Download the export/ }).first();
      await link.waitFor({ timeout: 30_000 });
      const [d] = await Promise.all([page.waitForEvent('download'), link.click()]);
      const path = join(dir, d.suggestedFilename());
      await d.saveAs(path);
      return { path, text: readFileSync(path, 'utf8') };
    };
    const odm = await download('odm');
    expect(xsdErrors(odm.path)).toBe('');
    for (const s of subjects) expect(odm.text).toContain(s.code);
    expect(odm.text).toMatch(/<FormDef [^>]*OID="[^"]*renal[^"]*"/);
    expect(odm.text).toMatch(/<ItemDef [^>]*OID="[^"]*upcr[^"]*"/);
    expect(odm.text).toMatch(/<ItemDef [^>]*OID="[^"]*ln_class[^"]*"/);
    expect(odm.text).toContain('Value="IV"');
    await screenshot(page, 'second-study-06-exports');
    const csv = await download('csv-wide');
    const header = csv.text.split('\r\n')[0]!;
    expect(header).toContain('renal.upcr');
    expect(header).toContain('renal.ln_class');
    expect(csv.text).toContain(subjects[0]!.code);
  });

  it("the statistician's analysis report shows the measures the definition names", async () => {
    const page = await loginAs(e, 'statistician');
    await page.goto(`/studies/${studyId}/analysis`);
    const frame = page.frameLocator('iframe');
    await frame.getByText('Serum albumin').first().waitFor({ timeout: 30_000 });
    await frame.getByText('C3', { exact: false }).first().waitFor();
    const report = (await frame.locator('body').textContent()) ?? '';
    // Only what the definition names: no SLEDAI-2K or urea change table.
    expect(report).not.toContain('Urea nitrogen (LN)');
    expect(report).toContain('Randomised comparison by arm');
    // At the study's own timepoints (its schedule: D0 and M3), both subjects paired.
    const res = await page.request.get(`/api/studies/${studyId}/analysis`);
    expect(res.status()).toBe(200);
    const results = (await res.json()) as {
      measures: { key: string; timepoints: { timepoint: string; pairs?: number }[] }[];
    };
    expect(results.measures.map((m) => m.key)).toEqual(['albumin', 'c3']);
    for (const m of results.measures) {
      expect(m.timepoints.map((t) => t.timepoint)).toEqual(['D0', 'M3']);
      expect(m.timepoints[1]!.pairs).toBe(2);
    }
    await screenshot(page, 'second-study-07-analysis');
  });
});
