/**
 * A protocol amendment checked against the data (issue #20, "Versions and amendments"): what a new
 * version of a study definition adds, removes, narrows or widens, and which stored values become
 * invalid under it. Pure: the caller reads the values (store/repositories/definition-versions.ts);
 * the rules are the ones entry applies (entry-rules.ts: a visit of the schedule, a form where the
 * definition collects it; crf/item-definition.ts `checkItemValue`: an item of the form, its type,
 * code list, units and range), so "invalid under the new version" means exactly "entry would refuse
 * it now". Nothing here deletes anything: a removed item keeps its values (reported, not dropped).
 */
import { itemFormsFor } from '../crf/forms.js';
import {
  checkItemValue,
  type FormDefinitionItems,
  type ItemDefinition,
  type ItemIssueCode,
} from '../crf/item-definition.js';
import { type EntryRule, formEntryRefusal, visitOpeningRefusal } from './entry-rules.js';
import type { StoredDefinition } from './stored-definition.js';

export type ChangeKind = 'added' | 'removed' | 'narrowed' | 'widened' | 'changed';

/** What a change is about. */
export type ChangeTarget =
  | 'visit'
  | 'form'
  | 'form-at-visit'
  | 'item'
  | 'item-type'
  | 'item-range'
  | 'item-code'
  | 'item-unit'
  | 'item-required'
  | 'item-label'
  | 'definition';

export interface DefinitionChange {
  kind: ChangeKind;
  target: ChangeTarget;
  visitCode?: string;
  formCode?: string;
  itemCode?: string;
  /** A code of a code list, a unit, or a top-level field of the definition. */
  detail?: string;
  message: string;
}

/** One stored value as the report reads it. */
export interface StoredValue {
  subjectCode: string;
  visitCode: string;
  cycle: number;
  formCode: string;
  itemCode: string;
  value: string | null;
  unit: string | null;
}

/** The rule a stored value breaks under the new version (entry's rule names). */
export type InvalidValueRule = EntryRule | ItemIssueCode;

export interface InvalidStoredValue extends StoredValue {
  rule: InvalidValueRule;
  message: string;
}

export interface AmendmentReport {
  added: DefinitionChange[];
  removed: DefinitionChange[];
  narrowed: DefinitionChange[];
  /** Widened (range, codes, units) and other changes (labels, required, top-level fields). */
  changed: DefinitionChange[];
  /** Values valid under the old version and invalid under the new one (at most `maxInvalid`). */
  invalidValues: InvalidStoredValue[];
  /** How many values become invalid (all of them, `invalidValues` may hold fewer). */
  invalidValuesTotal: number;
  /** Values already invalid under the old version that stay invalid (not listed). */
  alreadyInvalid: number;
  valuesChecked: number;
}

export interface AmendmentReportOptions {
  /** The study's code, for the rules' messages. */
  studyCode?: string;
  /** At most this many invalid values are listed (default 1000); the total is always counted. */
  maxInvalid?: number;
}

const quote = (s: string) => JSON.stringify(s);

/** What may make a stored value invalid: the forms and visits whose values must be read. */
export interface AmendmentScope {
  /** Every value of the study must be checked (the old definition was ad hoc, or cycles were cut). */
  all: boolean;
  /** Forms whose values may become invalid (removed, collected at fewer visits, items narrowed). */
  formCodes: string[];
  /** Visits removed from the schedule (every form's values at them). */
  visitCodes: string[];
}

/** The structural differences between two versions of a study definition. */
export function definitionChanges(
  before: StoredDefinition,
  after: StoredDefinition,
): Pick<AmendmentReport, 'added' | 'removed' | 'narrowed' | 'changed'> {
  const out: Pick<AmendmentReport, 'added' | 'removed' | 'narrowed' | 'changed'> = {
    added: [],
    removed: [],
    narrowed: [],
    changed: [],
  };
  const push = (c: DefinitionChange) => {
    const list = c.kind === 'widened' ? out.changed : out[c.kind];
    list.push(c);
  };

  // Visits of the schedule.
  const oldVisits = new Map((before.visits ?? []).map((v) => [v.code, v]));
  const newVisits = new Map((after.visits ?? []).map((v) => [v.code, v]));
  for (const [code, v] of newVisits) {
    const o = oldVisits.get(code);
    if (!o)
      push({ kind: 'added', target: 'visit', visitCode: code, message: `visit ${code} (${v.label}) added` });
    else if (JSON.stringify(o) !== JSON.stringify(v))
      push({
        kind: 'changed',
        target: 'visit',
        visitCode: code,
        message: `visit ${code} changed (day ${o.targetDay} → ${v.targetDay}, window ${JSON.stringify(o.windowDays)} → ${JSON.stringify(v.windowDays)})`,
      });
  }
  for (const code of oldVisits.keys())
    if (!newVisits.has(code))
      push({
        kind: 'removed',
        target: 'visit',
        visitCode: code,
        message: `visit ${code} removed from the schedule (its stored data is kept)`,
      });
  const oldCycles = before.infusion?.maxCycles;
  const newCycles = after.infusion?.maxCycles;
  if (newCycles !== undefined && (oldCycles === undefined || newCycles < oldCycles))
    push({
      kind: 'narrowed',
      target: 'definition',
      detail: 'infusion.maxCycles',
      message: `treatment cycles limited to ${newCycles}${oldCycles === undefined ? '' : ` (was ${oldCycles})`}`,
    });

  // Forms and the visits that collect them.
  const oldForms = new Map((before.forms ?? []).map((f) => [f.id, f]));
  const newForms = new Map((after.forms ?? []).map((f) => [f.id, f]));
  for (const [id, f] of newForms) {
    const o = oldForms.get(id);
    if (!o) {
      push({
        kind: 'added',
        target: 'form',
        formCode: id,
        message: `form ${id} (${f.title}) added at ${f.visitCodes.join(', ')}`,
      });
      continue;
    }
    for (const vc of f.visitCodes)
      if (!o.visitCodes.includes(vc))
        push({
          kind: 'added',
          target: 'form-at-visit',
          formCode: id,
          visitCode: vc,
          message: `form ${id} now collected at visit ${vc}`,
        });
    for (const vc of o.visitCodes)
      if (!f.visitCodes.includes(vc))
        push({
          kind: 'narrowed',
          target: 'form-at-visit',
          formCode: id,
          visitCode: vc,
          message: `form ${id} no longer collected at visit ${vc} (its stored data is kept)`,
        });
  }
  for (const id of oldForms.keys())
    if (!newForms.has(id))
      push({
        kind: 'removed',
        target: 'form',
        formCode: id,
        message: `form ${id} removed (its stored data is kept)`,
      });

  // Items of the forms both versions have, resolved (catalog items, code lists in place).
  const oldItems = itemFormsFor(before);
  const newItems = itemFormsFor(after);
  for (const [formCode, nf] of newItems) {
    if (!oldForms.has(formCode)) continue;
    const of = oldItems.get(formCode);
    for (const c of itemChanges(formCode, of, nf)) push(c);
  }

  // Everything else of the definition (eligibility, endpoints, analysis measures, …): named, not diffed.
  const shown = new Set(['visits', 'forms', 'codeLists']);
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const key of keys) {
    if (shown.has(key)) continue;
    const o = JSON.stringify((before as Record<string, unknown>)[key]);
    const n = JSON.stringify((after as Record<string, unknown>)[key]);
    if (o !== n)
      push({
        kind: 'changed',
        target: 'definition',
        detail: key,
        message: o === undefined ? `${key} added` : n === undefined ? `${key} removed` : `${key} changed`,
      });
  }
  return out;
}

function itemChanges(
  formCode: string,
  before: FormDefinitionItems | undefined,
  after: FormDefinitionItems,
): DefinitionChange[] {
  const out: DefinitionChange[] = [];
  // A form without items (free) becoming itemised narrows every value it holds.
  if (!before) {
    out.push({
      kind: 'narrowed',
      target: 'form',
      formCode,
      message: `form ${formCode} now declares its items (${after.items.map((i) => i.code).join(', ')}); other items are no longer accepted`,
    });
    return out;
  }
  const oldItems = new Map(before.items.map((i) => [i.code, i]));
  const newItems = new Map(after.items.map((i) => [i.code, i]));
  for (const [code, n] of newItems) {
    const o = oldItems.get(code);
    const at = { formCode, itemCode: code };
    const name = `${formCode}.${code}`;
    if (!o) {
      out.push({ kind: 'added', target: 'item', ...at, message: `item ${name} (${n.label}) added` });
      continue;
    }
    if (o.type !== n.type)
      out.push({
        kind: 'narrowed',
        target: 'item-type',
        ...at,
        message: `item ${name}: type ${o.type} → ${n.type}`,
      });
    out.push(...rangeChanges(name, at, o, n));
    const oldCodes = new Set((o.codes ?? []).map((c) => c.code));
    const newCodes = new Set((n.codes ?? []).map((c) => c.code));
    for (const c of oldCodes)
      if (!newCodes.has(c))
        out.push({
          kind: 'narrowed',
          target: 'item-code',
          ...at,
          detail: c,
          message: `item ${name}: code ${quote(c)} removed`,
        });
    for (const c of newCodes)
      if (!oldCodes.has(c))
        out.push({
          kind: 'widened',
          target: 'item-code',
          ...at,
          detail: c,
          message: `item ${name}: code ${quote(c)} added`,
        });
    const oldUnits = o.units ?? [];
    const newUnits = n.units ?? [];
    for (const u of oldUnits)
      if (!newUnits.includes(u))
        out.push({
          kind: 'narrowed',
          target: 'item-unit',
          ...at,
          detail: u,
          message: `item ${name}: unit ${u} no longer accepted`,
        });
    for (const u of newUnits)
      if (!oldUnits.includes(u))
        out.push({
          kind: 'widened',
          target: 'item-unit',
          ...at,
          detail: u,
          message: `item ${name}: unit ${u} accepted`,
        });
    if (Boolean(o.required) !== Boolean(n.required))
      out.push({
        kind: 'changed',
        target: 'item-required',
        ...at,
        message: `item ${name} is ${n.required ? 'now required' : 'no longer required'}`,
      });
    if (o.label !== n.label)
      out.push({
        kind: 'changed',
        target: 'item-label',
        ...at,
        message: `item ${name}: label ${quote(o.label)} → ${quote(n.label)}`,
      });
  }
  for (const code of oldItems.keys())
    if (!newItems.has(code))
      out.push({
        kind: 'removed',
        target: 'item',
        formCode,
        itemCode: code,
        message: `item ${formCode}.${code} removed (its stored values are kept)`,
      });
  return out;
}

function rangeChanges(
  name: string,
  at: { formCode: string; itemCode: string },
  o: ItemDefinition,
  n: ItemDefinition,
): DefinitionChange[] {
  if (o.min === n.min && o.max === n.max) return [];
  const range = (i: ItemDefinition) => `${i.min ?? '…'}–${i.max ?? '…'}`;
  const narrowed =
    (n.min !== undefined && (o.min === undefined || n.min > o.min)) ||
    (n.max !== undefined && (o.max === undefined || n.max < o.max));
  const widened =
    (o.min !== undefined && (n.min === undefined || n.min < o.min)) ||
    (o.max !== undefined && (n.max === undefined || n.max > o.max));
  const unit = n.units?.[0] ? ` ${n.units[0]}` : '';
  const message = `item ${name}: range ${range(o)} → ${range(n)}${unit}`;
  // A range moved (one end narrowed, the other widened) is narrowed: some values may fall outside.
  if (narrowed) return [{ kind: 'narrowed', target: 'item-range', ...at, message }];
  return widened ? [{ kind: 'widened', target: 'item-range', ...at, message }] : [];
}

/** Which stored values the report must read: only those a change can make invalid. */
export function amendmentScope(before: StoredDefinition, after: StoredDefinition): AmendmentScope {
  const c = definitionChanges(before, after);
  const formCodes = new Set<string>();
  const visitCodes = new Set<string>();
  for (const ch of [...c.removed, ...c.narrowed]) {
    if (ch.target === 'visit' && ch.visitCode) visitCodes.add(ch.visitCode);
    else if (ch.formCode) formCodes.add(ch.formCode);
  }
  const adHoc = (before.visits ?? []).length === 0 || (before.forms ?? []).length === 0;
  const cyclesNarrowed = c.narrowed.some((ch) => ch.detail === 'infusion.maxCycles');
  return {
    all: cyclesNarrowed || (adHoc && ((after.visits ?? []).length > 0 || (after.forms ?? []).length > 0)),
    formCodes: [...formCodes].sort(),
    visitCodes: [...visitCodes].sort(),
  };
}

/** Why a stored value would be refused by entry under `definition`, or undefined. */
function valueRefusal(
  definition: StoredDefinition,
  forms: Map<string, FormDefinitionItems>,
  studyCode: string,
  v: StoredValue,
): { rule: InvalidValueRule; message: string } | undefined {
  // The reason only lets an unscheduled visit through: it had one when it was opened.
  const visit = visitOpeningRefusal(definition, studyCode, {
    visitCode: v.visitCode,
    cycle: v.cycle,
    reason: 'stored',
  });
  if (visit && visit.rule !== 'unscheduled-reason-required')
    return { rule: visit.rule, message: visit.message };
  const form = formEntryRefusal(definition, studyCode, v.formCode, v.visitCode);
  if (form) return { rule: form.rule, message: form.message };
  const items = forms.get(v.formCode);
  if (!items) return undefined; // a free form takes any item
  const issue = checkItemValue(items, v.itemCode, v.value, v.unit);
  return issue ? { rule: issue.code, message: issue.message } : undefined;
}

/**
 * The amendment report: the structural changes from `before` to `after`, and the stored `values`
 * that become invalid under `after` (valid under `before`). Pass the values `amendmentScope`
 * selects, or all of them: values no change touches are never reported.
 */
export function amendmentReport(
  before: StoredDefinition,
  after: StoredDefinition,
  values: Iterable<StoredValue>,
  options: AmendmentReportOptions = {},
): AmendmentReport {
  const studyCode = options.studyCode ?? after.id ?? 'study';
  const maxInvalid = options.maxInvalid ?? 1000;
  const report: AmendmentReport = {
    ...definitionChanges(before, after),
    invalidValues: [],
    invalidValuesTotal: 0,
    alreadyInvalid: 0,
    valuesChecked: 0,
  };
  const oldForms = itemFormsFor(before);
  const newForms = itemFormsFor(after);
  for (const v of values) {
    report.valuesChecked++;
    const now = valueRefusal(after, newForms, studyCode, v);
    if (!now) continue;
    if (valueRefusal(before, oldForms, studyCode, v)) {
      report.alreadyInvalid++;
      continue;
    }
    report.invalidValuesTotal++;
    if (report.invalidValues.length < maxInvalid) report.invalidValues.push({ ...v, ...now });
  }
  return report;
}
