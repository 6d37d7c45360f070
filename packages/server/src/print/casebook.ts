// The patient casebook as a printable document (issue #22; issue #21: a signed record shows the
// signer's full name, the date/time and the meaning, 21 CFR 11.50): the subject, every visit's forms
// with their values as labels (not codes) and units, each form's signature, infusions, adverse events,
// every attached file's metadata (the record it belongs to, name, type, size, SHA-256, who and when)
// and the audit trail. Pure: the loaded casebook (casebook-data.ts) in, HTML out.
import { type ItemDefinition, itemFormsFor } from '@msct/core/crf';
import type { Casebook } from './casebook-data.js';
import { h, MISSING_CODE_LABELS, printDocument } from './page.js';

const INSTANT = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$/;

/** An instant as date, time and zone (`2026-03-01 09:30:00 UTC`); a date stays an ISO date. */
export function printedInstant(s: string | null | undefined): string {
  if (!s) return '';
  const m = INSTANT.exec(s);
  return m ? `${m[1]} ${m[2]} UTC` : s;
}

/** A stored value as the form shows it: a code's label, yes/no, a missing-data code's meaning. */
export function printedValue(def: ItemDefinition | undefined, value: string | null): string {
  if (value === null || value === '') return '';
  if (MISSING_CODE_LABELS[value] && def?.missingCodes?.includes(value as 'ND'))
    return MISSING_CODE_LABELS[value];
  if (def?.type === 'boolean')
    return value === '1' || value === 'true' ? 'Yes' : value === '0' || value === 'false' ? 'No' : value;
  if (def?.type === 'code') return def.codes?.find((c) => c.code === value)?.label ?? value;
  return value;
}

const table = (head: readonly string[], rows: readonly string[][]) =>
  `<table><thead><tr>${head.map((c) => `<th scope="col">${h(c)}</th>`).join('')}</tr></thead><tbody>
${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n')}
</tbody></table>`;

export function casebookHtml(cb: Casebook, generatedAt: string): string {
  const forms = itemFormsFor(cb.definition);
  const formTitle = (code: string) =>
    forms.get(code)?.title ?? cb.definition.forms?.find((f) => f.id === code)?.title ?? code;
  const itemOf = (form: string, item: string) => forms.get(form)?.items.find((i) => i.code === item);
  const visitLabel = new Map((cb.definition.visits ?? []).map((v) => [v.code, v.label]));
  visitLabel.set('UNSCHEDULED', 'Unscheduled visit');
  const s = cb.subject;

  const signatureBlock = (sig: { signerName: string; signedAt: string; meaning: string } | null) =>
    sig
      ? `<div class="sig"><strong>Electronically signed</strong> by <strong>${h(sig.signerName)}</strong> on ${h(printedInstant(sig.signedAt))}.<br>Meaning of the signature: ${h(sig.meaning)}</div>`
      : '<div class="sig unsigned">Not signed.</div>';

  const visitSections = cb.visits.map((v) => {
    const formBlocks = v.forms.map((f) => {
      const rows = f.items.map((i) => {
        const def = itemOf(f.formCode, i.itemCode);
        return [
          `${h(def?.label ?? i.itemCode)} <span class="code">${h(i.itemCode)}</span>`,
          h(printedValue(def, i.value)),
          h(i.unit ?? ''),
        ];
      });
      return `<h3>${h(formTitle(f.formCode))}${f.record > 1 ? ` — record ${f.record}` : ''} <span class="code">${h(f.formCode)}</span> — ${h(f.status)}</h3>
${rows.length ? table(['Item', 'Value', 'Unit'], rows) : '<p class="small">No values entered.</p>'}
${signatureBlock(f.signature)}`;
    });
    return `<section class="page">
<h2>${h(visitLabel.get(v.visitCode) ?? v.visitCode)} (${h(v.visitCode)}${v.cycle > 1 ? `, cycle ${v.cycle}` : ''})</h2>
<p class="meta">Visit date: ${h(v.visitDate ?? 'not recorded')}; status: ${h(v.status)}</p>
${formBlocks.length ? formBlocks.join('\n') : '<p class="small">No forms.</p>'}
</section>`;
  });

  const signed = cb.visits.flatMap((v) =>
    v.forms.flatMap((f) =>
      f.signature
        ? [
            [
              h(`${v.visitCode}${v.cycle > 1 ? ` cycle ${v.cycle}` : ''}`),
              h(formTitle(f.formCode)),
              h(f.signature.signerName),
              h(printedInstant(f.signature.signedAt)),
              h(f.signature.meaning),
            ],
          ]
        : [],
    ),
  );

  const infusions = cb.infusions.map((i) => [
    h(`${i.cycle}.${i.infusionNumber}`),
    h(i.status),
    h(i.plannedDate ?? ''),
    h(printedInstant(i.startedAt)),
    h(printedInstant(i.endedAt)),
    h(i.productLot ?? ''),
    h(i.totalCells === null ? '' : i.totalCells.toExponential(2)),
    h(i.viabilityPct === null ? '' : `${i.viabilityPct} %`),
    h(i.reactions ?? ''),
  ]);
  const aes = cb.adverseEvents.map((a) => [
    h(a.term),
    h(a.onsetDate ?? ''),
    h(a.resolutionDate ?? ''),
    h(a.ctcaeGrade === null ? '' : String(a.ctcaeGrade)),
    h(a.serious ? `Serious: ${a.seriousness.join(', ')}` : 'No'),
    h(a.relatedness ?? ''),
    h(a.outcome ?? ''),
    h(a.actionTaken ?? ''),
  ]);

  const files = cb.attachments.map((a, i) => [
    h(
      a.visitCode === null
        ? 'Subject'
        : `Visit ${a.visitCode}${a.cycle !== null && a.cycle > 1 ? ` cycle ${a.cycle}` : ''}${a.formCode ? `, form ${formTitle(a.formCode)}` : ''}`,
    ),
    h(a.fileName ?? `File ${i + 1} (name withheld)`),
    h(a.contentType),
    h(`${a.bytes} bytes`),
    `<span class="code">${h(a.sha256)}</span>`,
    h(`${a.uploadedBy}, ${printedInstant(a.uploadedAt)}`),
    h(a.scanStatus),
    h(
      a.status === 'retracted'
        ? `Retracted ${printedInstant(a.retractedAt)}${a.retractReason ? `: ${a.retractReason}` : ''}`
        : 'Active',
    ),
  ]);

  /** An audited item value as a label: `form.item` → the item's label, a code → its label. */
  const auditField = (entityType: string, field: string | null) => {
    if (entityType === 'item' && field?.includes('.')) {
      const [form = '', item = ''] = field.split('.', 2);
      return `${formTitle(form)}: ${itemOf(form, item)?.label ?? item}`;
    }
    return field ?? '';
  };
  const auditValue = (entityType: string, field: string | null, v: string | null) => {
    if (entityType === 'item' && field?.includes('.')) {
      const [form = '', item = ''] = field.split('.', 2);
      return printedValue(itemOf(form, item), v);
    }
    return v ?? '';
  };
  const audit = (cb.audit ?? []).map((e) => [
    String(e.seq),
    h(printedInstant(e.at)),
    h(e.actor),
    h(e.action),
    h(`${e.entityType}${e.field ? ` — ${auditField(e.entityType, e.field)}` : ''}`),
    h(auditValue(e.entityType, e.field, e.oldValue)),
    h(auditValue(e.entityType, e.field, e.newValue)),
    h(e.reason ?? ''),
  ]);

  const header = `<h1>Patient casebook — ${h(s.subjectCode)}</h1>
<p class="meta">Study ${h(cb.study.code)} (${h(cb.study.title)}); site ${h(s.siteCode)} ${h(s.siteName)}; printed ${h(printedInstant(generatedAt))}</p>
${cb.pseudonymised ? '<p class="meta"><strong>Pseudonymised:</strong> the subject is shown by pseudonym, without birth date, and every date is shifted by a secret number of days fixed per subject (intervals are kept).</p>' : ''}
<table>
<tr><th scope="row">Subject</th><td>${h(s.subjectCode)}</td><th scope="row">Status</th><td>${h(s.status)}</td></tr>
<tr><th scope="row">Sex</th><td>${h(s.sex ?? '')}</td><th scope="row">Birth date</th><td>${h(s.birthDate ?? (cb.pseudonymised ? 'withheld' : ''))}</td></tr>
<tr><th scope="row">Enrolled</th><td>${h(printedInstant(s.enrolledAt))}</td><th scope="row">Day 0 (first infusion)</th><td>${h(s.day0Date ?? '')}</td></tr>
</table>`;

  const body = `<section class="page">
<h2>Signatures</h2>
${signed.length ? table(['Visit', 'Form', 'Signed by', 'Date and time', 'Meaning'], signed) : '<p class="small">No form is signed.</p>'}
<h2>Infusions</h2>
${infusions.length ? table(['Cycle.no', 'Status', 'Planned', 'Started', 'Ended', 'Product lot', 'Total cells', 'Viability', 'Reactions'], infusions) : '<p class="small">No infusions recorded.</p>'}
<h2>Adverse events</h2>
${aes.length ? table(['Term', 'Onset', 'Resolved', 'CTCAE grade', 'Serious', 'Relatedness', 'Outcome', 'Action taken'], aes) : '<p class="small">No adverse events recorded.</p>'}
<h2>Attached files</h2>
${
  files.length
    ? `<p class="meta">${files.length} file${files.length === 1 ? '' : 's'}; the SHA-256 identifies each file's exact bytes (the file itself is downloaded from the record).</p>
${table(['Belongs to', 'File', 'Type', 'Size', 'SHA-256', 'Uploaded by, when', 'Virus scan', 'Status'], files)}`
    : '<p class="small">No files attached.</p>'
}
</section>
${visitSections.join('\n')}
<section class="page">
<h2>Audit trail</h2>
${
  cb.audit === null
    ? '<p class="meta">Not included: your role does not read the audit trail.</p>'
    : `<p class="meta">${audit.length} events, in the order they were recorded (times in UTC)${cb.auditComplete ? '' : '; the trail is longer than printed here: read the rest with GET /api/subjects/{id}/audit'}.</p>
${table(['#', 'When', 'Who', 'Action', 'What', 'Old value', 'New value', 'Reason'], audit)}`
}
</section>`;
  return printDocument(`Casebook — ${s.subjectCode}`, header, body);
}
