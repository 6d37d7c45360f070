// Issue #21 acceptance, in Chromium: the safety role lists SAEs across sites, opens one and sees its
// reporting clock (days left / overdue), and its printable CIOMS-style page; a coordinator changes
// an AE's outcome with a reason, and the next new-AE form is blank (nothing carries over).
import { readFile } from 'node:fs/promises';
import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, type E2e, loginAs, screenshot, startE2e, stopE2e, waitForText } from './support.js';

// Hours ago, but never before today's UTC midnight: the clock's day 0 is the UTC date of the
// sponsor's notice, so an instant from yesterday (a run between 00:00 and 05:00 UTC) shifts every due day.
const hoursAgo = (h: number) =>
  new Date(
    Math.max(Date.now() - h * 3_600_000, Date.parse(new Date().toISOString().slice(0, 10))),
  ).toISOString();

describe('safety: the AE/SAE listing, the SAE clock, AEs edited', () => {
  let e: E2e;
  let subjectA: string;
  beforeAll(async () => {
    e = await startE2e();
    const a = await apiAs(e, 'coordinator');
    const b = await apiAs(e, 'coordinator_b');
    subjectA = (
      await a.post<{ id: string }>(`/api/studies/${e.trial.studyId}/subjects`, { siteId: e.trial.siteA })
    ).body.id;
    const subjectB = (
      await b.post<{ id: string }>(`/api/studies/${e.trial.studyId}/subjects`, { siteId: e.trial.siteB })
    ).body.id;
    const report = async (c: typeof a, subjectId: string, body: Record<string, unknown>) => {
      const r = await c.post(`/api/subjects/${subjectId}/adverse-events`, body);
      if (r.status !== 201) throw new Error(`AE: ${r.status} ${JSON.stringify(r.body)}`);
    };
    await report(a, subjectA, {
      term: 'Headache',
      onsetDate: '2026-02-01',
      ctcaeGrade: 1,
      relatedness: 'not_related',
    });
    // Site A: life-threatening, related, unexpected (not yet assessed), known to the sponsor in March: overdue.
    await report(a, subjectA, {
      term: 'Anaphylaxis',
      onsetDate: '2026-03-02',
      ctcaeGrade: 4,
      seriousness: ['life_threatening'],
      relatedness: 'probable',
      siteAwareAt: '2026-03-02T10:00:00Z',
      sponsorNotifiedAt: '2026-03-02T14:00:00Z',
    });
    // Site B: hospitalisation, related, the sponsor notified an hour ago: 15 days left.
    await report(b, subjectB, {
      term: 'Pneumonia',
      onsetDate: '2026-11-20',
      ctcaeGrade: 3,
      seriousness: ['hospitalisation'],
      relatedness: 'possible',
      siteAwareAt: hoursAgo(5),
      sponsorNotifiedAt: hoursAgo(1),
      narrative: 'Admitted with fever and productive cough.',
    });
  });
  afterAll(() => stopE2e(e));

  it('safety lists SAEs across sites, opens one and sees its clock', async () => {
    const page = await loginAs(e, 'safety');
    await page.goto(`/studies/${e.trial.studyId}`);
    await page.getByRole('link', { name: 'Adverse events and SAEs' }).click();
    const listing = page.getByRole('table', { name: 'Adverse event listing' });
    await waitForText(listing, 'Pneumonia');
    // Serious events by default: both sites' SAEs, not the headache.
    expect(await listing.locator('tbody tr').count()).toBe(2);
    await waitForText(listing.locator('tr[data-ae="Pneumonia"]'), 'SB');
    await waitForText(listing.locator('tr[data-ae="Anaphylaxis"]'), 'SA');
    await waitForText(listing.locator('tr[data-ae="Anaphylaxis"]'), '7-day report: OVERDUE');
    expect(await listing.locator('tr.overdue').count()).toBe(1);
    await waitForText(listing.locator('tr[data-ae="Pneumonia"]'), '15-day report: 15 days left');
    const counts = page.getByRole('list', { name: 'Adverse event counts' });
    await waitForText(counts, '2 serious');
    await waitForText(counts, '1 overdue');
    await screenshot(page, '61-ae-listing');

    // Filters: every event, then one site, then a term.
    const filters = page.getByRole('form', { name: 'Filter adverse events' });
    await filters.getByLabel('Seriousness').selectOption('');
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await waitForText(listing, 'Headache');
    await waitForText(counts, '3 events');
    await filters.getByLabel('Site').selectOption({ label: 'SB Site B' });
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await waitForText(counts, '1 events');
    expect(await listing.locator('tbody tr').count()).toBe(1);
    await filters.getByLabel('Site').selectOption('');
    await filters.getByLabel('Overdue only').check();
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await waitForText(counts, '1 events');
    await waitForText(listing, 'Anaphylaxis');
    await filters.getByLabel('Overdue only').uncheck();
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await waitForText(counts, '3 events');

    await listing.getByRole('link', { name: 'Pneumonia' }).click();
    await page.getByRole('heading', { name: 'Serious adverse event: Pneumonia' }).waitFor();
    const clock = page.getByRole('status', { name: 'Reporting clock' });
    await waitForText(clock, '15 days left');
    await waitForText(clock, 'expectedness not yet assessed (treated as unexpected)');
    await waitForText(page.locator('.narrative'), 'productive cough');

    // The sponsor's assessment: expected → no expedited report, the clock stops.
    const assess = page.getByRole('form', { name: 'Sponsor assessment' });
    await assess.getByLabel("Sponsor's causality").selectOption('possible');
    await assess.getByLabel('Expectedness').selectOption('expected');
    await assess.getByLabel('Reason for change').fill('assessed against the investigator brochure');
    await assess.getByRole('button', { name: 'Save assessment' }).click();
    await waitForText(clock, 'no expedited report');
    await waitForText(page.getByRole('definition').filter({ hasText: 'expected' }).first(), 'expected');
    await screenshot(page, '62-sae-detail');

    // The server's CIOMS-I form, printed to PDF by headless Chromium: its text read back (PDF.js).
    const [file] = await Promise.all([
      page.waitForEvent('download', { timeout: 60_000 }),
      page.getByRole('link', { name: 'CIOMS-I form (PDF)' }).click(),
    ]);
    expect(file.suggestedFilename()).toMatch(/^cioms-.+-Pneumonia\.pdf$/);
    const pdf = await readFile((await file.path())!);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = (
      await extractText(await getDocumentProxy(new Uint8Array(pdf)), { mergePages: true })
    ).text.replace(/\s+/g, ' ');
    for (const part of [
      'CIOMS-I suspect adverse reaction report',
      'I. Reaction information',
      'Pneumonia',
      'Requires or prolongs hospitalisation (yes)',
      'Admitted with fever and productive cough.',
      'II. Suspect drug information',
      'III. Concomitant drugs and history',
      'IV. Manufacturer and sponsor information',
      "Sponsor's causality Possible",
      'Expectedness expected',
    ])
      expect(text).toContain(part);
    expect(text).toMatch(/Initial \(yes\)/);

    // Printed, the page is the form alone: no navigation, no buttons or forms.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.app-header').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Print (CIOMS-I style)' }).isVisible()).toBe(false);
    expect(await page.getByRole('heading', { name: 'I. Reaction information' }).isVisible()).toBe(true);
    await screenshot(page, '63-sae-print');
    await page.emulateMedia({ media: 'screen' });

    // The overdue one.
    await page.goBack();
    await page
      .getByRole('table', { name: 'Adverse event listing' })
      .getByRole('link', { name: 'Anaphylaxis' })
      .click();
    await waitForText(page.getByRole('status', { name: 'Reporting clock' }), 'Overdue');
  });

  it('a coordinator edits an AE outcome with a reason, and the next new-AE form is blank', async () => {
    const page = await loginAs(e, 'coordinator');
    await page.goto(`/subjects/${subjectA}`);
    const aes = page.getByRole('table', { name: 'Adverse events' });
    await waitForText(aes, 'Headache');
    await aes.getByRole('button', { name: 'Edit Headache' }).click();
    const edit = page.getByRole('form', { name: 'Change adverse event Headache' });
    await edit.getByLabel('Outcome').selectOption('recovered');
    await edit.getByLabel('Resolution date').fill('2026-02-04');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    // No reason: the browser refuses the empty required field; nothing is saved.
    expect(await edit.isVisible()).toBe(true);
    await edit.getByLabel('Reason for change').fill('phone follow-up with the patient');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await waitForText(aes.locator('tr[data-ae="Headache"]'), 'recovered');
    await waitForText(aes.locator('tr[data-ae="Headache"]'), '2026-02-04');
    expect(await edit.count()).toBe(0);

    // A new report with every field set; afterwards the form is blank again.
    const form = page.getByRole('form', { name: 'Report an adverse event' });
    await form.getByLabel('AE term').fill('Nausea');
    await form.getByLabel('Onset date').fill('2026-03-05');
    await form.getByLabel('CTCAE grade').selectOption('2');
    await form.getByLabel('Relatedness to infusion').selectOption('possible');
    await form.getByLabel('Outcome').selectOption('recovering');
    await form.getByLabel('Action taken').fill('ondansetron');
    await form.getByRole('checkbox', { name: 'medically important' }).check();
    await form.getByLabel('Narrative').fill('Vomiting after the infusion.');
    await form.getByRole('button', { name: 'Report adverse event' }).click();
    await waitForText(aes, 'Nausea');
    const blank = page.getByRole('form', { name: 'Report an adverse event' });
    expect(await blank.getByLabel('AE term').inputValue()).toBe('');
    expect(await blank.getByLabel('Onset date').inputValue()).toBe('');
    expect(await blank.getByLabel('CTCAE grade').inputValue()).toBe('');
    expect(await blank.getByLabel('Relatedness to infusion').inputValue()).toBe('not_related');
    expect(await blank.getByLabel('Outcome').inputValue()).toBe('');
    expect(await blank.getByLabel('Action taken').inputValue()).toBe('');
    expect(await blank.getByRole('checkbox', { name: 'medically important' }).isChecked()).toBe(false);
    expect(await blank.getByLabel('Narrative').count()).toBe(0);
    await screenshot(page, '64-ae-edited');

    // The SAE's CIOMS-I form from the subject's AE table (serious events only): the server's PDF.
    const sae = aes.locator('tr[data-ae="Anaphylaxis"]');
    expect(
      await aes
        .locator('tr[data-ae="Headache"]')
        .getByRole('link', { name: /CIOMS-I/ })
        .count(),
    ).toBe(0);
    expect(
      await sae.getByRole('link', { name: 'CIOMS-I form of Anaphylaxis (HTML)' }).getAttribute('href'),
    ).toMatch(/^\/api\/adverse-events\/[^/]+\/cioms\.html$/);
    const [cioms] = await Promise.all([
      page.waitForEvent('download', { timeout: 60_000 }),
      sae.getByRole('link', { name: 'CIOMS-I form of Anaphylaxis (PDF)' }).click(),
    ]);
    expect(cioms.suggestedFilename()).toMatch(/^cioms-.+-Anaphylaxis\.pdf$/);
    const ciomsPdf = await readFile((await cioms.path())!);
    expect(ciomsPdf.subarray(0, 5).toString()).toBe('%PDF-');
    const ciomsText = (
      await extractText(await getDocumentProxy(new Uint8Array(ciomsPdf)), { mergePages: true })
    ).text.replace(/\s+/g, ' ');
    expect(ciomsText).toContain('CIOMS-I suspect adverse reaction report');
    expect(ciomsText).toContain('Anaphylaxis');
    expect(ciomsText).toContain('Is life threatening (yes)');

    // The change is in the subject's audit trail with its reason.
    const api = await apiAs(e, 'coordinator');
    const trail = await api.get<{ field: string | null; newValue: string | null; reason: string | null }[]>(
      `/api/subjects/${subjectA}/audit`,
    );
    expect(trail.body).toContainEqual(
      expect.objectContaining({
        field: 'outcome',
        newValue: 'recovered',
        reason: 'phone follow-up with the patient',
      }),
    );
  });

  it('a death recorded inconsistently is shown on the SAE page and raised as a system query', async () => {
    const api = await apiAs(e, 'coordinator');
    const r = await api.post<{ id: string }>(`/api/subjects/${subjectA}/adverse-events`, {
      term: 'Cardiac arrest',
      onsetDate: '2026-03-10',
      ctcaeGrade: 5,
      seriousness: ['hospitalisation'],
      relatedness: 'not_related',
      outcome: 'fatal',
      deathDate: '2026-03-10',
    });
    expect(r.status).toBe(201);
    const page = await loginAs(e, 'safety');
    await page.goto(`/adverse-events/${r.body.id}`);
    const alert = page.getByRole('alert', { name: 'Death records disagree' });
    await waitForText(alert, 'does not carry the seriousness criterion "death"');
    const queries = await (await apiAs(e, 'monitor')).get<{
      queries: { text: string; raisedByName: string }[];
    }>(`/api/studies/${e.trial.studyId}/queries?subjectId=${subjectA}`);
    expect(queries.body.queries).toContainEqual(
      expect.objectContaining({
        raisedByName: 'msct automatic check',
        text: expect.stringContaining('"Cardiac arrest" resulted in death'),
      }),
    );
  });

  it('the listing pages through more events than one page holds; the counts stay over all (issue 16)', async () => {
    const api = await apiAs(e, 'coordinator');
    // 55 events of one term: more than a page of the listing (50).
    for (let i = 1; i <= 55; i++) {
      const r = await api.post(`/api/subjects/${subjectA}/adverse-events`, {
        term: `Rash ${String(i).padStart(2, '0')}`,
        onsetDate: `2026-02-${String(1 + (i % 28)).padStart(2, '0')}`,
        ctcaeGrade: 1,
        relatedness: 'not_related',
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    const page = await loginAs(e, 'safety');
    await page.goto(`/studies/${e.trial.studyId}/adverse-events`);
    const filters = page.getByRole('form', { name: 'Filter adverse events' });
    await filters.getByLabel('Seriousness').selectOption('');
    await filters.getByLabel('Term contains').fill('Rash');
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    const counts = page.getByRole('list', { name: 'Adverse event counts' });
    await waitForText(counts, '55 events');
    const pager = page.getByRole('navigation', { name: 'Pages of the adverse event listing' });
    await waitForText(pager, 'Showing 1–50 of 55 matching adverse events · page 1 of 2');
    const listing = page.getByRole('table', { name: 'Adverse event listing' });
    expect(await listing.locator('tbody tr').count()).toBe(50);
    const firstPage = await listing
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-ae')));
    await pager.getByRole('button', { name: 'Next' }).click();
    await waitForText(pager, 'Showing 51–55 of 55 matching adverse events · page 2 of 2');
    expect(await listing.locator('tbody tr').count()).toBe(5);
    const secondPage = await listing
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-ae')));
    // The two pages together are the 55 events, each once; the counts did not change.
    expect(new Set([...firstPage, ...secondPage]).size).toBe(55);
    await waitForText(counts, '55 events');
    expect(await pager.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    await screenshot(page, '65-ae-listing-paged');
    await pager.getByRole('button', { name: 'Previous' }).click();
    await waitForText(pager, 'Showing 1–50 of 55');
  });

  it('the query list pages too; its status counts are over every query (issue 16)', async () => {
    const monitor = await apiAs(e, 'monitor');
    for (let i = 1; i <= 52; i++) {
      const r = await monitor.post(`/api/subjects/${subjectA}/queries`, {
        entityType: 'subject',
        entityId: subjectA,
        field: 'sex',
        text: `Check the sex, please (${i})`,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    const all = await monitor.get<{ counts: { total: number; byStatus: Record<string, number> } }>(
      `/api/studies/${e.trial.studyId}/queries?limit=1`,
    );
    const total = all.body.counts.total;
    expect(total).toBeGreaterThanOrEqual(52);
    const page = await loginAs(e, 'monitor');
    await page.goto(`/studies/${e.trial.studyId}/queries`);
    await waitForText(page.getByTestId('query-counts'), `Open ${all.body.counts.byStatus.open}`);
    const pager = page.getByRole('navigation', { name: 'Pages of the query list' });
    await waitForText(pager, `Showing 1–50 of ${total} queries · page 1 of 2`);
    const list = page.getByRole('list', { name: 'Queries' });
    expect(await list.locator(':scope > li').count()).toBe(50);
    await pager.getByRole('button', { name: 'Last' }).click();
    await waitForText(pager, `Showing 51–${total} of ${total} queries · page 2 of 2`);
    await waitForText(list, 'Check the sex, please (52)');
    expect(await list.locator(':scope > li').count()).toBe(total - 50);
    await screenshot(page, '66-queries-paged');
  });
});
