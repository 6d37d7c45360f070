// Blank case report forms for sites (issue #22 "Printable CRFs"): one form per page, built from the
// study definition (any study, not only the built-in trial): every item with its label, type, units,
// code-list choices as tick boxes, range and help text, and the visits the form is collected at.
// Pure: definition in, HTML out; report/pdf.ts prints it.
import { type ItemDefinition, itemFormsFor } from '@msct/core/crf';
import type { StoredDefinition } from '@msct/core/protocol';
import { h, MISSING_CODE_LABELS, printDocument } from './page.js';

const TYPE_LABELS: Record<ItemDefinition['type'], string> = {
  boolean: 'yes / no',
  integer: 'whole number',
  decimal: 'number',
  text: 'text',
  date: 'date (YYYY-MM-DD)',
  code: 'one choice',
};

const box = (label: string, code?: string) =>
  `<span class="choice"><span class="box"></span>${h(label)}${code !== undefined ? ` <span class="code">(${h(code)})</span>` : ''}</span>`;

/** The answer space of an item as a site fills it in on paper. */
function answerSpace(it: ItemDefinition): string {
  let space: string;
  if (it.type === 'code') space = (it.codes ?? []).map((c) => box(c.label, c.code)).join('');
  else if (it.type === 'boolean') space = box('Yes', '1') + box('No', '0');
  else if (it.type === 'date')
    space = '<span class="line" style="min-width:32mm"></span> <span class="small">YYYY-MM-DD</span>';
  else if (it.type === 'text') space = '<span class="line" style="min-width:90mm"></span>';
  else {
    const units = it.units ?? [];
    space = `<span class="line" style="min-width:28mm"></span> ${
      units.length > 1 ? units.map((u) => box(u)).join('') : h(units[0] ?? '')
    }`;
  }
  const missing = (it.missingCodes ?? []).map((c) => box(MISSING_CODE_LABELS[c] ?? c, c)).join('');
  return missing ? `${space}<div class="small">or: ${missing}</div>` : space;
}

const rangeOf = (it: ItemDefinition) =>
  it.min === undefined && it.max === undefined
    ? ''
    : `${it.min ?? '…'} – ${it.max ?? '…'}${it.units?.[0] ? ` ${it.units[0]}` : ''}`;

export interface StudyHeading {
  code: string;
  title: string;
}

/** The study's blank CRFs as one printable HTML document, a page per form. */
export function blankCrfHtml(definition: StoredDefinition, study: StudyHeading): string {
  const resolved = itemFormsFor(definition);
  const visitLabel = new Map((definition.visits ?? []).map((v) => [v.code, v.label]));
  visitLabel.set('UNSCHEDULED', 'Unscheduled visit');
  const forms = definition.forms ?? [];
  const pages = forms.map((f) => {
    const items = resolved.get(f.id)?.items ?? [];
    const visits = f.visitCodes.map((c) => `${visitLabel.get(c) ?? c} (${c})`).join(', ');
    const rows = items
      .map((it, i) => {
        const notes = [
          it.help ? `<div class="small">${h(it.help)}</div>` : '',
          it.source ? `<div class="small">Source: ${h(it.source)}</div>` : '',
        ].join('');
        return `<tr><td>${i + 1}</td><td>${h(it.label)}${it.required ? ' <strong>*</strong>' : ''} <span class="code">${h(it.code)}</span>${notes}</td><td>${answerSpace(it)}</td><td>${h(TYPE_LABELS[it.type])}${it.units?.length ? `<br>${h(it.units.join(', '))}` : ''}</td><td>${h(rangeOf(it))}</td></tr>`;
      })
      .join('\n');
    return `<section class="page" id="crf-${h(f.id)}">
<h2>${h(f.title)} <span class="code">${h(f.id)}</span></h2>
<p class="meta">Collected at: ${h(visits)}</p>
<table>
<tr><th scope="row">Subject code</th><td><span class="line"></span></td><th scope="row">Site</th><td><span class="line" style="min-width:25mm"></span></td></tr>
<tr><th scope="row">Visit</th><td><span class="line"></span></td><th scope="row">Visit date</th><td><span class="line" style="min-width:25mm"></span> <span class="small">YYYY-MM-DD</span></td></tr>
</table>
${
  items.length === 0
    ? '<p class="small">This form has no items in the definition (free form).</p>'
    : `<table>
<thead><tr><th scope="col">#</th><th scope="col">Question</th><th scope="col">Answer</th><th scope="col">Type / units</th><th scope="col">Range</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<p class="small">* required. Range: values outside it are refused at entry.</p>`
}
<p>Completed by (name, signature, date): <span class="line" style="min-width:110mm"></span></p>
</section>`;
  });
  const header = `<h1>Blank case report forms — ${h(study.title)}</h1>
<p class="meta">Study ${h(study.code)}; definition ${h(definition.id ?? '')} version ${h(definition.version ?? '')}; ${forms.length} forms</p>`;
  return printDocument(`Blank CRFs — ${study.code}`, header, pages.join('\n'));
}
