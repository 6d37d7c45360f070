/**
 * Cross-checks of a definition's edit checks (edit-checks.ts), on the raw input like cross-checks.ts:
 * unique ids, a known form, items the form has (when its items are known: declared in the
 * definition or from core's catalog), a known reference visit, a compare naming exactly one of
 * `other` and `value`, a range with a bound and min ≤ max.
 */
import { BILAG2004_FORM } from '../crf/bilag2004-form.js';
import { MSCT_SLE_FORMS } from '../crf/forms.js';
import type { DefinitionIssue } from './definition-issue.js';

type Path = Array<string | number>;
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const objects = (v: unknown): Array<[number, Obj]> =>
  Array.isArray(v) ? v.flatMap((o, i): Array<[number, Obj]> => (isObj(o) ? [[i, o]] : [])) : [];
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const quote = (v: unknown) => JSON.stringify(v);

const CATALOG = new Map(
  [...MSCT_SLE_FORMS, BILAG2004_FORM].map((f) => [f.formCode, f.items.map((i) => i.code)]),
);

export function crossCheckEditChecks(input: Obj): DefinitionIssue[] {
  const out: DefinitionIssue[] = [];
  const checks = objects(input.editChecks);
  if (checks.length === 0) return out;
  // The items of each form, when known (undefined: a free form, any item).
  const forms = new Map<string, string[] | undefined>();
  for (const [, f] of objects(input.forms)) {
    const id = str(f.id);
    if (id === undefined) continue;
    forms.set(
      id,
      Array.isArray(f.items)
        ? objects(f.items).flatMap(([, it]) => (typeof it.code === 'string' ? [it.code] : []))
        : CATALOG.get(id),
    );
  }
  const visits = new Set(
    objects(input.visits).flatMap(([, v]) => (typeof v.code === 'string' ? [v.code] : [])),
  );
  const seen = new Set<string>();
  for (const [i, c] of checks) {
    const at: Path = ['editChecks', i];
    const id = str(c.id);
    if (id !== undefined) {
      if (seen.has(id))
        out.push({ path: [...at, 'id'], code: 'duplicate', message: `duplicate edit check id ${quote(id)}` });
      seen.add(id);
    }
    const form = str(c.form);
    if (form === undefined) continue;
    if (!forms.has(form)) {
      out.push({
        path: [...at, 'form'],
        code: 'unknown_reference',
        message: `unknown form ${quote(form)} (${[...forms.keys()].join(', ')})`,
      });
      continue;
    }
    const items = forms.get(form);
    const item = (v: unknown, path: Path) => {
      if (items === undefined || typeof v !== 'string' || items.includes(v)) return;
      out.push({ path, code: 'unknown_reference', message: `form ${quote(form)} has no item ${quote(v)}` });
    };
    const condition = (cond: unknown, path: Path) => {
      if (!isObj(cond)) return;
      if (Array.isArray(cond.conditions))
        cond.conditions.forEach((sub, k) => {
          condition(sub, [...path, 'conditions', k]);
        });
      else item(cond.item, [...path, 'item']);
    };
    condition(c.when, [...at, 'when']);
    if (!isObj(c.rule)) continue;
    const r = c.rule;
    const rp: Path = [...at, 'rule'];
    item(r.item, [...rp, 'item']);
    if (r.kind === 'required-if') condition(r.condition, [...rp, 'condition']);
    if (r.kind === 'compare') {
      item(r.other, [...rp, 'other']);
      if ((r.other === undefined) === (r.value === undefined))
        out.push({
          path: rp,
          code: 'invalid_value',
          message: 'a compare rule names exactly one of other and value',
        });
    }
    if (r.kind === 'range') {
      if (r.min === undefined && r.max === undefined)
        out.push({ path: rp, code: 'required', message: 'a range rule needs min or max' });
      if (typeof r.min === 'number' && typeof r.max === 'number' && r.min > r.max)
        out.push({
          path: [...rp, 'max'],
          code: 'invalid_value',
          message: `max ${r.max} is below min ${r.min}`,
        });
    }
    if (r.kind === 'cross-visit') {
      item(r.referenceItem, [...rp, 'referenceItem']);
      if (typeof r.referenceVisit === 'string' && !visits.has(r.referenceVisit))
        out.push({
          path: [...rp, 'referenceVisit'],
          code: 'unknown_reference',
          message: `unknown visit code ${quote(r.referenceVisit)} (${[...visits].join(', ')})`,
        });
    }
  }
  return out;
}
