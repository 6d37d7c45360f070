// A CIOMS-I-style suspect adverse reaction report (issue #21), one printable page set per AE, laid
// out in the four sections of the CIOMS-I form (CIOMS Working Group I, 1990): I. reaction
// information (boxes 1–13), II. suspect drug information (14–21), III. concomitant drugs and
// history (22–23), IV. manufacturer information (24a–25a), plus the causality assessments and the
// reporting dates ICH E2A asks for. Values are shown as labels, not codes. Pure: the loaded report
// (cioms-data.ts) in, HTML out.

import { itemFormsFor } from '@msct/core/crf';
import {
  AE_OUTCOME_CODE_LIST,
  RELATEDNESS_CODE_LIST,
  SERIOUSNESS,
  SERIOUSNESS_CODE_LIST,
} from '@msct/core/safety';
import { printedInstant, printedValue } from './casebook.js';
import type { Cioms } from './cioms-data.js';
import { CONCOMITANT_FORM, HISTORY_FORM } from './cioms-data.js';
import { h, printDocument } from './page.js';

const label = (list: { codes: readonly { code: string; label: string }[] }, code: string | null) =>
  code === null ? '' : (list.codes.find((c) => c.code === code)?.label ?? code);

const box = (checked: boolean, text: string) =>
  `<span class="choice"><span class="box" aria-hidden="true">${checked ? '✕' : ''}</span>${checked ? '<strong>' : ''}${h(text)}${checked ? '</strong>' : ''}${checked ? ' (yes)' : ''}</span>`;

const row = (cells: [string, string][]) =>
  `<tr>${cells.map(([k, v]) => `<th scope="row">${h(k)}</th><td>${v}</td>`).join('')}</tr>`;

export function ciomsHtml(c: Cioms, generatedAt: string): string {
  const forms = itemFormsFor(c.definition);
  const itemOf = (form: string, item: string) => forms.get(form)?.items.find((i) => i.code === item);
  const values = (form: string, items: { itemCode: string; value: string | null; unit: string | null }[]) =>
    items
      .filter((i) => i.value !== null && i.value !== '')
      .map((i) => {
        const def = itemOf(form, i.itemCode);
        return `${h(def?.label ?? i.itemCode)}: ${h(printedValue(def, i.value))}${i.unit ? ` ${h(i.unit)}` : ''}`;
      });
  const a = c.ae;
  const s = c.subject;
  const plan = c.definition.infusion;
  const age =
    c.ageAtOnset === null
      ? 'not recorded'
      : c.ageAtOnset >= 90
        ? '90 years or older'
        : `${c.ageAtOnset} years`;
  const seriousBoxes = SERIOUSNESS.map((k) =>
    box(
      a.seriousness.includes(k) || (k === 'death' && a.deathDate !== null),
      label(SERIOUSNESS_CODE_LIST, k),
    ),
  ).join('');

  const given = c.infusions.filter((i) => i.startedAt || i.plannedDate);
  const therapyFrom = given[0]?.startedAt ?? given[0]?.plannedDate ?? null;
  const last = given.at(-1);
  const therapyTo = last?.endedAt ?? last?.startedAt ?? last?.plannedDate ?? null;
  const infused = (i: Cioms['infusions'][number]) =>
    i.startedAt
      ? `${printedInstant(i.startedAt)}${i.endedAt ? ` – ${printedInstant(i.endedAt)}` : ''}`
      : `planned ${i.plannedDate ?? ''}`;
  const infusionRows = c.infusions.map(
    (i) =>
      `<tr><td>${h(`${i.cycle}.${i.infusionNumber}`)}${i.linked ? ' (linked to this event)' : ''}</td><td class="nowrap">${h(i.productLot ?? '')}</td><td>${h(i.totalCells === null ? '' : i.totalCells.toExponential(2))}</td><td>${h(i.weightKg === null ? '' : `${i.weightKg} kg`)}</td><td>${h(i.cellsPerKg === null ? '' : `${i.cellsPerKg.toExponential(2)} cells/kg`)}</td><td>${h(i.viabilityPct === null ? '' : `${i.viabilityPct} %`)}</td><td>${h(infused(i))}</td></tr>${i.reactions ? `<tr><td colspan="7">Infusion reactions: ${h(i.reactions)}</td></tr>` : ''}`,
  );
  const productTable = c.blindedProduct
    ? '<p class="meta">Withheld: the infusion record reveals the treatment arm, which your role is blinded to.</p>'
    : infusionRows.length
      ? `<table><thead><tr><th scope="col">Cycle.no</th><th scope="col">MSC lot</th><th scope="col">Total cells</th><th scope="col">Weight</th><th scope="col">Cells/kg</th><th scope="col">Viability</th><th scope="col">Infused (start – end)</th></tr></thead><tbody>${infusionRows.join('')}</tbody></table>`
      : '<p class="meta">No infusion given on or before the onset.</p>';

  const concomitant = c.concomitant ? values(CONCOMITANT_FORM, c.concomitant.items) : [];
  const history = values(HISTORY_FORM, c.history);
  const followUps = c.followUps.map(
    (u) => `<tr><td>${h(u.entryDate)}</td><td>${h(u.text)}</td><td>${h(u.authorName)}</td></tr>`,
  );

  const header = `<h1>CIOMS-I suspect adverse reaction report</h1>
<p class="meta">Study ${h(c.study.code)} (${h(c.study.title)}); site ${h(s.siteCode)} ${h(s.siteName)}; printed ${h(printedInstant(generatedAt))}</p>
<p class="meta">Report type (25a): ${box(c.reportType === 'initial', 'Initial')}${box(c.reportType === 'follow-up', 'Follow-up')}</p>
${c.pseudonymised ? '<p class="meta"><strong>Pseudonymised:</strong> the patient is shown by pseudonym, without birth date, and every date is shifted by a secret number of days fixed per patient (intervals are kept).</p>' : ''}`;

  const body = `<section>
<h2>I. Reaction information</h2>
<table>
${row([
  ['1. Patient', h(s.subjectCode)],
  ['1a. Country', h(c.country ?? 'not recorded')],
])}
${row([
  ['2. Date of birth', h(s.birthDate ?? (c.pseudonymised ? 'withheld' : 'not recorded'))],
  ['2a. Age at onset', h(age)],
])}
${row([
  ['3. Sex', h(s.sex ?? 'not recorded')],
  ['4–6. Reaction onset', h(a.onsetDate)],
])}
${row([
  ['Became serious', h(a.seriousDate ?? '')],
  ['Resolved', h(a.resolutionDate ?? 'not resolved')],
])}
${row([
  ['CTCAE grade', h(a.ctcaeGrade === null ? 'not graded' : String(a.ctcaeGrade))],
  ['Outcome', h(label(AE_OUTCOME_CODE_LIST, a.outcome) || 'not recorded')],
])}
${
  a.deathDate || a.deathCause
    ? row([
        ['Date of death', h(a.deathDate ?? '')],
        ['Cause of death', h(a.deathCause ?? '')],
      ])
    : ''
}
</table>
<h3>7 + 13. Describe reaction(s) (including relevant tests and laboratory data)</h3>
<p><strong>${h(a.term)}</strong></p>
<p class="narrative">${h(a.narrative ?? 'No narrative recorded.')}</p>
<p>Action taken: ${h(a.actionTaken ?? 'not recorded')}</p>
<h3>8–12. Check all appropriate to the adverse reaction (ICH E2A seriousness)</h3>
<p>${seriousBoxes}</p>
<h3>Follow-up information</h3>
${followUps.length ? `<table><thead><tr><th scope="col">Date</th><th scope="col">Follow-up</th><th scope="col">By</th></tr></thead><tbody>${followUps.join('')}</tbody></table>` : '<p class="meta">No follow-up recorded.</p>'}
</section>
<section>
<h2>II. Suspect drug information</h2>
<table>
${row([
  ['14. Suspect product', h(plan?.product ?? 'MSC infusion (no product named by the study definition)')],
  ['16. Route', h(plan?.route ?? 'not given by the study definition')],
])}
${row([
  [
    '15. Planned dose',
    h(plan?.cellsPerKg ? `${plan.cellsPerKg.toExponential(1)} cells/kg per infusion` : 'not given'),
  ],
  ['17. Indication', h(c.study.title)],
])}
${row([
  [
    '18. Therapy dates (from/to)',
    h(
      therapyFrom
        ? `${printedInstant(therapyFrom)} – ${printedInstant(therapyTo)}`
        : 'none given before the onset',
    ),
  ],
  ['20–21. Dechallenge / rechallenge', 'not applicable (infusions, not continuous therapy)'],
])}
</table>
${productTable}
</section>
<section>
<h2>III. Concomitant drugs and history</h2>
<h3>22. Concomitant drugs and dates of administration</h3>
${
  c.concomitant && concomitant.length
    ? `<p class="meta">As recorded at visit ${h(c.concomitant.visitCode)} on ${h(c.concomitant.visitDate)}, the last on or before the onset.</p><ul>${concomitant.map((v) => `<li>${v}</li>`).join('')}</ul>`
    : '<p class="meta">None recorded on or before the onset.</p>'
}
<h3>23. Other relevant history</h3>
${history.length ? `<ul>${history.map((v) => `<li>${v}</li>`).join('')}</ul>` : '<p class="meta">None recorded.</p>'}
</section>
<section>
<h2>IV. Manufacturer and sponsor information</h2>
<table>
${row([
  [
    '24a. Sponsor / manufacturer',
    `${h(`Sponsor of study ${c.study.code}`)}${plan?.product ? `; product: ${h(plan.product)}` : ''}`,
  ],
  ['24b. Control no.', h(`${c.study.code}-${a.id}`)],
])}
${row([
  ['Site aware', h(printedInstant(a.siteAwareAt) || 'not recorded')],
  ['24c. Date received by sponsor', h(printedInstant(a.sponsorNotifiedAt) || 'not recorded')],
])}
${row([
  ['24d. Report source', 'Study'],
  ['Date of this report', h(a.reportedDate ?? generatedAt.slice(0, 10))],
])}
</table>
<h3>Causality and expectedness</h3>
<table>
${row([
  ["Investigator's causality", h(label(RELATEDNESS_CODE_LIST, a.relatedness))],
  ["Sponsor's causality", h(label(RELATEDNESS_CODE_LIST, a.sponsorRelatedness) || 'not yet assessed')],
])}
${row([
  ['Expectedness', h(a.expectedness ?? 'not yet assessed')],
  ['Expedited report sent', h(a.reportedDate ?? 'not yet')],
])}
</table>
</section>`;
  return printDocument(`CIOMS-I — ${a.term} — ${s.subjectCode}`, header, body);
}
