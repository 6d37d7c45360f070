// Live panels beside catalog forms: what the draft scores or decides, computed in the browser by the
// same core functions the server and the analysis use.
import {
  BILAG2004_FORM_CODE,
  BILAG2004_FORM_GROUPS,
  BILAG2004_SYSTEM_LABELS,
  bilag2004SystemGrades,
  deriveVisitScores,
  explain,
  type FormDefinitionItems,
  type HeldScreeningValue,
  type ItemDefinition,
  screeningFromItems,
  waiverItemCode,
  withHeldValues,
} from '@msct/core/crf';
import { BILAG2004_PROVISIONAL_NOTE, isProvisionalBilag2004Grade } from '@msct/core/instruments';
import {
  type EligibilityCondition,
  type EligibilityCriterion,
  evaluateEligibility,
} from '@msct/core/protocol';
import type { ReactNode } from 'react';
import type { PreviousAssessment, VisitWithForms } from '../api/types.js';
import { t } from '../i18n/index.js';
import { catalogForms, type Definition } from '../lib/definition.js';
import { visitItemsOf } from '../lib/visit-items.js';
import type { Draft, ItemGroup } from './catalog-form.js';
import { TableScroll } from './table-scroll.js';
import { TextField } from './text-field.js';

export function BilagLive({ visit, draft }: { visit: VisitWithForms; draft: Draft }) {
  const bilag = deriveVisitScores(visitItemsOf(visit, { formCode: 'bilag', items: draft }), {
    trace: true,
  }).bilag;
  const entered = Object.values(draft).filter((d) => d.value !== null).length;
  return (
    <div className="live-box" role="status" aria-live="polite" aria-label={t('livePanels.bilagLive')}>
      {bilag?.ok ? (
        <span className="score" data-testid="bilag-total">
          {t('livePanels.bilagTotal', { total: bilag.value.total })}
        </span>
      ) : (
        <span data-testid="bilag-total">{t('livePanels.bilagNotYet', { entered })}</span>
      )}
      {bilag?.ok && <span> {t('livePanels.highest', { grade: String(bilag.value.highest) })}</span>}
      <ul className="trace" aria-label={t('livePanels.bilagTrace')}>
        {explain(bilag).map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
    </div>
  );
}

type SystemGrades = ReturnType<typeof bilag2004SystemGrades>;
type System = keyof SystemGrades;

/** Per-system grades of a draft, computed once per draft however many fieldsets show them. */
const gradesOfDraft = new WeakMap<
  Draft,
  { previous: PreviousAssessment | undefined; grades: SystemGrades }
>();
function systemGrades(draft: Draft, previous: PreviousAssessment | undefined): SystemGrades {
  const hit = gradesOfDraft.get(draft);
  if (hit && hit.previous === previous) return hit.grades;
  const grades = bilag2004SystemGrades(draft, previous?.items);
  gradesOfDraft.set(draft, { previous, grades });
  return grades;
}

const gradeText = (r: SystemGrades[System]) => (r.ok ? r.value : t('livePanels.notGraded'));

/** The BILAG-2004 form's fieldsets, one per system. */
export const BILAG2004_GROUPS: readonly ItemGroup[] = BILAG2004_FORM_GROUPS.map((g) => ({
  id: g.system,
  legend: g.title,
  codes: g.items.map((i) => i.code),
}));

/** A system's live grade, at the top of its fieldset. */
export function Bilag2004SystemGrade({
  system,
  draft,
  previous,
}: {
  system: System;
  draft: Draft;
  previous?: PreviousAssessment | undefined;
}) {
  const r = systemGrades(draft, previous)[system];
  return (
    <p className="group-grade" role="status" aria-live="polite">
      {t('livePanels.systemGrade', { system: BILAG2004_SYSTEM_LABELS[system] })}{' '}
      <strong data-testid={`bilag2004-grade-${system}`}>{gradeText(r)}</strong>
      {r.ok && isProvisionalBilag2004Grade(system, r.value) && (
        <span className="provisional" data-testid={`bilag2004-provisional-${system}`}>
          {' '}
          ({BILAG2004_PROVISIONAL_NOTE})
        </span>
      )}
    </p>
  );
}

/**
 * BILAG-2004: the nine grades, the numeric total (12/8/1) and the trace, from the draft. The renal
 * change rules (creatinine, proteinuria, GFR against the previous assessment, instruments.md §2.2.3)
 * use the subject's previous BILAG-2004 assessment, as the server does.
 */
export function Bilag2004Live({
  visit,
  draft,
  previous,
}: {
  visit: VisitWithForms;
  draft: Draft;
  previous?: PreviousAssessment | undefined;
}) {
  const total = deriveVisitScores(
    visitItemsOf(visit, { formCode: BILAG2004_FORM_CODE, items: draft }),
    previous ? { previousBilag2004: previous.items, trace: true } : { trace: true },
  ).bilag2004;
  const grades = systemGrades(draft, previous);
  const systems = BILAG2004_FORM_GROUPS.map((g) => g.system);
  const waiting = systems.filter((s) => !grades[s].ok);
  const trace = total?.ok ? explain(total) : systems.flatMap((s) => (grades[s].ok ? explain(grades[s]) : []));
  const problems = total && !total.ok ? total.issues.filter((i) => i.code !== 'history-missing') : [];
  return (
    <section className="live-box" aria-label={t('livePanels.live2004')}>
      <p role="status" aria-live="polite">
        {total?.ok ? (
          <span className="score" data-testid="bilag2004-total">
            {t('livePanels.total2004', { total: total.value.numeric })}
          </span>
        ) : (
          <span data-testid="bilag2004-total">
            {t('livePanels.notYet2004', { graded: systems.length - waiting.length, systems: systems.length })}
          </span>
        )}
      </p>
      <p data-testid="bilag2004-previous">
        {previous
          ? t('livePanels.previous', { visit: previous.visitCode, date: previous.visitDate ?? 'none' })
          : t('livePanels.noPrevious')}
      </p>
      <TableScroll label={t('livePanels.grades2004')}>
        <table className="compact" aria-label={t('livePanels.grades2004')}>
          <thead>
            <tr>
              <th scope="col">{t('livePanels.system')}</th>
              <th scope="col">{t('livePanels.grade')}</th>
              <th scope="col">{t('livePanels.rule')}</th>
            </tr>
          </thead>
          <tbody>
            {systems.map((s) => {
              const g = grades[s];
              return (
                <tr key={s} data-system={s}>
                  <th scope="row">{BILAG2004_SYSTEM_LABELS[s]}</th>
                  <td data-testid={`bilag2004-summary-${s}`}>{g.ok ? g.value : '—'}</td>
                  <td className="provisional">
                    {g.ok && isProvisionalBilag2004Grade(s, g.value) ? t('livePanels.provisional') : ''}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableScroll>
      {systems.some((s) => {
        const g = grades[s];
        return g.ok && isProvisionalBilag2004Grade(s, g.value);
      }) && <p className="provisional-note">{t('livePanels.provisionalNote')}</p>}
      {problems.length > 0 && (
        <ul aria-label={t('livePanels.problems2004')}>
          {problems.map((i) => (
            <li key={`${i.path.join('.')}:${i.message}`}>
              {i.path.join('.')}: {i.message}
            </li>
          ))}
        </ul>
      )}
      <ul className="trace" aria-label={t('livePanels.trace2004')}>
        {trace.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
    </section>
  );
}

export function EligibilityChecklist({
  criteria,
  draft,
  setValue,
  readOnly,
  held = [],
  labels = {},
}: {
  criteria: readonly EligibilityCriterion[];
  draft: Draft;
  setValue(code: string, value: string): void;
  readOnly: boolean;
  /** Values the study already holds (the server's, from stored data): read instead of the draft's. */
  held?: readonly HeldScreeningValue[];
  /** The screening items (label, type), for the held values' list. */
  labels?: Readonly<Record<string, Pick<ItemDefinition, 'label' | 'type'>>>;
}) {
  const { data, waivers } = screeningFromItems(criteria, withHeldValues(draft, held));
  const result = evaluateEligibility(criteria, data, waivers);
  return (
    <section className="live-box" aria-label={t('livePanels.eligibility')}>
      {held.length > 0 && (
        <section aria-labelledby="held-h">
          <h3 id="held-h">{t('livePanels.held')}</h3>
          <p className="hint">{t('livePanels.heldHint')}</p>
          <ul data-testid="held-values">
            {held.map((h) => (
              <li key={h.item} data-item={h.item}>
                <strong>{labels[h.item]?.label ?? h.item}</strong>: {heldText(h.value, labels[h.item]?.type)}{' '}
                — {h.source}
              </li>
            ))}
          </ul>
        </section>
      )}
      <p role="status" aria-live="polite">
        {t('livePanels.overall')}{' '}
        <strong data-testid="eligibility-overall">
          {t('livePanels.overallValue', { overall: result.overall })}
        </strong>
      </p>
      <ul className="checklist">
        {result.criteria.map((c) => {
          const code = waiverItemCode(c.id);
          const waiver = draft[code]?.value ?? '';
          return (
            <li key={c.id} data-criterion={c.id} data-status={c.status}>
              <span className={`crit-status crit-${c.status}`}>
                {t('livePanels.critStatus', { status: c.status })}
              </span>{' '}
              <span className="muted">{t('livePanels.critKind', { kind: c.kind })}</span>{' '}
              <strong>{c.label}</strong>
              <div className="muted">{c.reason}</div>
              {(c.status === 'not_met' || c.status === 'waived' || waiver) && (
                <TextField
                  label={t('livePanels.waiver', { label: c.label })}
                  value={waiver}
                  disabled={readOnly}
                  onChange={(v) => setValue(code, v)}
                />
              )}
            </li>
          );
        })}
      </ul>
      {result.rejectedWaivers.length > 0 && (
        <ul aria-label={t('livePanels.rejected')}>
          {result.rejectedWaivers.map((w) => (
            <li key={w.waiver.criterionId}>
              {t('livePanels.rejectedOne', { criterion: w.waiver.criterionId, reason: w.reason })}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** A held value in words: a yes/no item's 1/0 as yes/no. */
function heldText(value: string, type: ItemDefinition['type'] | undefined): string {
  if (type === 'boolean' && (value === '1' || value === '0'))
    return value === '1' ? t('livePanels.yes') : t('livePanels.no');
  return value;
}

function conditionUnits(c: EligibilityCondition, out: Map<string, string>) {
  if (c.op === 'all' || c.op === 'any') for (const x of c.conditions) conditionUnits(x, out);
  else if (c.op !== 'is' && c.unit) out.set(c.item, c.unit);
}

/**
 * The screening form with readable labels: each item says its unit (from the criterion that reads
 * it) and which criteria read it. Units are shown, not sent: the screening items are unitless.
 */
export function screeningFormForUi(form: FormDefinitionItems, criteria: readonly EligibilityCriterion[]) {
  const units = new Map<string, string>();
  const readers = new Map<string, string[]>();
  const collect = (c: EligibilityCondition, label: string) => {
    if (c.op === 'all' || c.op === 'any') for (const x of c.conditions) collect(x, label);
    else readers.set(c.item, [...(readers.get(c.item) ?? []), label]);
  };
  for (const c of criteria) {
    conditionUnits(c.condition, units);
    collect(c.condition, c.label);
  }
  const items: ItemDefinition[] = form.items.map((d) => {
    const unit = units.get(d.code);
    // Readable labels come from the core (SCREENING_ITEM_LABELS).
    const label = d.label;
    const read = readers.get(d.code);
    return {
      ...d,
      label: unit ? t('livePanels.labelUnit', { label, unit }) : label,
      ...(read ? { help: t('livePanels.readBy', { readers: [...new Set(read)].join('; ') }) } : {}),
    };
  });
  return { ...form, items };
}

/** What a catalog form shows beside its items: a live score, or the eligibility checklist. */
export function liveFor(
  formCode: string,
  visit: VisitWithForms,
  definition: Definition,
  context: {
    previousBilag2004?: PreviousAssessment | undefined;
    /** Screening values the study already holds (GET /api/subjects/:id/eligibility `held`). */
    held?: readonly HeldScreeningValue[];
  } = {},
):
  | {
      renderLive(draft: Draft, setValue: (code: string, value: string) => void, readOnly: boolean): ReactNode;
      hideItem?(code: string): boolean;
      groups?: readonly ItemGroup[];
      renderGroup?(groupId: string, draft: Draft): ReactNode;
    }
  | undefined {
  if (formCode === 'bilag') return { renderLive: (draft) => <BilagLive visit={visit} draft={draft} /> };
  if (formCode === BILAG2004_FORM_CODE)
    return {
      renderLive: (draft) => (
        <Bilag2004Live visit={visit} draft={draft} previous={context.previousBilag2004} />
      ),
      groups: BILAG2004_GROUPS,
      renderGroup: (system, draft) => (
        <Bilag2004SystemGrade system={system as System} draft={draft} previous={context.previousBilag2004} />
      ),
    };
  if (formCode === 'eligibility' && definition.eligibility) {
    const criteria = definition.eligibility;
    const held = context.held ?? [];
    const heldCodes = new Set(held.map((h) => h.item));
    const form = uiFormFor('eligibility', definition);
    const labels = Object.fromEntries((form?.items ?? []).map((i) => [i.code, i]));
    return {
      renderLive: (draft, setValue, readOnly) => (
        <EligibilityChecklist
          criteria={criteria}
          draft={draft}
          setValue={setValue}
          readOnly={readOnly}
          held={held}
          labels={labels}
        />
      ),
      // Waivers are entered in the checklist; a held value is not asked again.
      hideItem: (code) => code.startsWith('waiver_') || heldCodes.has(code),
    };
  }
  return undefined;
}

/** The catalog form for a form code, as the UI shows it; undefined for forms with free items. */
export function uiFormFor(formCode: string, definition: Definition): FormDefinitionItems | undefined {
  const form = catalogForms(definition).get(formCode);
  if (!form) return undefined;
  return formCode === 'eligibility' && definition.eligibility
    ? screeningFormForUi(form, definition.eligibility)
    : form;
}
