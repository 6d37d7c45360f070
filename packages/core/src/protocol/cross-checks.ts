/**
 * The rules of a study definition that look across its values: references (a form's visits, an
 * item's code list, the infusion visits, the re-treatment visit), duplicate ids, the schedule's
 * order, its one baseline and windows that overlap, and the item fields that only fit some types.
 *
 * They read the raw input, not zod's output, so that they run even when some value has the wrong
 * shape: a definition with a blank title and an unknown visit code gets both problems listed at
 * once. A value of the wrong shape is skipped here (the schema reports it).
 */
import { BILAG2004_FORM } from '../crf/bilag2004-form.js';
import { MSCT_SLE_FORMS } from '../crf/forms.js';
import type { DefinitionIssue } from './definition-issue.js';
import { crossCheckEditChecks } from './edit-check-checks.js';
import { crossCheckLabRanges } from './lab-range-checks.js';
import { crossCheckRandomisation } from './randomisation-checks.js';
import { visitWindowDays } from './study-definition.js';
import { UNSCHEDULED_VISIT_CODE } from './visit-schedule.js';

export type { DefinitionIssue, DefinitionIssueCode } from './definition-issue.js';

export interface CrossCheckOptions {
  /** Endpoint rule set ids the platform knows; when given, `endpointRuleSetId` must be one of them. */
  knownRuleSetIds?: readonly string[];
  /** Analysis measure keys the platform knows; when given, `analysisMeasures` must name only them. */
  knownMeasureKeys?: readonly string[];
}

type Path = Array<string | number>;

/**
 * The forms the analysis and the derived scores read, one record per visit each (crf/derive.ts:
 * SLEDAI-2K, BILAG, BILAG-2004, the labs, vital signs, medication, demographics, end of study; the
 * screening form). A repeating form cannot be one of them: which record would a score read?
 */
export const ANALYSIS_FORM_CODES: ReadonlySet<string> = new Set([
  ...MSCT_SLE_FORMS.map((f) => f.formCode),
  BILAG2004_FORM.formCode,
  'eligibility',
]);
type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const objects = (v: unknown): Array<[number, Obj]> =>
  Array.isArray(v) ? v.flatMap((o, i): Array<[number, Obj]> => (isObj(o) ? [[i, o]] : [])) : [];
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const quote = (v: unknown) => JSON.stringify(v);
const NUMERIC_TYPES = new Set(['integer', 'decimal']);

function unique(
  out: DefinitionIssue[],
  entries: Array<{ id: string | undefined; path: Path }>,
  what: string,
): void {
  const seen = new Set<string>();
  for (const { id, path } of entries) {
    if (id === undefined) continue;
    if (seen.has(id)) out.push({ path, code: 'duplicate', message: `duplicate ${what} ${quote(id)}` });
    seen.add(id);
  }
}

/** Every cross-value problem of a definition (empty when there is none). */
export function crossCheckStudyDefinition(
  input: unknown,
  options: CrossCheckOptions = {},
): DefinitionIssue[] {
  const out: DefinitionIssue[] = [];
  if (!isObj(input)) return out;

  unique(
    out,
    objects(input.centres).map(([i, c]) => ({ id: str(c.id), path: ['centres', i, 'id'] })),
    'centre id',
  );

  // The schedule: unique codes, one baseline on day 0, target-day order, no overlapping windows.
  const visits = objects(input.visits);
  const visitCodes = visits.map(([, v]) => str(v.code)).filter((c): c is string => c !== undefined);
  unique(
    out,
    visits.map(([i, v]) => ({ id: str(v.code), path: ['visits', i, 'code'] })),
    'visit code',
  );
  let baselines = 0;
  let previous: { code: string; targetDay: number; latestDay: number } | undefined;
  for (const [i, v] of visits) {
    if (v.code === UNSCHEDULED_VISIT_CODE) {
      out.push({
        path: ['visits', i, 'code'],
        code: 'invalid_value',
        message: `${quote(UNSCHEDULED_VISIT_CODE)} is reserved for visits outside the schedule`,
      });
    }
    const target = num(v.targetDay);
    if (v.kind === 'baseline') {
      baselines++;
      if (target !== undefined && target !== 0)
        out.push({
          path: ['visits', i, 'targetDay'],
          code: 'invalid_value',
          message: 'the baseline visit is day 0',
        });
    }
    if (target === undefined || !Number.isInteger(target)) continue;
    const w = v.windowDays;
    const before = typeof w === 'number' ? w : isObj(w) ? num(w.before) : undefined;
    const after = typeof w === 'number' ? w : isObj(w) ? num(w.after) : undefined;
    const window =
      before !== undefined && after !== undefined
        ? visitWindowDays({ targetDay: target, windowDays: { before, after } })
        : undefined;
    if (previous && target < previous.targetDay) {
      out.push({
        path: ['visits', i, 'targetDay'],
        code: 'out_of_order',
        message: `visits must be in target-day order (${target} after ${previous.targetDay})`,
      });
    } else if (previous && window && window.earliestDay <= previous.latestDay) {
      out.push({
        path: ['visits', i, 'windowDays'],
        code: 'overlap',
        message: `the window of ${quote(v.code)} (from day ${window.earliestDay}) overlaps that of ${quote(previous.code)} (to day ${previous.latestDay})`,
      });
    }
    previous = {
      code: str(v.code) ?? '?',
      targetDay: target,
      latestDay: window?.latestDay ?? target,
    };
  }
  if (Array.isArray(input.visits) && baselines !== 1) {
    out.push({
      path: ['visits'],
      code: 'invalid_value',
      message: `exactly one visit of kind 'baseline' (day 0) is needed, found ${baselines}`,
    });
  }
  const knownVisits = Array.isArray(input.visits);
  const visitList = `(${[...visitCodes, UNSCHEDULED_VISIT_CODE].join(', ')})`;
  const checkVisit = (code: unknown, path: Path) => {
    if (!knownVisits || typeof code !== 'string') return;
    if (code === UNSCHEDULED_VISIT_CODE || visitCodes.includes(code)) return;
    out.push({ path, code: 'unknown_reference', message: `unknown visit code ${quote(code)} ${visitList}` });
  };

  if (isObj(input.infusion) && Array.isArray(input.infusion.infusionVisitCodes)) {
    input.infusion.infusionVisitCodes.forEach((c, i) => {
      checkVisit(c, ['infusion', 'infusionVisitCodes', i]);
    });
  }
  if (isObj(input.retreatment))
    checkVisit(input.retreatment.afterVisitCode, ['retreatment', 'afterVisitCode']);

  // Code lists: unique ids, unique codes within a list.
  const codeLists = objects(input.codeLists);
  unique(
    out,
    codeLists.map(([i, l]) => ({ id: str(l.id), path: ['codeLists', i, 'id'] })),
    'code list id',
  );
  for (const [i, l] of codeLists) {
    unique(
      out,
      objects(l.codes).map(([j, c]) => ({ id: str(c.code), path: ['codeLists', i, 'codes', j, 'code'] })),
      `code in list ${quote(l.id)}:`,
    );
  }
  const listIds = codeLists.map(([, l]) => str(l.id)).filter((c): c is string => c !== undefined);

  // Forms and their items.
  const forms = objects(input.forms);
  unique(
    out,
    forms.map(([i, f]) => ({ id: str(f.id), path: ['forms', i, 'id'] })),
    'form id',
  );
  for (const [i, f] of forms) {
    if (Array.isArray(f.visitCodes)) {
      f.visitCodes.forEach((c, j) => {
        checkVisit(c, ['forms', i, 'visitCodes', j]);
      });
      unique(
        out,
        f.visitCodes.map((c, j) => ({ id: str(c), path: ['forms', i, 'visitCodes', j] })),
        `visit of form ${quote(f.id)}:`,
      );
    }
    const items = objects(f.items);
    unique(
      out,
      items.map(([j, it]) => ({ id: str(it.code), path: ['forms', i, 'items', j, 'code'] })),
      `item code in form ${quote(f.id)}:`,
    );
    for (const [j, it] of items) checkItem(out, it, ['forms', i, 'items', j], listIds);
    // Branching logic reads other items of the same form, never the item itself.
    const codes = items.map(([, it]) => str(it.code));
    for (const [j, it] of items)
      checkShowIf(out, it.showIf, ['forms', i, 'items', j, 'showIf'], codes, str(it.code));
    if (f.repeating === true) {
      const id = str(f.id);
      if (id !== undefined && ANALYSIS_FORM_CODES.has(id))
        out.push({
          path: ['forms', i, 'repeating'],
          code: 'invalid_value',
          message: `form ${quote(id)} carries derived scores or labs the analysis reads, so it cannot be repeating (one record per visit)`,
        });
      // Lab items (a CS/NCS significance, LOINC codes for the FHIR lab import) belong to the one
      // lab form of a visit, which the analysis reads.
      for (const [j, it] of items)
        for (const key of ['significanceOf', 'loinc'] as const)
          if (it[key] !== undefined)
            out.push({
              path: ['forms', i, 'items', j, key],
              code: 'invalid_value',
              message: `a repeating form cannot carry lab items (${key} on ${quote(it.code)} of form ${quote(id)})`,
            });
    }
  }
  const repeatingForms = new Set(forms.filter(([, f]) => f.repeating === true).map(([, f]) => str(f.id)));
  // A cross-visit check compares a form with the same form at another visit: one record each.
  for (const [i, c] of objects(input.editChecks))
    if (isObj(c.rule) && c.rule.kind === 'cross-visit' && repeatingForms.has(str(c.form)))
      out.push({
        path: ['editChecks', i, 'rule'],
        code: 'invalid_value',
        message: `form ${quote(c.form)} is repeating: a cross-visit check reads a form with one record per visit`,
      });

  // Eligibility criteria: unique ids, `between` with min ≤ max.
  const criteria = objects(input.eligibility);
  unique(
    out,
    criteria.map(([i, c]) => ({ id: str(c.id), path: ['eligibility', i, 'id'] })),
    'criterion id',
  );
  for (const [i, c] of criteria) checkCondition(out, c.condition, ['eligibility', i, 'condition']);

  // Where eligibility reads a held value: one source per criterion item, an item some criterion
  // reads, a visit of the schedule, a form the definition collects at that visit.
  const read = new Set(criteria.flatMap(([, c]) => conditionItemsOf(c.condition)));
  const sources = objects(input.eligibilitySources);
  unique(
    out,
    sources.map(([i, s]) => ({ id: str(s.item), path: ['eligibilitySources', i, 'item'] })),
    'eligibility source of item',
  );
  const formVisits = new Map(
    forms.map(([, f]) => [str(f.id), Array.isArray(f.visitCodes) ? f.visitCodes : []] as const),
  );
  for (const [i, s] of sources) {
    const at = ['eligibilitySources', i];
    const item = str(s.item);
    if (item !== undefined && Array.isArray(input.eligibility) && !read.has(item))
      out.push({
        path: [...at, 'item'],
        code: 'unknown_reference',
        message: `no eligibility criterion reads ${quote(item)}`,
      });
    checkVisit(s.visit, [...at, 'visit']);
    const form =
      s.from === 'score' ? 'sledai2k' : s.from === 'lab' || s.from === 'egfr' ? 'labs' : str(s.form);
    if (s.from === 'item' && repeatingForms.has(form))
      out.push({
        path: [...at, 'form'],
        code: 'invalid_value',
        message: `form ${quote(form)} is repeating: a held value cannot say which record to read`,
      });
    if (s.from === 'age' || form === undefined || typeof s.visit !== 'string') continue;
    const collected = formVisits.get(form);
    if (!collected?.includes(s.visit))
      out.push({
        path: s.from === 'item' ? [...at, 'form'] : at,
        code: 'unknown_reference',
        message: `the definition collects no form ${quote(form)} at visit ${quote(s.visit)}`,
      });
  }

  out.push(...crossCheckRandomisation(input));
  out.push(...crossCheckEditChecks(input));
  out.push(...crossCheckLabRanges(input));

  const ruleSet = str(input.endpointRuleSetId);
  if (ruleSet !== undefined && options.knownRuleSetIds && !options.knownRuleSetIds.includes(ruleSet)) {
    out.push({
      path: ['endpointRuleSetId'],
      code: 'unknown_reference',
      message: `unknown endpoint rule set ${quote(ruleSet)} (${options.knownRuleSetIds.join(', ')})`,
    });
  }
  if (Array.isArray(input.analysisMeasures) && options.knownMeasureKeys) {
    const known = options.knownMeasureKeys;
    input.analysisMeasures.forEach((m, i) => {
      if (typeof m === 'string' && !known.includes(m))
        out.push({
          path: ['analysisMeasures', i],
          code: 'unknown_reference',
          message: `unknown analysis measure ${quote(m)} (${known.join(', ')})`,
        });
    });
    unique(
      out,
      input.analysisMeasures.map((m, i) => ({ id: str(m), path: ['analysisMeasures', i] })),
      'analysis measure',
    );
  }
  return out;
}

function checkItem(out: DefinitionIssue[], it: Obj, path: Path, listIds: readonly string[]): void {
  const type = str(it.type);
  const numeric = type !== undefined && NUMERIC_TYPES.has(type);
  if (type === 'code' && it.codeList === undefined)
    out.push({ path: [...path, 'codeList'], code: 'required', message: 'a code item names its code list' });
  if (typeof it.codeList === 'string') {
    if (type !== undefined && type !== 'code')
      out.push({
        path: [...path, 'codeList'],
        code: 'invalid_value',
        message: `only a code item has a code list, this item is ${type}`,
      });
    else if (!listIds.includes(it.codeList))
      out.push({
        path: [...path, 'codeList'],
        code: 'unknown_reference',
        message: `unknown code list ${quote(it.codeList)}${listIds.length ? ` (${listIds.join(', ')})` : ''}`,
      });
  }
  if (type !== undefined && !numeric) {
    for (const key of ['units', 'min', 'max'] as const)
      if (it[key] !== undefined)
        out.push({
          path: [...path, key],
          code: 'invalid_value',
          message: `only a numeric (integer or decimal) item has ${key === 'units' ? 'units' : 'a range'}, this item is ${type}`,
        });
  }
  const min = num(it.min);
  const max = num(it.max);
  if (min !== undefined && max !== undefined && min > max)
    out.push({ path: [...path, 'max'], code: 'invalid_value', message: `max ${max} is below min ${min}` });
  if (Array.isArray(it.units))
    unique(
      out,
      it.units.map((u, k) => ({ id: str(u), path: [...path, 'units', k] })),
      'unit',
    );
  if (Array.isArray(it.missingCodes))
    unique(
      out,
      it.missingCodes.map((u, k) => ({ id: str(u), path: [...path, 'missingCodes', k] })),
      'missing-data code',
    );
}

function checkShowIf(
  out: DefinitionIssue[],
  c: unknown,
  path: Path,
  codes: readonly (string | undefined)[],
  self: string | undefined,
): void {
  if (!isObj(c)) return;
  if ((c.op === 'all' || c.op === 'any') && Array.isArray(c.conditions)) {
    c.conditions.forEach((sub, k) => {
      checkShowIf(out, sub, [...path, 'conditions', k], codes, self);
    });
    return;
  }
  const item = str(c.item);
  if (item === undefined) return;
  if (item === self)
    out.push({
      path: [...path, 'item'],
      code: 'invalid_value',
      message: 'an item cannot be shown on its own value',
    });
  else if (!codes.includes(item))
    out.push({
      path: [...path, 'item'],
      code: 'unknown_reference',
      message: `unknown item ${quote(item)}: branching logic reads items of the same form`,
    });
}

function checkCondition(out: DefinitionIssue[], c: unknown, path: Path): void {
  if (!isObj(c)) return;
  if ((c.op === 'all' || c.op === 'any') && Array.isArray(c.conditions)) {
    c.conditions.forEach((sub, i) => {
      checkCondition(out, sub, [...path, 'conditions', i]);
    });
    return;
  }
  const min = num(c.min);
  const max = num(c.max);
  if (c.op === 'between' && min !== undefined && max !== undefined && min > max)
    out.push({ path: [...path, 'max'], code: 'invalid_value', message: `max ${max} is below min ${min}` });
}

/** Every item a condition reads (untrusted input: what is not a condition reads nothing). */
function conditionItemsOf(c: unknown): string[] {
  if (!isObj(c)) return [];
  if (Array.isArray(c.conditions)) return c.conditions.flatMap(conditionItemsOf);
  const item = str(c.item);
  return item === undefined ? [] : [item];
}
